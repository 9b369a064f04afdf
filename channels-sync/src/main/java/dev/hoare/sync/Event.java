package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.STATE_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_SEQ_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_WAITERS_OFFSET;

import java.io.IOException;
import java.time.Duration;

/**
 * A manual-reset event shared by the processes of one user on one host, named as {@code shm:}
 * channels are: {@link #set} wakes every thread of every process waiting in {@link #await}, and
 * the event stays set (later awaits return at once) until {@link #clear}.
 *
 * <pre>{@code
 * try (Event ready = new Event("cache-warm")) {
 *     ready.await();   // in each worker process
 * }
 * // in the process that warms the cache: new Event("cache-warm").set();
 * }</pre>
 *
 * <p>A set followed at once by a clear still releases everyone waiting at the time of the set:
 * each {@code set} increments a sequence, and a waiter returns when the event is set or the
 * sequence has moved since it began to wait. Nothing is owned, so nothing needs repair when a
 * process dies. Waiting sleeps on a futex word of the shared mapping, at most {@code 100 ms} at
 * a time (to notice an interrupt), from platform and virtual threads (a virtual thread's sleep
 * is made by a platform stand-in). Thread-safe.
 */
public final class Event implements AutoCloseable {
    private final SyncFile file;

    /**
     * Opens the event, making it (clear) if it does not exist.
     *
     * @param name a logical name ({@code [A-Za-z0-9._-]}, 1-100 characters, starting with a
     *     letter or digit), a file of the per-user {@code shm:} directory; or an absolute path
     * @throws IllegalArgumentException for an invalid name
     * @throws IOException if the file cannot be made or opened, is another user's, or is not an event
     */
    public Event(String name) throws IOException {
        this.file = SyncFile.open(name, SyncLayout.Kind.EVENT, 0, SyncLayout.SMALL_SIZE, b -> { });
    }

    /** Sets the event, waking every waiter of every process. */
    public void set() {
        checkOpen();
        file.setInt(STATE_OFFSET, 1);
        file.addInt(STATE_SEQ_OFFSET, 1);
        if (file.getInt(STATE_WAITERS_OFFSET) != 0) {
            file.wakeAll(STATE_SEQ_OFFSET);
        }
    }

    /** Clears the event: awaits wait again (those released by an earlier set stay released). */
    public void clear() {
        checkOpen();
        file.setInt(STATE_OFFSET, 0);
    }

    /** @return whether the event is set */
    public boolean isSet() {
        checkOpen();
        return file.getInt(STATE_OFFSET) != 0;
    }

    /**
     * Waits until the event is set (returns at once if it is).
     *
     * @throws InterruptedException if interrupted while waiting (noticed within 100 ms)
     * @throws IllegalStateException if the handle is closed
     */
    public void await() throws InterruptedException {
        await(Long.MAX_VALUE);
    }

    /**
     * Waits at most {@code timeout} until the event is set.
     *
     * @param timeout how long to wait; zero or negative: only look
     * @return whether it was set (now, or by a set since the wait began)
     * @throws InterruptedException if interrupted while waiting
     * @throws IllegalStateException if the handle is closed
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return await(Math.max(0, Semaphore.saturatedNanos(timeout)));
    }

    private boolean await(long timeoutNanos) throws InterruptedException {
        checkOpen();
        int began = file.getInt(STATE_SEQ_OFFSET);
        long start = System.nanoTime();
        for (;;) {
            if (file.getInt(STATE_OFFSET) != 0 || file.getInt(STATE_SEQ_OFFSET) != began) {
                return true;
            }
            long remaining = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : timeoutNanos - (System.nanoTime() - start);
            if (remaining <= 0) {
                return false;
            }
            file.addInt(STATE_WAITERS_OFFSET, 1);
            try {
                if (file.getInt(STATE_OFFSET) == 0) {
                    file.await(STATE_SEQ_OFFSET, began, remaining);
                }
            } finally {
                file.addInt(STATE_WAITERS_OFFSET, -1);
            }
        }
    }

    /**
     * This event's await as a receive channel, for a {@link dev.hoare.channels.Select}: a receive
     * yields {@code true} once the event is set (at once while it stays set). Closing the view
     * stops it; closing the event closes it.
     *
     * @return a view whose receives await the event
     */
    public dev.hoare.channels.ReceiveChannel<Boolean> awaiting() {
        checkOpen();
        return new SelectableWait<>(new SelectableWait.Op<>() {
            @Override
            public Boolean tryNow() {
                return looksReady() ? Boolean.TRUE : null;
            }

            @Override
            public boolean looksReady() {
                return !file.isClosed() && file.getInt(STATE_OFFSET) != 0;
            }

            @Override
            public Boolean await(long nanos) throws InterruptedException {
                return Event.this.await(nanos) ? Boolean.TRUE : null;
            }

            @Override
            public boolean isClosed() {
                return file.isClosed();
            }
        }, file, STATE_SEQ_OFFSET, STATE_WAITERS_OFFSET, "the awaiting view of " + SyncFile.describe(file.name));
    }

    /** @return how many threads, of all processes, are asleep waiting for the event now (for tests) */
    int waiting() {
        return file.getInt(STATE_WAITERS_OFFSET);
    }

    /** @return the name or path this event was opened by */
    public String name() {
        return file.name;
    }

    /** Unmaps the file (which stays for the others, with its state); idempotent. */
    @Override
    public void close() {
        file.close();
    }

    /**
     * Removes an event's file (processes that have it open keep using theirs; new opens make a new one).
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
        return "Event[" + SyncFile.describe(file.name) + (file.isClosed() ? ", closed]" : isSet() ? ", set]" : ", clear]");
    }

    private void checkOpen() {
        if (file.isClosed()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + " is closed");
        }
    }
}
