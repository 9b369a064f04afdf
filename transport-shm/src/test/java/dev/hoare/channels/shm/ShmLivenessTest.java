package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.ContractPeer;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How ends of a ring judge whether the other side's process is alive. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmLivenessTest {
    @TempDir
    Path dir;

    @Test
    void aQuietWritersFirstSendAfterItsReaderIsKilledFindsTheReaderGone() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("quiet")); // a 1 MiB ring: never full here
        try (ChildJvm reader = ChildJvm.start(ContractPeer.class, "receive", uri.toString());
                SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
            reader.expect("OPEN");
            for (int i = 0; i < 40; i++) { // enough sends before the kill that a count-based look is mid-count
                out.send("a" + i);
                reader.expect("GOT a" + i);
            }
            reader.kill();
            long killed = System.nanoTime();
            Thread.sleep(250); // the pace of a quiet writer (its next write comes well after the last look)
            try {
                out.send("b"); // may be taken into the outbox before the writer thread meets the dead reader
            } catch (ChannelClosedException e) {
                // or refused at once: the send itself found the reader gone
            }
            // writing that one record is enough: the end closes with no further send to push it
            long deadline = killed + TimeUnit.SECONDS.toNanos(10);
            while (!out.isClosedForSend() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertTrue(out.isClosedForSend(), "the first write after the kill did not find the reader gone within 10 s");
            System.out.println("a dead reader was noticed at the first send after the kill, " + ms + " ms after it");
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> out.send("c"));
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("reader went away"), closed.getCause().getMessage());
        }
    }

    /** Starts a process that only sleeps: alive, and no user of any ring. */
    private static Process stranger() throws IOException {
        return new ProcessBuilder("sleep", "60").start();
    }

    /** Writes into a ring file's header as another process would (in the platform's byte order). */
    private static void poke(Path file, int offset, ByteBuffer bytes) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            f.write(bytes.flip(), offset);
        }
    }

    @Test
    void aReaderSlotNamingALiveProcessOfAnotherStartTimeKeepsNoReaderOutAndLetsNoWriterIn() throws Exception {
        Path file = dir.resolve("reused");
        ShmRing.create(file, 4096).close();
        Process other = stranger();
        try {
            long start = ShmRing.startTime(other.pid());
            poke(file, 504, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(start + 12345)); // the reader's start time
            poke(file, RingLayout.CONSUMER_PID_OFFSET, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt((int) other.pid()));
            try (ShmRing ring = ShmRing.open(file)) {
                assertFalse(ring.consumerAlive(), "pid " + other.pid() + " is alive but not the process that registered");
            }
            IOException noReader = assertThrows(IOException.class,
                    () -> Channels.openSend(URI.create("shm:" + file + "?timeout=300ms"), Codec.utf8()));
            assertTrue(noReader.getMessage().contains("no reader"), noReader.getMessage());
            ShmLink.reader(file, 4096, ShmRing.WaitStrategy.BACKOFF).close(); // accepted, not "already has a reader"
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void aClaimWhosePidNowNamesAnUnrelatedProcessIsRepairedAndDoesNotWedgeTheRing() throws Exception {
        Path file = dir.resolve("claimed");
        ShmRing.create(file, 4096).close();
        Process other = stranger();
        try {
            // a writer with other's pid claimed 16 bytes and died; its pid now names a process that never used the ring
            poke(file, RingLayout.HEADER_LENGTH, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(-16).putInt((int) other.pid()));
            poke(file, RingLayout.TAIL_OFFSET, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(16));
            try (ShmRing ring = ShmRing.open(file)) {
                assertTrue(ring.repair(java.time.Duration.ofSeconds(1)), "the dead writer's claim becomes padding");
                assertEquals(0, ring.read((t, b, o, l) -> { }, 10));
                assertTrue(ring.isEmpty(), "the head moved past it");
                byte[] r = {1, 2, 3};
                assertTrue(ring.offer(0, r, 0, r.length));
                assertEquals(1, ring.read((t, b, o, l) -> { }, 10));
            }
        } finally {
            other.destroyForcibly().waitFor();
        }
    }
}
