package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Overflow;
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
 * Waiters are completed under the lock and unparked after it is released. A select's case waiters
 * count as waiters here, except that invariants 1-3 may hold only up to the select's own waiters
 * (its send and receive case on one channel never pair; {@link SelectEnd} registers a case only
 * when it is not ready otherwise).
 */
public final class LockChannel<E> extends AbstractChannel<E> {
    /** Guarded by {@link #lock}, as are the queues, the close cause and {@link #cancelled}. */
    private final ArrayDeque<Object> buffer;
    /** Written under the lock; read without it by {@link #isClosedForSend()}. */
    private volatile boolean closed;
    private boolean cancelled;
    /**
     * Run under the lock each time a receiver takes a value (from the buffer or from a sender), or
     * {@code null}: how a remote receive endpoint learns that its application took a value, to
     * grant the peer a credit. Must not block. It always runs in the receiving thread: with a
     * hook, a value is never handed to a parked receiver by the sending thread; it is buffered and
     * the receivers are woken to take it themselves ({@link Waiter#RETRY}), so that a credit — in a
     * rendezvous, the sender's "taken" — never goes back while the receiving thread is still
     * parked (a process killed then would lose a value its peer was told had been taken).
     */
    private final Runnable onTake;
    /**
     * Run under the lock when a receive frees a buffer slot that no waiting sender refills, or
     * {@code null}: how a broadcast sender waiting for room in this subscription learns of it
     * ({@link LockBroadcastChannel}, whose senders never queue in {@link #senders}). Must not block;
     * the waiters it completes go into the wake, to be unparked after the lock is released.
     */
    private final Consumer<Wake> onRoom;
    /** Values accepted and values taken ({@link #stats}), counted where they move. Guarded by {@link #lock}. */
    private long sent;
    private long received;
    /** What {@link #stats} reports as the transport: {@code inproc}, or {@code broadcast} for a subscription. */
    private String transport = "inproc";
    /** Broadcast senders waiting for room (a subscription's queue), or {@code null}. Guarded by {@link #lock}. */
    private WaitQueue roomWaiters;

