package dev.hoare.channels;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Consumer;

/**
 * The in-process channel: one lock, a buffer and two queues of waiting threads, as Go's
 * {@code runtime/chan.go}.
 *
 * <p>Invariants, true whenever {@link #lock} is free:
 * <ol>
 *   <li>At least one of {@link #senders} and {@link #receivers} is empty.</li>
 *   <li>{@code receivers} non-empty implies the buffer is empty (a receiver waits only for want of a value).</li>
 *   <li>{@code senders} non-empty implies the buffer is full (a sender waits only for want of room);
 *       only {@link Overflow#SUSPEND} channels ever queue senders.</li>
 *   <li>{@code closed} implies {@code receivers} is empty whenever the buffer and {@code senders} are
 *       empty: the close wakes every waiting receiver, and none waits on a closed, drained channel.</li>
 *   <li>{@code cancelled} implies {@code closed}, an empty buffer and both queues empty.</li>
 *   <li>Values leave in the order they entered: the buffer first, then the values of waiting
 *       senders in queue order (a receive that takes from a full buffer moves the oldest waiting
 *       sender's value to the buffer's tail).</li>
 * </ol>
 * Waiters are completed under the lock and unparked after it is released.
 */
final class LockChannel<E> extends AbstractChannel<E> {
    /** Guarded by {@link #lock}, as are the queues, the close cause and {@link #cancelled}. */
    private final ArrayDeque<Object> buffer;
    /** Written under the lock; read without it by {@link #isClosedForSend()}. */
    private volatile boolean closed;
    private boolean cancelled;

    LockChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered) {
        super(capacity, overflow, onUndelivered);
        this.buffer = new ArrayDeque<>(Math.min(Math.max(capacity, 1), 1024));
    }

    // ---------------------------------------------------------------- send

    /**
     * One send. Phase 1 under the lock: hand the value to a waiting receiver, else buffer it, else
     * apply the overflow policy, else (blocking) enqueue a waiter. Phase 2 without the lock: wake
     * whoever phase 1 completed, run the undelivered hook, or wait.
     */
    @Override
    boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        Waiter self;
        Object dropped = null;
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(closeCause);
            }
            Waiter receiver = receivers.poll();
            if (receiver != null) {
                receiver.item = value;
                receiver.state = Waiter.DONE;
                lock.unlock();
                receiver.unpark();
                return true;
            }
            if (buffer.size() < capacity) {
                buffer.addLast(value);
                return true;
            }
            switch (overflow) {
                case DROP_OLDEST -> {
                    dropped = buffer.pollFirst();
                    buffer.addLast(value);
                }
                case DROP_LATEST -> dropped = value;
                case SUSPEND -> {
                    if (!block) {
                        return false;
                    }
                }
            }
            if (dropped != null) {
                // fall through to the hook below, after the finally releases the lock
                self = null;
            } else {
                self = new Waiter(value);
                senders.add(self);
            }
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        if (self == null) {
            deliverUndelivered(dropped);
            return true;
        }
        if (self.await(timed, deadline) || giveUp(self, senders)) {
            return sendOutcome(self);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return false;
    }

    /** The outcome of a send whose waiter left WAITING: success, or failure by cancel. */
    private boolean sendOutcome(Waiter self) {
        if (self.state == Waiter.DONE) {
            return true;
        }
        throw new ChannelClosedException(closeCause());
    }

    // ---------------------------------------------------------------- receive

    /**
     * One receive: a value, {@link #EMPTY} (nothing without waiting, or the time ran out) or
     * {@link #CLOSED}. Phase 1 under the lock takes from the buffer (refilling it from the oldest
     * waiting sender) or straight from a waiting sender, or reports closed, or enqueues a waiter;
     * phase 2 without the lock wakes the completed sender or waits.
     */
    @Override
    Object doReceive(boolean block, boolean timed, long deadline) throws InterruptedException {
        Waiter self;
        lock.lock();
        try {
            Object v = buffer.pollFirst();
            Waiter sender = senders.poll();
            if (v == null && sender == null) {
                if (closed) {
                    return CLOSED;
                }
                if (!block) {
                    return EMPTY;
                }
                self = new Waiter(null);
                receivers.add(self);
            } else {
                if (sender != null) {
                    if (v == null) {
                        v = sender.item;         // unbuffered: straight from the sender
                    } else {
                        buffer.addLast(sender.item); // full buffer: the sender's value takes the freed slot
                    }
                    sender.item = null;
                    sender.state = Waiter.DONE;
                    lock.unlock();
                    sender.unpark();
                }
                return v;
            }
        } finally {
            if (lock.isHeldByCurrentThread()) {
                lock.unlock();
            }
        }
        if (self.await(timed, deadline) || giveUp(self, receivers)) {
            return self.state == Waiter.DONE ? self.item : CLOSED;
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return EMPTY;
    }

    // ---------------------------------------------------------------- waiting

    /**
     * Called by a waiter's own thread after {@link Waiter#await} returned on timeout or interrupt.
     * Takes the lock; if the waiter is still WAITING, unlinks it (the channel is as if the operation
     * never started) and returns {@code false}. If a peer completed it in the meantime, the
     * completion stands, the interrupt status (if any) stays set for the caller, and it returns
     * {@code true}.
     */
    private boolean giveUp(Waiter self, WaitQueue queue) {
        lock.lock();
        try {
            if (self.state != Waiter.WAITING) {
                return true;
            }
            queue.unlink(self);
            self.item = null;
            self.state = Waiter.ABANDONED;
            return false;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- close and cancel

    @Override
    public boolean close(Throwable cause) {
        Waiter wake;
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closeCause = cause;
            closed = true;
            // Invariant 2: waiting receivers imply an empty buffer and no senders, so each one is
            // at the end of the stream now. Waiting senders stay: their values are still delivered.
            wake = completeAll(receivers, Waiter.CLOSED);
        } finally {
            lock.unlock();
        }
        unparkAll(wake);
        return true;
    }

    @Override
    public void cancel(Throwable cause) {
        List<Object> discarded;
        Waiter wakeSenders;
        Waiter wakeReceivers;
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            if (!closed) {
                closeCause = cause != null ? cause : new CancellationException("channel cancelled");
                closed = true;
            }
            discarded = new ArrayList<>(buffer);
            buffer.clear();
            wakeSenders = completeAll(senders, Waiter.CLOSED);
            wakeReceivers = completeAll(receivers, Waiter.CLOSED);
        } finally {
            lock.unlock();
        }
        unparkAll(wakeSenders);
        unparkAll(wakeReceivers);
        deliverUndelivered(discarded.toArray());
    }

    /** Must be called with the lock held: drains {@code queue}, setting each waiter's state. */
    private static Waiter completeAll(WaitQueue queue, int state) {
        Waiter chain = queue.drain();
        for (Waiter w = chain; w != null; w = w.next) {
            w.item = null;
            w.state = state;
        }
        return chain;
    }

    // ---------------------------------------------------------------- state

    @Override
    public boolean isClosedForSend() {
        return closed;
    }

    @Override
    public boolean isClosedForReceive() {
        return closed && isEmpty();
    }

    @Override
    public boolean isEmpty() {
        return locked(() -> buffer.isEmpty() && senders.isEmpty());
    }

    @Override
    public int size() {
        return locked(buffer::size);
    }

}
