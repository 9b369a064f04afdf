package dev.hoare.channels.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Beyond the contract's one-to-one ends: a fanned-in server and a request-response connection,
 * closed while their peers still send, give back every descriptor, and every end and server
 * becomes collectable (a live I/O thread, virtual ones included, would keep its end reachable).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UdsCloseTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int ROUNDS = 100;
    @TempDir
    Path dir;

    @Test
    void aServerClosedWhileItsSendersStillSendGivesBackItsThreadsAndDescriptors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "counts descriptors in /proc/self/fd (Linux)");
        List<WeakReference<Object>> ends = new ArrayList<>();
        serverRound(0, new ArrayList<>()); // warm up
        int before = awaitDescriptors(Integer.MAX_VALUE);
        for (int i = 1; i <= ROUNDS; i++) {
            serverRound(i, ends);
        }
        int after = awaitDescriptors(before);
        assertTrue(after - before <= 4, "descriptors: " + before + " before, " + after + " after " + ROUNDS + " servers");
        assertEquals(0, awaitCollected(ends), "servers and senders still reachable, of " + ends.size());
    }

    private void serverRound(int i, List<WeakReference<Object>> ends) throws Exception {
        UnixServer<String> server = UnixChannels.listen(dir.resolve("fan" + i + ".sock"), Codec.utf8(), UnixServer.Options.defaults());
        SendChannel<String> a = UnixChannels.connectSend(server.path(), Codec.utf8(), StreamOptions.defaults());
        SendChannel<String> b = UnixChannels.connectSend(server.path(), Codec.utf8(), StreamOptions.defaults());
        ends.add(new WeakReference<>(server));
        ends.add(new WeakReference<>(server.channel()));
        ends.add(new WeakReference<>(a));
        ends.add(new WeakReference<>(b));
        try {
            a.send("a1");
            a.send("a2");
            b.send("b1");
            server.channel().receive(WAIT).orElseThrow();
            server.close(); // a2 or b1 not received: both senders still open
            sendsFail(a);
            sendsFail(b);
        } finally {
            a.close();
            b.close();
            server.close();
        }
    }

    @Test
    void aConnectionClosedEarlyOnBothSidesGivesBackItsThreadsAndDescriptors() throws Exception {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "counts descriptors in /proc/self/fd (Linux)");
        UnixServer<StreamChannels.Duplex<String, String>> server = UnixChannels.serve(dir.resolve("duplex.sock"), Codec.utf8(),
                Codec.utf8(), UnixServer.Options.defaults());
        try {
            List<WeakReference<Object>> ends = new ArrayList<>();
            connectionRound(server, new ArrayList<>()); // warm up
            int before = awaitDescriptors(Integer.MAX_VALUE);
            for (int i = 0; i < ROUNDS; i++) {
                connectionRound(server, ends);
            }
            int after = awaitDescriptors(before);
            assertTrue(after - before <= 4, "descriptors: " + before + " before, " + after + " after " + ROUNDS + " connections");
            assertEquals(0, awaitCollected(ends), "connections' ends still reachable, of " + ends.size());
        } finally {
            server.close();
        }
    }

    private static void connectionRound(UnixServer<StreamChannels.Duplex<String, String>> server, List<WeakReference<Object>> ends)
            throws Exception {
        StreamChannels.Duplex<String, String> client = UnixChannels.connect(server.path(), Codec.utf8(), Codec.utf8(),
                StreamOptions.defaults());
        StreamChannels.Duplex<String, String> connection = server.channel().receive(WAIT).orElseThrow();
        ends.add(new WeakReference<>(client.in()));
        ends.add(new WeakReference<>(client.out()));
        ends.add(new WeakReference<>(connection.in()));
        ends.add(new WeakReference<>(connection.out()));
        try {
            client.out().send("q1");
            client.out().send("q2");
            assertEquals("q1", connection.in().receive(WAIT).orElseThrow());
            connection.in().close(); // q2 not received, the client still sending
            sendsFail(client.out());
            connection.out().send("r1");
            client.in().close(); // r1 not received
            sendsFail(connection.out());
        } finally {
            client.close();
            connection.close();
        }
    }

    /** The receiver's early close reaches the sender: its sends soon fail as on a closed channel. */
    private static void sendsFail(SendChannel<String> out) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        assertThrows(ChannelClosedException.class, () -> {
            while (System.nanoTime() < deadline) {
                out.send("after", Duration.ofMillis(100));
            }
        });
    }

    private static int descriptors() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1;
        }
    }

    /** Polls (threads end asynchronously) until at most {@code bound} descriptors are open, or a deadline; @return the count */
    private static int awaitDescriptors(int bound) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(bound == Integer.MAX_VALUE ? 1 : 10);
        int n = descriptors();
        while (n > bound + 4 && System.nanoTime() < deadline || bound == Integer.MAX_VALUE && System.nanoTime() < deadline) {
            Thread.sleep(20);
            n = descriptors();
        }
        return n;
    }

    private static int awaitCollected(List<WeakReference<Object>> ends) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            System.gc();
            int reachable = (int) ends.stream().filter(r -> r.get() != null).count();
            if (reachable == 0 || System.nanoTime() > deadline) {
                return reachable;
            }
            Thread.sleep(20);
        }
    }
}
