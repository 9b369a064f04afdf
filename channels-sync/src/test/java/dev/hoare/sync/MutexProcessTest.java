package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The mutex across processes: exclusion under contention, and a killed owner reported. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class MutexProcessTest {
    private final String name = Names.fresh("mutex");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void threeProcessesIncrementingUnderTheMutexLoseNoIncrement(@TempDir Path dir) throws Exception {
        Path counterFile = dir.resolve("counter");
        ByteBuffer counter = SyncChild.map(counterFile.toString());
        int each = 20_000;
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(SyncChild.class, "mutex-count", name, counterFile.toString(), Integer.toString(each)));
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.exitCode(), "printed: " + c.printed());
            }
            assertEquals(3L * each, counter.getLong(0));
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    @Test
    void theNextOwnerLearnsThatTheKilledOwnerDiedHoldingIt() throws Exception {
        try (Mutex here = new Mutex(name);
                ChildJvm owner = ChildJvm.start(SyncChild.class, "mutex-hold", name);
                ChildJvm waiter = ChildJvm.start(SyncChild.class, "mutex-lock-unlock", name)) {
            owner.expect("LOCKED died=false");
            waiter.expect("WAITING");
            assertFalse(here.tryLock(), "the owner is alive");
            owner.kill();
            // the waiter (sleeping) or this thread takes it over; whoever does is told
            boolean mine = here.lock(Duration.ofSeconds(20));
            if (mine && here.previousOwnerDied()) {
                here.unlock();
                assertEquals("LOCKED died=false", waiter.expect("LOCKED"));
            } else {
                assertEquals("LOCKED died=true", waiter.expect("LOCKED"));
                if (!mine) {
                    assertTrue(here.lock(Duration.ofSeconds(20)));
                }
                assertFalse(here.previousOwnerDied());
                here.unlock();
            }
            waiter.expect("DONE");
        }
    }

    @Test
    void killingContendersAtRandomPointsWedgesNobody(@TempDir Path dir) throws Exception {
        Path counterFile = dir.resolve("counter");
        ByteBuffer counter = SyncChild.map(counterFile.toString());
        List<ChildJvm> children = new ArrayList<>();
        try (Mutex here = new Mutex(name)) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(SyncChild.class, "mutex-count", name, counterFile.toString(), "0"));
            }
            for (ChildJvm c : children) {
                c.expect("READY");
            }
            int died = 0;
            for (int round = 0; round < 2; round++) {
                awaitAtLeast(here, counter, 2_000);
                ChildJvm victim = children.remove(ThreadLocalRandom.current().nextInt(children.size()));
                Thread.sleep(ThreadLocalRandom.current().nextInt(20));
                victim.kill();
                long before = read(here, counter); // this lock waits out a dead owner if the victim held it
                died += here.previousOwnerDied() ? 1 : 0;
                awaitAtLeast(here, counter, before + 2_000); // the survivors go on
            }
            for (ChildJvm c : children) {
                c.kill();
            }
            assertTrue(here.lock(Duration.ofSeconds(20)), "the lock is free, or taken over from a killed owner");
            died += here.previousOwnerDied() ? 1 : 0;
            here.unlock();
            assertTrue(died <= 3);
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    private static long read(Mutex m, ByteBuffer counter) throws InterruptedException {
        assertTrue(m.lock(Duration.ofSeconds(20)), "nobody waits for ever");
        try {
            return counter.getLong(0);
        } finally {
            m.unlock();
        }
    }

    private static void awaitAtLeast(Mutex m, ByteBuffer counter, long target) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long v;
        while ((v = counter.getLong(0)) < target) {
            assertTrue(System.nanoTime() < deadline, "no progress past " + v);
            Thread.sleep(5);
        }
        assertTrue(m.name() != null);
    }
}
