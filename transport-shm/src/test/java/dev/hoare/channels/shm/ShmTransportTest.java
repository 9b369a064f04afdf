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
import dev.hoare.channels.contract.SharedWriters;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
        SharedWriters.writerProcessesDeliverEveryMessageWholeOnceInOrder(URI.create("shm:" + dir.resolve("shared") + "?timeout=60s"),
                3, 10_000, 65536);
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
    void aDurableRingKeepsWhatWasPublishedForTheNextReaderAfterWriterAndReaderWereKilled() throws Exception {
        Path file = dir.resolve("durable"); // a file on disk, not /dev/shm
        URI uri = URI.create("shm:" + file + "?capacityBytes=65536&timeout=30s");
        ChildJvm reader = child(ContractPeer.class, "take-on-command", uri.toString());
        ChildJvm writer = child(ContractPeer.class, "stream", uri.toString());
        reader.expect("OPEN");
        writer.expect("OPEN");
        for (int i = 0; i < 3; i++) {
            reader.tell("TAKE");
            assertTrue(reader.expect("TOOK ").startsWith("TOOK " + i + " "));
        }
        try (ShmRing ring = ShmRing.open(file)) { // the writer fills the ring, then waits for room
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ring.depth() < ring.capacity() / 2 && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling with a deadline
            }
            assertTrue(ring.depth() >= ring.capacity() / 2, "the writer did not fill the ring: " + ring.depth());
        }
        writer.kill();
        reader.kill();

        List<Long> got = new ArrayList<>();
        try (ReceiveChannel<String> next = Channels.openReceive(uri, Codec.utf8())) {
            ChannelClosedException end = assertThrows(ChannelClosedException.class, () -> {
                while (true) {
                    got.add(Long.parseLong(next.receive()));
                }
            });
            assertInstanceOf(PeerLostException.class, end.getCause(), "the writer went away without closing");
        }
        assertTrue(got.size() > 1000, "the ring's records reached the next reader: " + got.size());
        assertTrue(got.get(0) >= 3, "values the first reader took are not read again: " + got.get(0));
        for (int i = 1; i < got.size(); i++) {
            assertEquals(got.get(i - 1) + 1, got.get(i), "every published value once, in order");
        }
    }

    @Test
    void oneWriterClosingAndAnotherKilledEndsInPeerLostOnceBothAreGone() throws Exception {
        SharedWriters.oneWriterClosingAndAnotherKilledEndInPeerLost(URI.create("shm:" + dir.resolve("mixed")));
    }
}
