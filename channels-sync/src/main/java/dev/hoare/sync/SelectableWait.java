package dev.hoare.sync;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.internal.SelectEnd;
import dev.hoare.channels.internal.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A primitive's wait as a receive channel, so that a {@link dev.hoare.channels.Select} can wait
 * for a permit, a lock or an event beside channels: each receive performs the operation once and
 * yields its result ({@link Semaphore#acquiring()}, {@link Mutex#locking()}, {@link Event#awaiting()}).
 *
 * <p>How it is a select case ({@link SelectEnd.Receive}): <em>try now</em> is the primitive's
 * non-blocking attempt, made on the selecting thread; <em>register</em> queues the case waiter
 * and reports whether the primitive looks ready; a platform thread of this end
 * ({@code hoare-sync-select}, running only while waiters are queued) sleeps on the primitive's
 * futex word from the sequence read at the first registration, and when it moves (a release, a
 * set), or after at most 100 ms (a holder may have died), completes every queued waiter with
 * {@link Waiter#RETRY}: each select then tries again from the start. Nothing is taken for a
 * select that does not win, so no permit or lock is ever held for a case that was not chosen.
 *
 * <p>Invariants: {@link #queue} and {@link #sleeper} are guarded by {@link #lock}; a sleeper runs
 * while the queue is not empty (it ends, under the lock, when it finds it empty); the sequence it
 * sleeps from was read before the looks of the registrations it serves, so a change after such a
 * look moves the word and ends the sleep at once (no lost wake-up).
 */
final class SelectableWait<T> implements ReceiveChannel<T>, SelectEnd.Receive {
    /** The primitive's side. */
    interface Op<T> {
        /** @return the result if performed now, {@code null} if not (never blocks long) */
        T tryNow();

        /** @return whether {@link #tryNow} would probably succeed now */
        boolean looksReady();

        /** @return the result, waiting at most {@code nanos} ({@code Long.MAX_VALUE}: for ever); {@code null} on timeout */
        T await(long nanos) throws InterruptedException;

        /** @return whether the primitive's handle is closed */
        boolean isClosed();
    }

    private final Op<T> op;
    private final SyncFile file;
    private final int seqOffset;
    private final int waitersOffset;
    private final String description;
    /** Guards {@link #queue}, {@link #sleeper}, {@link #sleepFrom} and {@link #cancelled}. */
    private final ReentrantLock lock = new ReentrantLock();
    private final List<Waiter> queue = new ArrayList<>();
    private Thread sleeper;
    private int sleepFrom;
    private volatile boolean cancelled;

    SelectableWait(Op<T> op, SyncFile file, int seqOffset, int waitersOffset, String description) {
        this.op = op;
        this.file = file;
        this.seqOffset = seqOffset;
        this.waitersOffset = waitersOffset;
        this.description = description;
    }

    // --- ReceiveChannel: each receive performs the operation once ---

    @Override
    public T receive() throws InterruptedException {
        checkOpen();
        return op.await(Long.MAX_VALUE);
    }

    @Override
    public Optional<T> receive(Duration timeout) throws InterruptedException {
        checkOpen();
        return Optional.ofNullable(op.await(Math.max(0, Semaphore.saturatedNanos(timeout))));
    }

    @Override
    public Optional<T> tryReceive() {
        return closed() ? Optional.empty() : Optional.ofNullable(op.tryNow());
    }

    @Override
    public Received<T> receiveResult() throws InterruptedException {
        if (closed()) {
            return Received.closed(null);
        }
        return Received.of(op.await(Long.MAX_VALUE));
    }

    /** Stops this view (the primitive stays open); selects waiting on it see it closed. */
    @Override
    public void close() {
        cancel(null);
    }

    @Override
    public void cancel(Throwable cause) {
        cancelled = true;
        retryAll();
    }

    @Override
    public boolean isClosedForReceive() {
        return closed();
    }

    @Override
    public boolean isEmpty() {
        return closed() || !op.looksReady();
    }

    private boolean closed() {
        return cancelled || op.isClosed();
    }

    private void checkOpen() {
        if (closed()) {
            throw new ChannelClosedException(description + " is closed", null);
        }
    }

    // --- SelectEnd.Receive ---

    @Override
    public Throwable closeCause() {
        return null;
    }

    @Override
    public Object selectTryReceive() {
        if (closed()) {
            return SelectEnd.CLOSED;
        }
        T result = op.tryNow();
        return result == null ? SelectEnd.EMPTY : result;
    }

    @Override
    public boolean selectRegisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            if (queue.isEmpty()) {
                sleepFrom = file.getInt(seqOffset); // before the look below
            }
            queue.add(caseWaiter);
            if (sleeper == null) {
                sleeper = Thread.ofPlatform().daemon().name("hoare-sync-select").start(this::sleep);
            }
        } finally {
            lock.unlock();
        }
        return closed() || op.looksReady();
    }

    @Override
    public void selectUnregisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            queue.remove(caseWaiter);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectPassOnRetryReceive() {
        retryAll(); // a retry is a hint for all: another select looks again too
    }

    /** The sleeper: waits for the word to move (or 100 ms), then sends every queued select to look again. */
    private void sleep() {
        while (true) {
            int from;
            lock.lock();
            try {
                if (queue.isEmpty()) {
                    sleeper = null;
                    return;
                }
                from = sleepFrom;
            } finally {
                lock.unlock();
            }
            try {
                file.addInt(waitersOffset, 1);
                try {
                    if (file.getInt(seqOffset) == from && !closed()) {
                        file.await(seqOffset, from, Sleepers.MAX_SLEEP_NANOS);
                    }
                } finally {
                    file.addInt(waitersOffset, -1);
                }
            } catch (InterruptedException | IllegalStateException closedOrStopped) {
                // the primitive closed: the selects are told below and see it closed
            }
            lock.lock();
            try {
                sleepFrom = file.isClosed() ? sleepFrom : file.getInt(seqOffset);
            } finally {
                lock.unlock();
            }
            retryAll();
        }
    }

    /** Completes every queued case waiter with RETRY, and wakes their selects after unlocking. */
    private void retryAll() {
        List<Waiter> woken = new ArrayList<>();
        lock.lock();
        try {
            for (Waiter w : queue) {
                if (w.tryComplete(Waiter.RETRY)) {
                    woken.add(w);
                }
            }
            queue.clear();
        } finally {
            lock.unlock();
        }
        for (Waiter w : woken) {
            w.unpark();
        }
    }

    @Override
    public String toString() {
        return "SelectableWait[" + description + "]";
    }
}
