package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.HOLDERS;
import static dev.hoare.sync.SyncLayout.HOLDERS_OFFSET;
import static dev.hoare.sync.SyncLayout.HOLDER_COUNT;
import static dev.hoare.sync.SyncLayout.HOLDER_IDENTITY;
import static dev.hoare.sync.SyncLayout.HOLDER_SIZE;
import static dev.hoare.sync.SyncLayout.STATE_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_SEQ_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_WAITERS_OFFSET;

import java.io.IOException;
import java.time.Duration;

/**
 * A counting semaphore shared by the processes of one user on one host, named as {@code shm:}
 * channels are: every process that opens {@code new Semaphore("db-connections", 4)} shares the
 * same four permits.
 *
 * <pre>{@code
 * try (Semaphore connections = new Semaphore("db-connections", 4)) {
 *     connections.acquire();
 *     try {
 *         useTheDatabase();
 *     } finally {
 *         connections.release();
 *     }
 * }
 * }</pre>
 *
 * <p><b>Holders.</b> Each handle records, in the shared file, its process (pid and start time)
 * and how many permits it holds. Permits belong to the handle, not to a thread: any thread may
 * release what another thread of the same handle acquired, but a handle cannot release more
 * than it holds ({@link IllegalStateException}), since the count is what comes back when its
 * process dies. {@link #close} gives back what the handle still holds.
 *
 * <p><b>A dead holder's permits come back.</b> When an acquirer finds no permit free, and again
 * each time it has waited {@code 100 ms} without one, it looks at the recorded holders and
 * returns the permits of those whose process is gone (a pid reused by another process is not
 * taken for the holder: its start time differs). A killed worker therefore never shrinks the
 * pool for good; waiters get its permits within {@code 100 ms} of its death, or at once if they
 * arrive after it.
 *
 * <p><b>Waiting</b> sleeps on a futex word of the shared mapping (see {@link dev.hoare.sync}),
 * from platform and virtual threads (a virtual thread's sleep is made by a platform stand-in, so
 * its carrier is free); a sleep lasts at most {@code 100 ms}, after which the waiter looks for
 * dead holders and for an interrupt. Not fair: a newcomer may take a permit before a sleeper
 * wakes.
 *
 * <p>The permit count is fixed when the file is made; opening an existing semaphore with
 * another count throws {@link IllegalArgumentException}. At most 256 handles, all processes
 * together, may have one semaphore open. Thread-safe.
 */
public final class Semaphore implements AutoCloseable {
    private final SyncFile file;
    /** Guards the counts: {@code available} and every holder's count change together under it. */
    private final RobustLock guard;
    private final int permits;
    /** This handle's slot among the holders. */
    private final int slot;
    /** Makes {@link #close} run once when threads of this handle race to close it. */
    private final java.util.concurrent.locks.ReentrantLock closing = new java.util.concurrent.locks.ReentrantLock();

