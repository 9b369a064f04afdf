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

    /**
     * Spin iterations before parking. A peer on another core usually completes a waiter within a
     * microsecond or two, and a spin is far cheaper than a park/unpark pair (a futex round trip
     * and a reschedule). On a single core spinning only delays the peer, so it is skipped.
     */
    private static final int SPINS = Runtime.getRuntime().availableProcessors() > 1 ? 128 : 0;

    final Thread thread = Thread.currentThread();
    /** A sender's value, or the value handed to a receiver. Guarded by the channel lock until state leaves WAITING. */
    Object item;
    /** WAITING, then one of DONE, CLOSED, ABANDONED. Written under the channel lock, read without it. */
    volatile int state;
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
        LockSupport.unpark(thread);
    }
}
