package dev.hoare.sync;

import dev.hoare.channels.shm.Futex;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.LockSupport;
import jnr.ffi.Pointer;

/**
 * Futex sleeps, from any thread. A platform thread sleeps in the kernel itself. A virtual thread
 * would hold its carrier for the whole sleep (a native call pins it), so its sleep is made by a
 * platform thread of a small cached pool ({@code hoare-sync-sleeper}, daemon, ended after 60 s
 * idle) while the virtual thread parks; transport-shm does the same with its reader thread.
 * Where there are no futexes (not Linux), a sleep is a 1 ms park: polling, the fallback only.
 *
 * <p>Interrupts: a futex sleep does not end on {@link Thread#interrupt}, so callers sleep for at
 * most {@link #MAX_SLEEP_NANOS} at a time and see an interrupt within that; an interrupted
 * virtual thread stops waiting at once and wakes its word's sleepers (a spurious wake-up for the
 * others, who re-check) so that its stand-in ends too.
 */
final class Sleepers {
    private Sleepers() {
    }

    /**
     * The longest one sleep lasts: the bound on noticing an interrupt (platform threads), a
     * closed handle, and a holder that died without a wake-up.
     */
    static final long MAX_SLEEP_NANOS = 100_000_000L;

    private static final ExecutorService STAND_INS = Executors.newCachedThreadPool(
            Thread.ofPlatform().daemon().name("hoare-sync-sleeper-", 0).factory());

    /**
     * @param address the mapping's address ({@code null}: no futexes, poll)
     * @param offset the futex word's offset in it
     * @param expected sleep while the word holds this
     * @param nanos at most this long (capped at {@link #MAX_SLEEP_NANOS})
     * @throws InterruptedException if the thread was or is interrupted
     */
    static void await(Pointer address, int offset, int expected, long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        long sleep = Math.max(0, Math.min(nanos, MAX_SLEEP_NANOS));
        if (address == null) {
            LockSupport.parkNanos(Math.min(sleep, 1_000_000L));
        } else if (!Thread.currentThread().isVirtual()) {
            Futex.await(address, offset, expected, sleep);
        } else {
            Future<?> standIn = STAND_INS.submit(() -> Futex.await(address, offset, expected, sleep));
            try {
                standIn.get();
            } catch (InterruptedException e) {
                Futex.wakeAll(address, offset);
                throw e;
            } catch (ExecutionException e) {
                throw new IllegalStateException("futex wait failed: " + e.getCause(), e.getCause());
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