    /**
     * Opens the semaphore, making it with {@code permits} permits if it does not exist.
     *
     * @param name a logical name ({@code [A-Za-z0-9._-]}, 1-100 characters, starting with a
     *     letter or digit), a file of the per-user {@code shm:} directory; or an absolute path
     * @param permits how many permits it has ({@code >= 1}); an existing one must have as many
     * @throws IllegalArgumentException for an invalid name or count, or an existing semaphore
     *     with another count
     * @throws IOException if the file cannot be made or opened, is another user's, or is not a
     *     semaphore, or 256 handles have it open
     */
    public Semaphore(String name, int permits) throws IOException {
        if (permits < 1) {
            throw new IllegalArgumentException("permits must be >= 1, was " + permits);
        }
        this.permits = permits;
        this.file = SyncFile.open(name, SyncLayout.Kind.SEMAPHORE, permits, SyncLayout.SEMAPHORE_SIZE,
                b -> b.putInt(STATE_OFFSET, permits));
        this.guard = new RobustLock(file);
        try {
            this.slot = claimSlot();
        } catch (InterruptedException e) {
            file.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while opening " + SyncFile.describe(name), e);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** @return how many permits the semaphore has in all */
    public int permits() {
        return permits;
    }

    /**
     * Takes a permit, waiting as long as it takes.
     *
     * @throws InterruptedException if interrupted while waiting (no permit taken; noticed within 100 ms)
     * @throws IllegalStateException if this handle is closed
     */
    public void acquire() throws InterruptedException {
        acquire(Long.MAX_VALUE);
    }

    /**
     * Takes a permit, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; zero or negative: do not wait (but still reclaim dead holders' permits)
     * @return whether a permit was taken
     * @throws InterruptedException if interrupted while waiting (no permit taken)
     * @throws IllegalStateException if this handle is closed
     */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return acquire(Math.max(0, saturatedNanos(timeout)));
    }

    /**
     * Takes a permit if one is free now, after returning the permits of dead holders.
     *
     * @return whether a permit was taken
     * @throws IllegalStateException if this handle is closed
     */
    public boolean tryAcquire() {
        try {
            return acquire(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // only a guard wait can throw it, and that is not a permit wait
            return false;
        }
    }

    private boolean acquire(long timeoutNanos) throws InterruptedException {
        checkOpen();
        long start = System.nanoTime();
        boolean reclaimDue = true;
        for (int spin = 0; ; spin++) {
            int seq = file.getInt(STATE_SEQ_OFFSET); // before the look: a release after it moves seq
            if (file.getInt(STATE_OFFSET) > 0 && take()) {
                return true;
            }
            if (reclaimDue) {
                reclaimDue = false;
                if (reclaimDead() > 0) {
                    continue;
                }
            }
            long waited = System.nanoTime() - start;
            if (waited >= timeoutNanos) {
                return false;
            }
            if (spin < 64) { // a holder about to release (a short critical section) is faster to wait out than a sleep
                Thread.onSpinWait();
                continue;
            }
            long sleep = Math.min(timeoutNanos - waited, Sleepers.MAX_SLEEP_NANOS);
            file.addInt(STATE_WAITERS_OFFSET, 1);
            long before = System.nanoTime();
            try {
                if (file.getInt(STATE_OFFSET) == 0 && file.getInt(STATE_SEQ_OFFSET) == seq) {
                    file.await(STATE_SEQ_OFFSET, seq, sleep);
                }
            } finally {
                file.addInt(STATE_WAITERS_OFFSET, -1);
            }
            if (file.getInt(STATE_SEQ_OFFSET) == seq && System.nanoTime() - before >= Sleepers.MAX_SLEEP_NANOS) {
                reclaimDue = true; // a whole sleep without a release: perhaps a holder died
            }
        }
    }

    /** Takes a permit under the guard if one is free. */
    private boolean take() throws InterruptedException {
        lockGuard();
        try {
            int available = file.getInt(STATE_OFFSET);
            if (available <= 0) {
                return false;
            }
            // the holder's count first: a death between the two stores is repaired from the counts
            file.addInt(holder(slot) + HOLDER_COUNT, 1);
            file.setInt(STATE_OFFSET, available - 1);
            return true;
        } finally {
            guard.unlock();
        }
    }

    /**
     * Gives back a permit this handle holds, waking the waiters.
     *
     * @throws IllegalStateException if this handle holds none, or is closed
     */
    public void release() {
        checkOpen();
        boolean interrupted = Thread.interrupted(); // the guard's wait is short: finish the release, keep the interrupt
        try {
            while (true) {
                try {
                    lockGuard();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            try {
                int held = file.getInt(holder(slot) + HOLDER_COUNT);
                if (held <= 0) {
                    throw new IllegalStateException(SyncFile.describe(file.name) + ": this handle holds no permit to release");
                }
                file.setInt(STATE_OFFSET, file.getInt(STATE_OFFSET) + 1);
                file.setInt(holder(slot) + HOLDER_COUNT, held - 1);
            } finally {
                guard.unlock();
            }
            signal();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * This semaphore's acquire as a receive channel, for a {@link dev.hoare.channels.Select}
     * ("a permit or a message, whichever comes first"): each value received is a permit taken
     * by this handle (the value is this semaphore, to {@link #release} it). A select that does
     * not choose it takes nothing. Closing the view stops it; closing the semaphore closes it.
     *
     * <pre>{@code
     * ReceiveChannel<Semaphore> permits = pool.acquiring();
     * String what = Select.<String>select()
     *     .onReceive(permits, s -> "permit")
     *     .onReceive(cancel, c -> "cancelled")
     *     .run();
     * }</pre>
     *
     * @return a view whose receives acquire
     */
    public dev.hoare.channels.ReceiveChannel<Semaphore> acquiring() {
        checkOpen();
        Semaphore self = this;
        return new SelectableWait<>(new SelectableWait.Op<>() {
            @Override
            public Semaphore tryNow() {
                return tryAcquire() ? self : null;
            }

            @Override
            public boolean looksReady() {
                return !file.isClosed() && file.getInt(STATE_OFFSET) > 0;
            }

            @Override
            public Semaphore await(long nanos) throws InterruptedException {
                return acquire(nanos) ? self : null;
            }

            @Override
            public boolean isClosed() {
                return file.isClosed();
            }
        }, file, STATE_SEQ_OFFSET, STATE_WAITERS_OFFSET, "the acquiring view of " + SyncFile.describe(file.name));
    }

    /** @return the permits free now (dead holders' permits count once they are reclaimed) */
    public int available() {
        checkOpen();
        return file.getInt(STATE_OFFSET);
    }

    /** @return the permits this handle holds */
    public int held() {
        checkOpen();
        return file.getInt(holder(slot) + HOLDER_COUNT);
    }

    /** @return the name or path this semaphore was opened by */
    public String name() {
        return file.name;
    }

    /** Gives back the permits this handle holds and unmaps the file (which stays for the others); idempotent. */
    @Override
    public void close() {
        closing.lock();
        try {
            if (!file.isClosed()) {
                giveBackAndUnmap();
            }
        } finally {
            closing.unlock();
        }
    }

    private void giveBackAndUnmap() {
        boolean interrupted = Thread.interrupted();
        try {
            while (true) {
                try {
                    lockGuard();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            int held;
            try {
                held = file.getInt(holder(slot) + HOLDER_COUNT);
                file.setInt(STATE_OFFSET, file.getInt(STATE_OFFSET) + held);
                file.setInt(holder(slot) + HOLDER_COUNT, 0);
                file.setLong(holder(slot) + HOLDER_IDENTITY, 0);
            } finally {
                guard.unlock();
            }
            if (held > 0) {
                signal();
            }
        } finally {
            file.close();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Removes a semaphore's file (processes that have it open keep using theirs; new opens make
     * a new one).
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
        return "Semaphore[" + SyncFile.describe(file.name) + ", " + permits + " permits"
                + (file.isClosed() ? ", closed]" : ", " + file.getInt(STATE_OFFSET) + " free]");
    }

    // --- under the guard ---

    /** Takes the guard; if its owner died inside, repairs the counts first. */
    private void lockGuard() throws InterruptedException {
        if (guard.lock(Long.MAX_VALUE) == RobustLock.Taken.OWNER_DIED) {
            repair();
        }
    }

    /**
     * Clears dead holders and sets {@code available} from the holders' counts: what a process that
     * died inside the guard may have left half-changed. Must be called with the guard held.
     */
    private void repair() {
        clearDead();
        int held = 0;
        for (int i = 0; i < HOLDERS; i++) {
            held += file.getInt(holder(i) + HOLDER_COUNT);
        }
        file.setInt(STATE_OFFSET, permits - held);
        file.addInt(STATE_SEQ_OFFSET, 1);
    }

    /** @return the permits of dead holders, given back; must be called with the guard held */
    private int clearDead() {
        int freed = 0;
        for (int i = 0; i < HOLDERS; i++) {
            long identity = file.getLong(holder(i) + HOLDER_IDENTITY);
            if (identity != 0 && !Identity.alive(identity)) {
                int count = file.getInt(holder(i) + HOLDER_COUNT);
                freed += count;
                file.setInt(holder(i) + HOLDER_COUNT, 0);
                file.setLong(holder(i) + HOLDER_IDENTITY, 0);
            }
        }
        return freed;
    }

    /** Gives back dead holders' permits; @return how many */
    private int reclaimDead() throws InterruptedException {
        int freed;
        lockGuard();
        try {
            freed = clearDead();
            if (freed > 0) {
                file.setInt(STATE_OFFSET, file.getInt(STATE_OFFSET) + freed);
            }
        } finally {
            guard.unlock();
        }
        if (freed > 0) {
            signal();
        }
        return freed;
    }

    private int claimSlot() throws IOException, InterruptedException {
        int freed = 0;
        lockGuard();
        try {
            freed = clearDead();
            if (freed > 0) {
                file.setInt(STATE_OFFSET, file.getInt(STATE_OFFSET) + freed);
            }
            for (int i = 0; i < HOLDERS; i++) {
                if (file.getLong(holder(i) + HOLDER_IDENTITY) == 0) {
                    file.setInt(holder(i) + HOLDER_COUNT, 0);
                    file.setLong(holder(i) + HOLDER_IDENTITY, Identity.SELF);
                    return i;
                }
            }
        } finally {
            guard.unlock();
            if (freed > 0) {
                signal();
            }
        }
        throw new IOException(SyncFile.describe(file.name) + ": " + HOLDERS + " handles have it open; no slot left");
    }

    /** Tells the waiters that permits were given back. */
    private void signal() {
        file.addInt(STATE_SEQ_OFFSET, 1);
        if (file.getInt(STATE_WAITERS_OFFSET) != 0) {
            file.wakeAll(STATE_SEQ_OFFSET);
        }
    }

    private static int holder(int i) {
        return HOLDERS_OFFSET + i * HOLDER_SIZE;
    }

    private void checkOpen() {
        if (file.isClosed()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + " is closed");
        }
    }

    static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
