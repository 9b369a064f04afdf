package dev.hoare.channels;

import java.util.concurrent.locks.LockSupport;

/**
 * One thread waiting in one channel operation: a blocked send (carrying its value) or a blocked
 * receive (to be handed a value). Lives in a {@link WaitQueue} of exactly one channel.
 *
 * <p>Protocol: the waiter is enqueued under the channel lock in state {@link #WAITING}. Exactly one
 * party moves it out of {@code WAITING}, always under that same lock: a peer operation completing
 * it ({@link #DONE}: the value was taken, or {@link #item} now holds the received value), a close
 * or cancel ({@link #CLOSED}), or the waiter itself giving up on interrupt or timeout
 * ({@link #ABANDONED}, after unlinking itself). The waking party writes {@code item} before the
 * volatile write of {@code state}, and unparks the thread only after releasing the lock (a woken
 * thread never runs into a lock its waker still holds).
 */
final class Waiter {
    static final int WAITING = 0;
    static final int DONE = 1;
    static final int CLOSED = 2;
    static final int ABANDONED = 3;
    /** Woken to try again (lock-free channels): the waiter is no longer queued and nothing was done for it. */
    static final int RETRY = 4;

    /**
     * How long a waiter stays on its CPU before parking. A park/unpark pair costs a futex round trip
     * and a reschedule on both sides (measured at 5-10 µs on a virtualised 2-core machine), while a
     * peer on another core usually completes a waiter within a few microseconds. So a waiter first
     * spins ({@link Thread#onSpinWait()}), then, on a platform thread, yields (letting other
     * runnable threads use the core), and parks only when that time has passed. A virtual thread
     * parks right after the short spin: parking only unmounts it from its carrier.
     * With a single core, spinning only delays the peer, so it is skipped.
     */
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;
    private static final int SPINS = MULTICORE ? 256 : 0;
    private static final long YIELD_NANOS = MULTICORE ? 50_000 : 0;

    final Thread thread = Thread.currentThread();
    /** A sender's value, or the value handed to a receiver. Guarded by the channel lock until state leaves WAITING. */
    Object item;
    /** WAITING, then one of DONE, CLOSED, ABANDONED. Written under the channel lock, read without it. */
    volatile int state;
    /**
     * Set by the waiting thread just before it parks, so a waker can skip the unpark (a system call
     * for a parked thread) while the waiter is still spinning. Dekker-style: the waiter writes
     * {@code parked} then reads {@code state}; the waker writes {@code state} then reads
     * {@code parked}; both volatile, so at least one of them sees the other's write and no wake-up
     * is lost.
     */
    private volatile boolean parked;
    /** Links of the intrusive {@link WaitQueue}; guarded by the channel lock. */
    Waiter prev;
    Waiter next;

    Waiter(Object item) {
        this.item = item;
    }

    /**
     * Waits until the state leaves {@link #WAITING}, the deadline passes, or the thread is
     * interrupted. Must be called without the channel lock, by the waiting thread itself.
     *
     * @param deadline {@link System#nanoTime()} deadline; ignored unless {@code timed}
     * @return {@code true} if the state left WAITING; {@code false} on timeout or interrupt
     *     (the interrupt status is then left set, for the caller to examine)
     */
    boolean await(boolean timed, long deadline) {
        for (int i = 0; i < SPINS; i++) {
            if (state != WAITING) {
                return true;
            }
            Thread.onSpinWait();
        }
        // A virtual thread parks cheaply (it unmounts; no system call), so it does not yield-spin.
        long yieldUntil = System.nanoTime() + (thread.isVirtual() ? 0 : YIELD_NANOS);
        while (state == WAITING) {
            if (thread.isInterrupted()) {
                return false;
            }
            long now = System.nanoTime();
            if (now - yieldUntil >= 0 || (timed && now - deadline >= 0)) {
                break;
            }
            Thread.yield();
        }
        parked = true;
        while (state == WAITING) {
            if (thread.isInterrupted()) {
                return false;
            }
            if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            } else {
                LockSupport.park(this);
            }
        }
        return true;
    }

    /** Wakes the waiting thread. Call after the state changed and after releasing the channel lock. */
    void unpark() {
        if (parked) {
            LockSupport.unpark(thread);
        }
    }
}
