package dev.hoare.sync;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A mutual-exclusion lock shared by the processes of one user on one host, named as
 * {@code shm:} channels are, and robust: when its owner's process dies holding it, the next
 * locker takes it and is told so, as a POSIX robust mutex reports {@code EOWNERDEAD}, so that it
 * can repair what the dead owner may have left half-changed.
 *
 * <pre>{@code
 * try (Mutex ledger = new Mutex("ledger")) {
 *     if (ledger.lock()) {
 *         repairLedger(); // the previous owner died holding the lock
 *     }
 *     try {
 *         appendToLedger();
 *     } finally {
 *         ledger.unlock();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Ownership.</b> The shared file records the owning process (pid and start time); the
 * handle records the owning thread, which alone may {@link #unlock}. Not reentrant: a thread
 * that locks a mutex it holds gets {@link IllegalStateException} rather than a deadlock. Two
 * handles of one mutex in one process exclude each other as two processes do.
 *
 * <p><b>A dead owner.</b> A waiter looks at the owner's process when the owner has not changed
 * for {@code 100 ms}, and a {@link #tryLock} looks at once; a dead owner's lock is taken, and
 * {@link #lock}, {@link #tryLock} and {@link #previousOwnerDied} say so. A thread that ends
 * without unlocking, in a process that lives on, keeps the lock held (as with POSIX). Closing a
 * handle releases the lock if a thread of this handle holds it.
 *
 * <p><b>Waiting</b> sleeps on a futex word of the shared mapping, at most {@code 100 ms} at a
 * time, from platform and virtual threads (a virtual thread's sleep is made by a platform
 * stand-in). Not fair. Thread-safe.
 */
public final class Mutex implements AutoCloseable {
    private final SyncFile file;
    private final RobustLock lock;
    /** Makes {@link #close} once; {@link #owner} and {@link #ownerDied} change only while the shared lock is held. */
    private final ReentrantLock local = new ReentrantLock();
    /** The thread of this handle holding the mutex, or {@code null}. */
    private volatile Thread owner;
    private volatile boolean ownerDied;

    /**
     * Opens the mutex, making it (unlocked) if it does not exist.
     *
     * @param name a logical name ({@code [A-Za-z0-9._-]}, 1-100 characters, starting with a
     *     letter or digit), a file of the per-user {@code shm:} directory; or an absolute path
     * @throws IllegalArgumentException for an invalid name
     * @throws IOException if the file cannot be made or opened, is another user's, or is not a mutex
     */
    public Mutex(String name) throws IOException {
        this.file = SyncFile.open(name, SyncLayout.Kind.MUTEX, 0, SyncLayout.SMALL_SIZE, b -> { });
        this.lock = new RobustLock(file);
    }

    /**
     * Locks, waiting as long as it takes.
     *
     * @return whether the previous owner's process died holding the lock (what it guarded may
     *     need repair); also {@link #previousOwnerDied} until the unlock
     * @throws InterruptedException if interrupted while waiting (not locked; noticed within 100 ms)
     * @throws IllegalStateException if this thread holds it already, or the handle is closed
     */
    public boolean lock() throws InterruptedException {
        before();
        return taken(lock.lock(Long.MAX_VALUE));
    }

    /**
     * Locks, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; zero or negative: do not wait
     * @return whether it was locked (then {@link #previousOwnerDied} says how)
     * @throws InterruptedException if interrupted while waiting (not locked)
     * @throws IllegalStateException if this thread holds it already, or the handle is closed
     */
    public boolean lock(Duration timeout) throws InterruptedException {
        before();
        RobustLock.Taken taken = lock.lock(Math.max(0, Semaphore.saturatedNanos(timeout)));
        if (taken == RobustLock.Taken.TIMED_OUT) {
            return false;
        }
        taken(taken);
        return true;
    }

    /**
     * Locks if nobody alive holds it (a dead owner's lock is taken).
     *
     * @return whether it was locked (then {@link #previousOwnerDied} says how)
     * @throws IllegalStateException if this thread holds it already, or the handle is closed
     */
    public boolean tryLock() {
        before();
        RobustLock.Taken taken = lock.tryLock();
        if (taken == null) {
            return false;
        }
        taken(taken);
        return true;
    }

    private void before() {
        checkOpen();
        if (owner == Thread.currentThread()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + ": this thread holds it already (not reentrant)");
        }
    }

    private boolean taken(RobustLock.Taken taken) {
        owner = Thread.currentThread();
        ownerDied = taken == RobustLock.Taken.OWNER_DIED;
        return ownerDied;
    }

    /**
     * This mutex's lock as a receive channel, for a {@link dev.hoare.channels.Select}: each value
     * received means the receiving thread now holds the mutex through this handle; the value is
     * {@link #previousOwnerDied}. A select that does not choose it takes nothing. Closing the
     * view stops it; closing the mutex closes it.
     *
     * @return a view whose receives lock
     */
    public dev.hoare.channels.ReceiveChannel<Boolean> locking() {
        checkOpen();
        return new SelectableWait<>(new SelectableWait.Op<>() {
            @Override
            public Boolean tryNow() {
                return tryLock() ? previousOwnerDied() : null;
            }

            @Override
            public boolean looksReady() {
                return !file.isClosed() && lock.owner() == 0;
            }

            @Override
            public Boolean await(long nanos) throws InterruptedException {
                return nanos == Long.MAX_VALUE ? (Boolean) lock() : lock(Duration.ofNanos(nanos)) ? previousOwnerDied() : null;
            }

            @Override
            public boolean isClosed() {
                return file.isClosed();
            }
        }, file, SyncLayout.LOCK_SEQ_OFFSET, SyncLayout.LOCK_WAITERS_OFFSET, "the locking view of " + SyncFile.describe(file.name));
    }

    /**
     * Unlocks.
     *
     * @throws IllegalMonitorStateException if this thread does not hold it through this handle
     */
    public void unlock() {
        if (owner != Thread.currentThread()) {
            throw new IllegalMonitorStateException(SyncFile.describe(file.name) + ": not held by this thread through this handle");
        }
        owner = null;
        ownerDied = false;
        lock.unlock();
    }

    /**
     * @return whether the current holding through this handle took the lock from a process that
     *     died holding it; {@code false} when not held through this handle
     */
    public boolean previousOwnerDied() {
        return owner != null && ownerDied;
    }

    /** @return whether some process holds it now (a dead owner counts until someone takes it over) */
    public boolean isLocked() {
        checkOpen();
        return lock.owner() != 0;
    }

    /** @return whether the current thread holds it through this handle */
    public boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread();
    }

    /** @return the pid of the process holding it, or 0 if free (a dead owner's until taken over) */
    public long ownerPid() {
        checkOpen();
        long o = lock.owner();
        return o == 0 ? 0 : Identity.pid(o);
    }

    /** @return the name or path this mutex was opened by */
    public String name() {
        return file.name;
    }

    /** Unlocks if a thread of this handle holds it, and unmaps the file (which stays for the others); idempotent. */
    @Override
    public void close() {
        local.lock();
        try {
            if (file.isClosed()) {
                return;
            }
            if (owner != null) {
                owner = null;
                lock.unlock();
            }
            file.close();
        } finally {
            local.unlock();
        }
    }

    /**
     * Removes a mutex's file (processes that have it open keep using theirs; new opens make a new one).
     *
     * @param name its name or path
     * @return whether there was one
     * @throws IOException if it cannot be removed
     */
    public static boolean removeFile(String name) throws IOException {
        return dev.hoare.channels.shm.Shms.remove(name);
    }

    @Override
    public String toString() {
        return "Mutex[" + SyncFile.describe(file.name) + (file.isClosed() ? ", closed]" : ", owner pid " + ownerPid() + "]");
    }

    private void checkOpen() {
        if (file.isClosed()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + " is closed");
        }
    }
}
