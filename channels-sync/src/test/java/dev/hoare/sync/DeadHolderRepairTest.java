package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.shm.ShmRing;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a process that died at the worst moment leaves in a shared file, written by hand (a kill
 * inside a critical section of a few instructions cannot be aimed at), and its repair.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DeadHolderRepairTest {
    /** A pid no process has (above the usual pid_max of 4194304 on 64-bit Linux, 2^22). */
    private static final long DEAD = Identity.of(4_194_303, 12345);
    private final String name = Names.fresh("repair");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void aProcessIsItsPidWithItsStartTime() {
        long pid = ProcessHandle.current().pid();
        assertTrue(Identity.alive(Identity.SELF));
        assertEquals(Identity.of(pid, ShmRing.startTime(pid)), Identity.SELF);
        assertFalse(Identity.alive(Identity.of(pid, ShmRing.startTime(pid) + 1)), "a reused pid is another process");
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertTrue(Identity.alive(Identity.of(parent, ShmRing.startTime(parent))));
        assertFalse(Identity.alive(DEAD));
    }

    @Test
    void aSemaphoreGuardLeftByADeadProcessIsTakenOverAndTheCountsRepaired() throws Exception {
        try (Semaphore s = new Semaphore(name, 3); SyncFile f = SyncFile.open(name, SyncLayout.Kind.SEMAPHORE, 3,
                SyncLayout.SEMAPHORE_SIZE, b -> { })) {
            // a holder died inside take(): its count raised, 'available' not yet lowered, the guard still its
            int slot = SyncLayout.HOLDERS - 1;
            f.setLong(SyncLayout.HOLDERS_OFFSET + slot * SyncLayout.HOLDER_SIZE + SyncLayout.HOLDER_IDENTITY, DEAD);
            f.setInt(SyncLayout.HOLDERS_OFFSET + slot * SyncLayout.HOLDER_SIZE + SyncLayout.HOLDER_COUNT, 1);
            f.setLong(SyncLayout.LOCK_OWNER_OFFSET, DEAD);
            assertTrue(s.acquire(Duration.ofSeconds(5)), "the guard is taken over within a bounded sleep");
            assertEquals(2, s.available(), "the dead holder's permit is not counted as held");
            assertEquals(0, f.getLong(SyncLayout.LOCK_OWNER_OFFSET));
            s.release();
            assertEquals(3, s.available());
        }
    }

    @Test
    void aMutexLeftByADeadProcessIsTakenOverAndSaysSo() throws Exception {
        try (Mutex m = new Mutex(name); SyncFile f = SyncFile.open(name, SyncLayout.Kind.MUTEX, 0, SyncLayout.SMALL_SIZE, b -> { })) {
            f.setLong(SyncLayout.LOCK_OWNER_OFFSET, DEAD);
            assertTrue(m.isLocked());
            assertTrue(m.tryLock(), "a try takes over a dead owner's lock at once");
            assertTrue(m.previousOwnerDied());
            m.unlock();
            assertFalse(m.previousOwnerDied());
            f.setLong(SyncLayout.LOCK_OWNER_OFFSET, DEAD);
            long start = System.nanoTime();
            assertTrue(m.lock(), "a lock takes it over after a bounded sleep");
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            m.unlock();
        }
    }
}