    public LockChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered) {
        this(capacity, overflow, onUndelivered, null, null);
    }

    public LockChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered, Runnable onTake) {
        this(capacity, overflow, onUndelivered, onTake, null);
    }

    public LockChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered, Runnable onTake,
            Consumer<Wake> onRoom) {
        super(capacity, overflow, onUndelivered);
        this.buffer = new ArrayDeque<>(Math.min(Math.max(capacity, 1), 1024));
        this.onTake = onTake;
        this.onRoom = onRoom;
    }

    // ---------------------------------------------------------------- phase 1, under the lock

    /** {@link #sendLocked}: the value is in the channel (handed over, buffered or dropped). */
    private static final int SENT = 0;
    /** {@link #sendLocked}: there is no room; the sender would have to wait. */
    private static final int FULL = 1;

    /**
     * The non-waiting part of a send. Must be called with the lock held. Hands the value to the
     * oldest waiting receiver, else buffers it, else applies the overflow policy; what must happen
     * after unlocking goes into {@code wake}.
     *
     * @return {@link #SENT} or {@link #FULL}
     * @throws ChannelClosedException if the channel is closed
     */
    private int sendLocked(Object value, Wake wake) {
        return sendLocked(value, wake, null);
    }

    private int sendLocked(Object value, Wake wake, Runnable onPut) {
        if (closed) {
            throw new ChannelClosedException(closeCause);
        }
        if (onPut != null && (!receivers.isEmpty() || buffer.size() < capacity)) {
            onPut.run(); // before a waiting receiver takes it (the take hook runs then)
        }
        if (onTake != null && buffer.size() < capacity) {
            buffer.addLast(value); // the receiving threads take it themselves (see onTake)
            sent++;
            for (Waiter w; (w = receivers.completeFirst(null, Waiter.RETRY, null)) != null; ) {
                wake.add(w);
            }
            return SENT;
        }
        Waiter receiver = receivers.completeFirst(null, Waiter.DONE, value);
        if (receiver != null) {
            wake.add(receiver);
            sent++;
            received++;
            taken();
            return SENT;
        }
        if (buffer.size() < capacity) {
            buffer.addLast(value);
            sent++;
            return SENT;
        }
        switch (overflow) {
            case DROP_OLDEST -> {
                wake.drop(this, buffer.pollFirst());
                buffer.addLast(value);
                sent++;
                return SENT;
            }
            case DROP_LATEST -> {
                wake.drop(this, value);
                sent++;
                return SENT;
            }
            default -> {
                return FULL;
            }
        }
    }

    /**
     * The non-waiting part of a receive. Must be called with the lock held. Takes from the buffer,
     * refilling it from the oldest waiting sender, or straight from a waiting sender; the
     * completed sender goes into {@code wake}.
     *
     * @return a value, {@link #CLOSED}, or {@link #EMPTY}
     */
    private Object receiveLocked(Wake wake) {
        Object v = buffer.pollFirst();
        Waiter sender = senders.completeFirst(null, Waiter.DONE, null);
        if (sender != null) {
            if (v == null) {
                v = sender.item;             // unbuffered: straight from the sender
            } else {
                buffer.addLast(sender.item); // full buffer: the sender's value takes the freed slot
            }
            sender.item = null;
            wake.add(sender);
            sent++; // a queued sender's value is accepted only now
        } else if (v != null && onRoom != null) {
            onRoom.accept(wake); // a slot is free and nobody queued here refills it
        }
        if (v != null) {
            received++;
            taken();
            return v;
        }
        return closed ? CLOSED : EMPTY;
    }

    /**
     * Whether a send would complete now without waiting: buffer room or a drop policy. Must be
     * called with the lock held, on an open channel of capacity 1 or more (where, by invariant 2,
     * room is exactly what a send needs; a rendezvous would depend on receivers whose selects
     * another channel may decide meanwhile).
     */
    boolean hasRoomLocked() {
        return overflow != Overflow.SUSPEND || buffer.size() < capacity;
    }

    /**
     * Puts a value in (hands it to a waiting receiver, buffers it, or applies the drop policy).
     * Must be called with the lock held, right after {@link #hasRoomLocked} returned {@code true},
     * on an open channel: it cannot fail then.
     */
    void offerLocked(Object value, Wake wake) {
        if (sendLocked(value, wake) != SENT) {
            throw new AssertionError("offerLocked on a full channel");
        }
    }

    /**
     * Makes this channel report itself as a broadcast subscription in {@link #stats}: its
     * transport {@code broadcast}, and {@code room}'s broadcast senders as its blocked senders.
     * Must be called once, before the channel escapes.
     */
    void subscriptionOf(WaitQueue room) {
        this.transport = "broadcast";
        this.roomWaiters = room;
    }

    @Override
    public dev.hoare.channels.ChannelStats stats() {
        lock.lock();
        try {
            long blockedSenders = senders.size() + (roomWaiters == null ? 0 : roomWaiters.size());
            return dev.hoare.channels.ChannelStats.inProcess(name(), transport, sent, received, buffer.size(), statsCapacity(),
                    blockedSenders, receivers.size(), sendBlockedNanos(), receiveBlockedNanos());
        } finally {
            lock.unlock();
        }
    }

    private void taken() {
        if (onTake != null) {
            onTake.run();
        }
    }

    // ---------------------------------------------------------------- send

    /**
     * One send: {@link #sendLocked} under the lock, enqueueing a waiter if it must wait; then,
     * without the lock, wake whoever was completed, run the hook, or wait.
     */
    @Override
    protected boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        Wake wake = new Wake();
        Waiter self = null;
        lock.lock();
        try {
            if (sendLocked(value, wake) == FULL) {
                if (!block) {
                    return false;
                }
                self = new Waiter(value);
                senders.add(self);
            }
        } finally {
            lock.unlock();
        }
        if (self == null) {
            wake.run();
            return true;
        }
        return awaitSend(self, timed, deadline);
    }

    /**
     * Sends {@code values[from...]} in order, as many as go in without waiting, under one lock
     * acquisition (a remote end's reader hands over what one read brought). For SUSPEND channels
     * only (a {@link Wake} holds one dropped value).
     *
     * @param onPut run under the lock as each value goes in, before any receiver can take it
     *     ({@code null} for none): a remote end records where the value came from
     * @return how many were sent
     * @throws ChannelClosedException if the channel is closed before the first one
     */
    public int trySendMany(List<?> values, int from, Runnable onPut) {
        Wake wake = new Wake();
        int i = from;
        lock.lock();
        try {
            while (i < values.size() && sendLocked(values.get(i), wake, onPut) == SENT) {
                i++;
            }
        } finally {
            lock.unlock();
        }
        wake.run();
        return i - from;
    }

    // ---------------------------------------------------------------- receive

    /**
     * One receive: {@link #receiveLocked} under the lock, enqueueing a waiter if it must wait;
     * then, without the lock, wake the completed sender or wait.
     */
    @Override
    public Object doReceive(boolean block, boolean timed, long deadline) throws InterruptedException {
        for (;;) {
            Wake wake = new Wake();
            Waiter self = null;
            Object r;
            lock.lock();
            try {
                r = receiveLocked(wake);
                if (r == EMPTY && block) {
                    self = new Waiter(null);
                    receivers.add(self);
                }
            } finally {
                lock.unlock();
            }
            if (self == null) {
                wake.run();
                return r;
            }
            if (ChannelWaitEvent.await(self, this, ChannelWaitEvent.RECEIVE, timed, deadline) || receivers.giveUp(lock, self)) {
                if (self.state == Waiter.RETRY) {
                    continue; // a value was buffered for this thread to take itself (onTake)
                }
                return self.state == Waiter.DONE ? self.item : CLOSED;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return EMPTY;
        }
    }

    // ---------------------------------------------------------------- select (SelectEnd)

    /**
     * Queues a receive case unless it is ready: a value is buffered, a sender other than the
     * select's own waits, or the channel is closed. Looking and queueing happen under the lock,
     * where every change to the channel happens, so a later change finds the waiter.
     */
    @Override
    public boolean selectRegisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            if (!buffer.isEmpty() || closed || senders.hasOther(caseWaiter.owner)) {
                return true;
            }
            receivers.add(caseWaiter);
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a send case unless it is ready: room, a drop policy, a receiver other than the select's own, or closed. */
    @Override
    public boolean selectRegisterSend(Waiter caseWaiter) {
        lock.lock();
        try {
            if (closed || buffer.size() < capacity || overflow != Overflow.SUSPEND || receivers.hasOther(caseWaiter.owner)) {
                return true;
            }
            senders.add(caseWaiter);
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectUnregisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            receivers.remove(caseWaiter);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectUnregisterSend(Waiter caseWaiter) {
        lock.lock();
        try {
            senders.remove(caseWaiter);
        } finally {
            lock.unlock();
        }
    }

    /** A select woken to take a buffered value (onTake) left without it: wake the next receiver. */
    @Override
    public void selectPassOnRetryReceive() {
        Waiter next = null;
        lock.lock();
        try {
            if (!buffer.isEmpty()) {
                next = receivers.completeFirst(null, Waiter.RETRY, null);
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.unpark();
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
            wake = receivers.completeAll(Waiter.CLOSED);
        } finally {
            lock.unlock();
        }
        Waiter.unparkAll(wake);
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
            wakeSenders = senders.completeAll(Waiter.CLOSED);
            wakeReceivers = receivers.completeAll(Waiter.CLOSED);
        } finally {
            lock.unlock();
        }
        Waiter.unparkAll(wakeSenders);
        Waiter.unparkAll(wakeReceivers);
        deliverUndelivered(discarded.toArray());
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
