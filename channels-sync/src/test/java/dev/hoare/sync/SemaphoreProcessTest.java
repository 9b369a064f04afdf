package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The semaphore across processes: the pool never shrinks for good when holders are killed. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SemaphoreProcessTest {
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private final String name = Names.fresh("sem");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void aKilledHoldersPermitsGoToAWaitingProcess() throws Exception {
        try (Semaphore here = new Semaphore(name, 2);
                ChildJvm holder = ChildJvm.start(SyncChild.class, "sem-hold", name, "2", "2")) {
            holder.expect("HELD 2");
            assertEquals(0, here.available());
            try (ChildJvm waiter = ChildJvm.start(SyncChild.class, "sem-acquire", name, "2")) {
                waiter.expect("WAITING");
                assertFalse(here.tryAcquire()); // the holder is alive: nothing to reclaim
                holder.kill();
                waiter.expect("ACQUIRED"); // within a bounded sleep (100 ms) of the death
                assertTrue(here.acquire(java.time.Duration.ofSeconds(10)), "the second permit came back too");
                assertEquals(0, here.available());
                here.release();
                waiter.kill();
                assertTrue(here.tryAcquire(), "the free permit");
                assertTrue(here.tryAcquire(), "the killed waiter's permit, taken back when none is free");
                assertEquals(2, here.held());
            }
        }
    }

    @Test
    void killingWorkersAtRandomPointsNeverShrinksThePoolNorLetsTooManyIn(@TempDir Path dir) throws Exception {
        int permits = 2;
        Path insideFile = dir.resolve("inside");
        ByteBuffer inside = SyncChild.map(insideFile.toString());
        List<ChildJvm> workers = new ArrayList<>();
        try (Semaphore here = new Semaphore(name, permits)) {
            for (int i = 0; i < 3; i++) {
                workers.add(ChildJvm.start(SyncChild.class, "sem-cycle", name, Integer.toString(permits), insideFile.toString(), "0"));
            }
            for (ChildJvm w : workers) {
                w.expect("READY");
            }
            for (int round = 0; round < 2; round++) {
                long before = (long) LONG.getVolatile(inside, 8);
                awaitProgress(inside, before + 200);
                ChildJvm victim = workers.remove(ThreadLocalRandom.current().nextInt(workers.size()));
                Thread.sleep(ThreadLocalRandom.current().nextInt(20)); // a random point in its cycle
                victim.kill();
                // the victim may have died inside (with 'inside' counted): take it off, as its permit comes back
                LONG.setVolatile(inside, 0, 0L);
                ChildJvm fresh = ChildJvm.start(SyncChild.class, "sem-cycle", name, Integer.toString(permits), insideFile.toString(), "0");
                fresh.expect("READY");
                workers.add(fresh);
                awaitProgress(inside, (long) LONG.getVolatile(inside, 8) + 200); // the others go on
            }
            for (ChildJvm w : workers) {
                w.kill();
            }
            // every worker is gone, some killed holding a permit: all of them come back here
            for (int i = 0; i < permits; i++) {
                assertTrue(here.acquire(java.time.Duration.ofSeconds(10)), "permit " + (i + 1) + " came back");
            }
            assertEquals(0, here.available());
        } finally {
            for (ChildJvm w : workers) {
                w.close();
                assertTrue(w.printed().stream().noneMatch(l -> l.startsWith("VIOLATION")), "more holders than permits: " + w.printed());
            }
        }
    }

    private static void awaitProgress(ByteBuffer inside, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((long) LONG.getVolatile(inside, 8) < target) {
            assertTrue(System.nanoTime() < deadline, "the workers stopped making progress at " + LONG.getVolatile(inside, 8));
            Thread.sleep(5);
        }
    }

}
