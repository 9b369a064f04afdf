package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.ContractPeer;
import dev.hoare.channels.contract.WriterChild;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** What the shm transport does beyond the contract: many writer processes into one ring. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShmTransportTest {
    @TempDir
    Path dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
    }

    private ChildJvm child(Class<?> main, String... args) throws Exception {
        ChildJvm c = ChildJvm.start(main, args);
        children.add(c);
        return c;
    }

    @Test
    void threeWriterProcessesShareOneRingAndEveryMessageArrivesWholeOnceInOrder() throws Exception {
        int writers = 3;
        int each = 10_000;
        URI uri = URI.create("shm:" + dir.resolve("shared") + "?timeout=60s");
        for (int w = 0; w < writers; w++) { // each waits for the reader to create the ring
            child(WriterChild.class, uri.toString(), Integer.toString(w), Integer.toString(each), "65536");
        }
        try (ReceiveChannel<byte[]> in = Channels.openReceive(uri, Codec.bytes())) { // returns on the first HELLO
            int[] next = new int[writers];
            long bytes = 0;
            for (byte[] m : in) { // ends when every writer has closed and gone
                long id = WriterChild.check(m);
                int writer = (int) (id >>> 32);
                assertEquals(next[writer]++, (int) id, "writer " + writer + "'s messages out of order");
                bytes += m.length;
            }
            for (int w = 0; w < writers; w++) {
                assertEquals(each, next[w], "messages from writer " + w);
            }
            assertTrue(bytes > writers * each * 16_000L, "sizes up to 64 KiB, random: " + bytes + " bytes");
        }
        for (ChildJvm c : children) {
            assertEquals(0, c.exitCode());
        }
    }

    @Test
    void aWriterThatSendsLittleLearnsItsReaderDiedWithinABoundedTime() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("quiet")); // a 1 MiB ring: never full here
        ChildJvm reader = child(ContractPeer.class, "receive", uri.toString());
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
            reader.expect("OPEN");
            out.send("a");
            reader.expect("GOT a");
            reader.kill();
            long killed = System.nanoTime();
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
                while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(5)) {
                    out.send("b");
                    Thread.sleep(5); // a quiet writer
                }
            });
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("reader went away"), closed.getCause().getMessage());
        }
    }

    @Test
    void oneWriterClosingAndAnotherKilledEndsInPeerLostOnceBothAreGone() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("mixed"));
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8()); // returns once a writer has said HELLO
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        SendChannel<String> polite = Channels.openSend(uri, Codec.utf8());
        try (ReceiveChannel<String> in = opening.get(30, TimeUnit.SECONDS)) {
            ChildJvm rude = child(ContractPeer.class, "stream", uri.toString());
            Set<String> seen = new HashSet<>();
            while (seen.size() < 100) { // the second writer is in
                seen.add(in.receive(Duration.ofSeconds(30)).orElseThrow());
            }
            polite.send("bye");
            polite.close();
            while (!seen.contains("bye")) {
                seen.add(in.receive(Duration.ofSeconds(30)).orElseThrow());
            }
            rude.kill();
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
                while (true) {
                    in.receive(Duration.ofSeconds(30)).orElseThrow();
                }
            });
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("1 of 2 writers"), closed.getCause().getMessage());
        }
    }
}
