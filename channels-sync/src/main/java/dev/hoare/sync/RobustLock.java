package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.LOCK_OWNER_OFFSET;
import static dev.hoare.sync.SyncLayout.LOCK_SEQ_OFFSET;
import static dev.hoare.sync.SyncLayout.LOCK_WAITERS_OFFSET;

/**
 * A lock in a shared file whose owner is a process ({@link Identity}), taken from its owner by
 * the next taker once that process is dead: the {@link Mutex} itself, and a {@link Semaphore}'s
 * guard over its counts.
 *
 * <p>Invariants (words of {@link SyncLayout}):
 * <ul>
 * <li>{@code owner} is 0 (free) or the identity of the process holding the lock; it changes
 *     only by compare-and-set: 0 to a taker, the dead owner to a taker ({@link Taken#OWNER_DIED}),
 *     or the owner to 0 by the owner's release.</li>
 * <li>{@code seq} is incremented after every release (and after a steal); {@code waiters} counts
 *     the threads, of all processes, between announcing a sleep on {@code seq} and leaving it.
 *     A release wakes every sleeper when {@code waiters} is not 0 (see {@link SyncLayout} for
 *     why none is lost); all, not one, because a sleeper may leave without taking the lock (a
 *     timeout, an interrupt) and must not swallow the wake-up of another.</li>
 * <li>A waiter looks at the owner's liveness when the owner has stayed the same for
 *     {@link Sleepers#MAX_SLEEP_NANOS} (a sleep that ended without a change), so a dead owner is
 *     replaced within that time; a live one is never replaced (a pid reused by another process
 *     has another start time).</li>
 * </ul>
 * The owner is a process, not a thread: which thread of the owning process may release is the
 * caller's rule ({@link Mutex} keeps it in the handle).
 */
final class RobustLock {
    /** How a take ended. */
    enum Taken {
        /** Taken from a free lock. */
        FREE,
        /** Taken from a process that died holding it: what it guarded may be half-changed. */
        OWNER_DIED,
        /** Not taken: the time ran out. */
        TIMED_OUT
    }

    private final SyncFile file;

    RobustLock(SyncFile file) {
        this.file = file;
    }

    /** @return {@link Taken#FREE} or {@link Taken#OWNER_DIED} if taken now, {@code null} if the lock is held by a live process */
    Taken tryLock() {
        for (;;) {
            long owner = file.getLong(LOCK_OWNER_OFFSET);
            if (owner == 0) {
                if (file.casLong(LOCK_OWNER_OFFSET, 0, Identity.SELF)) {
                    return Taken.FREE;
                }
            } else if (Identity.alive(owner)) {
                return null;
            } else if (file.casLong(LOCK_OWNER_OFFSET, owner, Identity.SELF)) {
                file.addInt(LOCK_SEQ_OFFSET, 1);
                return Taken.OWNER_DIED;
            }
        }
    }

    /**
     * Takes the lock, waiting at most {@code timeoutNanos} ({@code Long.MAX_VALUE}: for ever).
     *
     * @return how it was taken, or {@link Taken#TIMED_OUT}
     * @throws InterruptedException if interrupted while waiting (nothing taken)
     */
    Taken lock(long timeoutNanos) throws InterruptedException {
        if (file.casLong(LOCK_OWNER_OFFSET, 0, Identity.SELF)) {
            return Taken.FREE; // the uncontended path: one compare-and-set
        }
        long start = System.nanoTime();
        long seen = 0; // the owner last seen, and since when
        long seenSince = start;
        for (int spin = 0; ; spin++) {
            long owner = file.getLong(LOCK_OWNER_OFFSET);
            if (owner == 0) {
                if (file.casLong(LOCK_OWNER_OFFSET, 0, Identity.SELF)) {
                    return Taken.FREE;
                }
                continue;
            }
            long now = System.nanoTime();
            if (owner != seen) {
                seen = owner;
                seenSince = now;
            } else if (now - seenSince >= Sleepers.MAX_SLEEP_NANOS) {
                if (!Identity.alive(owner)) {
                    if (file.casLong(LOCK_OWNER_OFFSET, owner, Identity.SELF)) {
                        file.addInt(LOCK_SEQ_OFFSET, 1);
                        return Taken.OWNER_DIED;
                    }
                    continue;
                }
                seenSince = now; // alive: look again after another while
            }
            long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (now - start);
            if (remaining <= 0) {
                return Taken.TIMED_OUT;
            }
            if (spin < 64) { // a short critical section (a semaphore's guard) ends within a spin
                Thread.onSpinWait();
                continue;
            }
            file.addInt(LOCK_WAITERS_OFFSET, 1);
            try {
                int seq = file.getInt(LOCK_SEQ_OFFSET);
                if (file.getLong(LOCK_OWNER_OFFSET) == owner) {
                    file.await(LOCK_SEQ_OFFSET, seq, Math.min(remaining, Sleepers.MAX_SLEEP_NANOS - (now - seenSince)));
                }
            } finally {
                file.addInt(LOCK_WAITERS_OFFSET, -1);
            }
        }
    }

    /** Releases the lock; the caller must hold it (this process owns it). */
    void unlock() {
        if (!file.casLong(LOCK_OWNER_OFFSET, Identity.SELF, 0)) {
            throw new IllegalMonitorStateException(SyncFile.describe(file.name) + ": not held by this process");
        }
        file.addInt(LOCK_SEQ_OFFSET, 1);
        if (file.getInt(LOCK_WAITERS_OFFSET) != 0) {
            file.wakeAll(LOCK_SEQ_OFFSET);
        }
    }

    /** @return the owning process's identity, 0 if free */
    long owner() {
        return file.getLong(LOCK_OWNER_OFFSET);
    }
}
