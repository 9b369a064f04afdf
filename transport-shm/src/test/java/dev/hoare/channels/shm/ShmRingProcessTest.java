package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.contract.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The ring between processes: real child JVMs as producers, some killed with SIGKILL. */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShmRingProcessTest {
    @TempDir
    Path dir;

    @Test
    void threeProducerProcessesEveryRecordExactlyOnceInPerProducerOrder() throws Exception {
        Path file = dir.resolve("ring");
        long each = 1_000_000;
        try (ShmRing ring = ShmRing.create(file, 1 << 16)) {
            List<ChildJvm> children = new ArrayList<>();
            try {
                for (int p = 0; p < 3; p++) {
                    children.add(ChildJvm.start(RingProducerChild.class, file.toString(), Integer.toString(p), Long.toString(each), "20"));
                }
                long[] next = new long[3];
                Records.drain(ring, next, each, 20, Duration.ofSeconds(240));
                for (ChildJvm c : children) {
                    c.expect("done");
                    assertEquals(0, c.exitCode());
                }
                assertTrue(ring.isEmpty());
            } finally {
                for (ChildJvm c : children) {
                    c.close();
                }
            }
        }
    }

    @Test
    void aConsumerAsleepOnTheFutexIsWokenByAProducerInAnotherProcessAndUsesNoCpuMeanwhile() throws Exception {
        assertTrue(Futex.AVAILABLE, "futexes through jnr-ffi on this Linux machine");
        Path file = dir.resolve("ring");
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (ShmRing ring = ShmRing.create(file, 4096);
                ChildJvm producer = ChildJvm.start(RingProducerChild.class, file.toString(), "on-command")) {
            producer.expect("ready");
            long cpuBefore = threads.getCurrentThreadCpuTime();
            long wallBefore = System.nanoTime();
            assertFalse(ring.await(ShmRing.WaitStrategy.BLOCK, TimeUnit.MILLISECONDS.toNanos(1_000)), "nothing offered yet");
            long cpu = threads.getCurrentThreadCpuTime() - cpuBefore;
            assertTrue(System.nanoTime() - wallBefore >= TimeUnit.MILLISECONDS.toNanos(1_000));
            assertTrue(cpu < TimeUnit.MILLISECONDS.toNanos(200), "asleep for 1 s, it used " + cpu / 1_000_000 + " ms of CPU");
            long[] next = new long[1];
            for (int i = 0; i < 20; i++) {
                producer.tell("go"); // the consumer is asleep (or about to be) when the record comes
                assertTrue(ring.await(ShmRing.WaitStrategy.BLOCK, TimeUnit.SECONDS.toNanos(30)), "never woken");
                assertEquals(1, ring.read((t, b, o, l) -> Records.check(b, o, l, next, 0), 10));
            }
            assertEquals(20, next[0]);
        }
    }

    @Test
    void awaitEndsAtItsTimeoutAndOnInterruptWhateverTheStrategy() throws Exception {
        try (ShmRing ring = ShmRing.create(dir.resolve("ring"), 4096)) {
            for (ShmRing.WaitStrategy s : List.of(ShmRing.WaitStrategy.SPIN, ShmRing.WaitStrategy.YIELD, ShmRing.WaitStrategy.BACKOFF, ShmRing.WaitStrategy.BLOCK)) {
                assertFalse(ring.await(s, TimeUnit.MILLISECONDS.toNanos(100)), s.toString());
                Thread.currentThread().interrupt();
                org.junit.jupiter.api.Assertions.assertThrows(InterruptedException.class, () -> ring.await(s, TimeUnit.SECONDS.toNanos(30)));
                assertFalse(Thread.interrupted());
            }
            byte[] r = {1};
            assertTrue(ring.offer(1, r, 0, 1));
            assertTrue(ring.await(ShmRing.WaitStrategy.BLOCK, 0), "readable: returns at once");
        }
    }

    @Test
    void recordsLeftInAFileBackedRingWhenItsProducerAndConsumerAreGoneAreReadByTheNextConsumer() throws Exception {
        Path file = dir.resolve("durable"); // a file on disk, not /dev/shm
        long[] next = new long[1];
        try (ShmRing first = ShmRing.create(file, 1 << 16)) {
            try (ChildJvm producer = ChildJvm.start(RingProducerChild.class, file.toString(), "0", "300", "40")) {
                producer.expect("done");
                assertEquals(0, producer.exitCode());
            }
            assertEquals(100, first.read((t, b, o, l) -> Records.check(b, o, l, next, 40), 100)); // read some, then "die"
            first.force();
        }
        try (ShmRing next1 = ShmRing.open(file)) {
            Records.drain(next1, next, 300, 40, Duration.ofSeconds(10));
            assertTrue(next1.isEmpty());
        }
    }

    @Test
    void aProducerKilledHoldingAClaimDoesNotWedgeTheRing() throws Exception {
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            byte[] before = Records.encode(0, 0, 0);
            assertTrue(ring.offer(1, before, 0, before.length));
            try (ChildJvm claimer = ChildJvm.start(RingProducerChild.class, file.toString(), "claim")) {
                claimer.expect("claimed");
                byte[] after = Records.encode(0, 1, 0);
                assertTrue(ring.offer(1, after, 0, after.length));
                long[] next = new long[1];
                assertEquals(1, ring.read((t, b, o, l) -> Records.check(b, o, l, next, 0), 10));
                assertEquals(0, ring.read((t, b, o, l) -> Records.check(b, o, l, next, 0), 10));
                assertFalse(ring.repair(Duration.ZERO), "the claim's owner is alive: left alone");
                claimer.kill();
                assertTrue(ring.repair(Duration.ofHours(1)), "its owner is gone: padded at once");
                assertEquals(1, ring.read((t, b, o, l) -> Records.check(b, o, l, next, 0), 10));
                assertEquals(2, next[0]);
            }
        }
    }

    @Test
    void producersKilledAtRandomPointsNeverWedgeTheRingNorLosePublishedRecords() throws Exception {
        Path file = dir.resolve("ring");
        Random random = new Random(42);
        try (ShmRing ring = ShmRing.create(file, 1 << 12)) {
            long[] next = new long[1];
            for (int round = 0; round < 8; round++) {
                // producer 0 is killed at a random moment while the consumer keeps reading; its
                // records are numbered from 0 again each round, so reset what we expect
                next[0] = 0;
                try (ChildJvm victim = ChildJvm.start(RingProducerChild.class, file.toString(), "0", Long.toString(Long.MAX_VALUE), "300")) {
                    victim.expect("started");
                    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50 + random.nextInt(300));
                    while (System.nanoTime() < until) {
                        ring.read((t, b, o, l) -> Records.check(b, o, l, next, 300), 64);
                    }
                    victim.kill();
                }
                // everything it published before dying is readable, then the ring serves another producer
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (!ring.isEmpty() && System.nanoTime() < deadline) {
                    if (ring.read((t, b, o, l) -> Records.check(b, o, l, next, 300), 64) == 0) {
                        ring.repair(Duration.ofMillis(100));
                    }
                }
                assertTrue(ring.isEmpty(), "round " + round + ": the ring stayed wedged");
                try (ChildJvm survivor = ChildJvm.start(RingProducerChild.class, file.toString(), "1", "20000", "300")) {
                    long[] only = {Long.MAX_VALUE, 0}; // producer 0 is dead and drained: nothing more of it may come
                    Records.drain(ring, only, 20_000, 300, Duration.ofSeconds(60));
                    survivor.expect("done");
                }
            }
        }
    }
}
