package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed ring gives its memory back at once (Java 22 and later), not when the garbage
 * collector gets to it: a ring's pages in {@code /dev/shm} stay allocated while any mapping of
 * them lives, even after the file is deleted.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmRingCloseTest {
    @TempDir
    Path dir;

    private static long mappingsOf(Path file) throws IOException {
        String name = file.toAbsolutePath().toString();
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().filter(l -> l.contains(name)).count();
    }

    @Test
    void closeUnmapsTheRingAtOnceEvenWhenItsFileIsDeleted() throws Exception {
        assumeTrue(RingMapping.unmapsOnClose(), "Java 21 unmaps only when the garbage collector drops the ring");
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps (Linux)");
        Path file = dir.resolve("ring");
        ShmRing reader = ShmRing.create(file, 4096);
        ShmRing writer = ShmRing.open(file);
        assertEquals(2, mappingsOf(file), "each end maps the ring");
        Files.delete(file);
        assertTrue(writer.offer(1, new byte[] {1, 2, 3}, 0, 3));
        writer.close();
        reader.close();
        assertEquals(0, mappingsOf(file), "no mapping of the ring is left, with no garbage collection"); // "(deleted)" lines name it too
        reader.close(); // idempotent
    }

    @Test
    void aReaderWaitingInTheRingWhenItClosesFailsWithAnExceptionNotAFault() throws Exception {
        assumeTrue(RingMapping.unmapsOnClose(), "Java 21 unmaps only when the garbage collector drops the ring");
        ShmRing ring = ShmRing.create(dir.resolve("ring"), 4096);
        CountDownLatch waiting = new CountDownLatch(1);
        CompletableFuture<Throwable> ended = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            waiting.countDown();
            try {
                while (!ring.await(ShmRing.WaitStrategy.BACKOFF, TimeUnit.MILLISECONDS.toNanos(5))) {
                    // nothing comes: waits until the ring closes under it
                }
                ended.complete(null);
            } catch (Throwable t) {
                ended.complete(t);
            }
        });
        waiting.await();
        ring.close();
        Throwable t = ended.get(10, TimeUnit.SECONDS);
        assertInstanceOf(IllegalStateException.class, t, "the access after the unmapping");
    }

    /**
     * Unmapping under a thread would make the JDK set its interrupt status (to wake it for the
     * failed access): a receiving application thread would then see a spurious interrupt. A
     * reading link's close wakes the thread in the ring, waits for it to leave, then unmaps.
     * (Unmapping at once, about one close in 300 left the waiting thread interrupted, and most
     * made its wait fail with {@code IllegalStateException}.)
     */
    @Test
    void closingAReadingLinkUnderAWaitingThreadLeavesItUninterruptedAndTheRingUnmapped() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps (Linux)");
        for (int i = 0; i < 300; i++) {
            Path file = dir.resolve("link" + i);
            ShmLink link = ShmLink.reader(file, 4096, ShmRing.WaitStrategy.BACKOFF);
            CountDownLatch waiting = new CountDownLatch(1);
            CompletableFuture<String> ended = new CompletableFuture<>();
            Thread.ofPlatform().daemon().start(() -> {
                waiting.countDown();
                try {
                    boolean readable = link.awaitReadable(Long.MAX_VALUE);
                    ended.complete("readable=" + readable + " interrupted=" + Thread.currentThread().isInterrupted());
                } catch (Throwable t) {
                    ended.complete(t + " interrupted=" + Thread.currentThread().isInterrupted());
                }
            });
            waiting.await();
            if (i % 2 == 0) {
                Thread.yield(); // now and then let it get further into its wait
            }
            link.close();
            String how = ended.get(10, TimeUnit.SECONDS); // readable (the read reports the close), or the closed link
            assertTrue(how.equals("readable=true interrupted=false")
                    || how.equals("java.io.IOException: shm:" + file + ": the link is closed interrupted=false"),
                    "a wait ended by the close (try " + i + "): " + how);
            if (RingMapping.unmapsOnClose()) {
                assertEquals(0, mappingsOf(file), "the ring is unmapped when the close returns (try " + i + ")");
            }
        }
    }

    /**
     * A writer's open that is refused past the mapping (here: it asks for checksums the ring was
     * made without) leaves no mapping of the ring behind (it kept one before: only a refused
     * owner check closed the ring).
     */
    @Test
    void aWriterRefusedAfterMappingTheRingLeavesNoMappingBehind() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/self/maps")), "needs /proc/self/maps (Linux)");
        Path file = dir.resolve("refused");
        ShmLink reader = ShmLink.reader(file, 4096, ShmRing.WaitStrategy.BACKOFF, "utf8", 1 << 16, false);
        try {
            assertEquals(1, mappingsOf(file), "the reader maps the ring");
            for (int i = 0; i < 3; i++) {
                IOException refused = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                        () -> ShmLink.writer(file, ShmRing.WaitStrategy.BACKOFF, java.time.Duration.ofSeconds(5), "utf8", true));
                assertTrue(refused.getMessage().contains("checksum"), refused.getMessage());
            }
            assertEquals(1, mappingsOf(file), "a refused writer leaves no mapping of the ring");
        } finally {
            reader.close();
        }
    }
}
