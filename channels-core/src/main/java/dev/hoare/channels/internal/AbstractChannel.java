package dev.hoare.channels.internal;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * What every in-process channel implementation shares: the public API mapped onto two primitives,
 * {@link #doSend} and {@link #doReceive}, the undelivered hook, the views, and the configuration.
 * An implementation keeps the channel's state and says how those two primitives block, and
 * takes part in {@link Select} through {@link SelectEnd} (try now is a non-blocking
 * {@code doSend}/{@code doReceive}; it registers and unregisters case waiters itself).
 */
public abstract class AbstractChannel<E> extends SendFront<E> implements Channel<E>, SelectEnd.Receive, SelectEnd.Send, Counted {
    /** Returned by {@link #doReceive} when there is nothing to take and the channel is open (or the time ran out). */
    public static final Object EMPTY = SelectEnd.EMPTY;
    /** Returned by {@link #doReceive} when the channel is closed and drained. */
    public static final Object CLOSED = SelectEnd.CLOSED;

    final int capacity;
    final Overflow overflow;
    private final Consumer<? super E> onUndelivered;

    /**
     * Guards the two wait queues and {@link #closeCause}, and whatever further state the
     * implementation names. Waiters are completed under it and unparked after it is released.
     */
    final ReentrantLock lock = new ReentrantLock();
    /** Blocked senders, oldest first. Guarded by {@link #lock}. */
    final WaitQueue senders = new WaitQueue();
    /** Blocked receivers, oldest first. Guarded by {@link #lock}. */
    final WaitQueue receivers = new WaitQueue();
    /** The cause given to close or cancel; set once, with the channel's closed state. Guarded by {@link #lock}. */
    Throwable closeCause;
    /** The builder's name, or {@code ""}; set once, before the channel escapes ({@link #name(String)}). */
    private String name = "";

    AbstractChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered) {
        this.capacity = capacity;
        this.overflow = overflow;
        this.onUndelivered = onUndelivered;
    }

    /**
     * One receive.
     *
     * @return a value, {@link #EMPTY} (nothing without waiting, or the time ran out) or {@link #CLOSED}
     * @throws InterruptedException if interrupted while waiting (nothing was taken)
     */
    abstract Object doReceive(boolean block, boolean timed, long deadline) throws InterruptedException;

    /** @return the close cause, or {@code null}; meaningful once closed */
    @Override
    public final Throwable closeCause() {
        return locked(() -> closeCause);
    }

    /**
     * Names the channel and publishes it in the counters registry. Must be called once, by the
     * builder, before the channel escapes.
     *
     * @param name a valid channel name (checked by the caller)
     * @return this channel
     */
    public final AbstractChannel<E> name(String name) {
        this.name = name;
        CountersRegistry.register(this);
        return this;
    }

    @Override
    public final String name() {
        return name;
    }

    /** @return the capacity as {@link dev.hoare.channels.ChannelStats} counts it ({@link Long#MAX_VALUE} unlimited) */
    final long statsCapacity() {
        return capacity == UNLIMITED ? Long.MAX_VALUE : capacity;
    }

    @Override
    public boolean finished() {
        return isClosedForReceive();
    }

    /** For tests: how many senders (and selects with a send case) wait now. */
    public int waitingSenders() {
        return locked(senders::size);
    }

    /** How many receivers (and selects with a receive case) wait now. */
    public final int waitingReceivers() {
        return locked(receivers::size);
    }

    /** Reads state guarded by {@link #lock}. Must be called without the lock (it is not held on return). */
    final <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- receive

    @Override
    public final E receive() throws InterruptedException {
        return valueOrThrow(blockingReceive(false, 0L));
    }

    @Override
    public final Optional<E> receive(Duration timeout) throws InterruptedException {
        long nanos = toNanos(timeout);
        if (nanos <= 0) {
            return tryReceive();
        }
        Object r = blockingReceive(true, System.nanoTime() + nanos);
        return r == EMPTY ? Optional.empty() : Optional.of(valueOrThrow(r));
    }

    @Override
    public final Optional<E> tryReceive() {
        Object r;
        try {
            r = doReceive(false, false, 0L);
        } catch (InterruptedException impossible) {
            throw new AssertionError("a non-blocking receive never waits", impossible);
        }
        return r == EMPTY ? Optional.empty() : Optional.of(valueOrThrow(r));
    }

    @Override
    public final Received<E> receiveResult() throws InterruptedException {
        Object r = blockingReceive(false, 0L);
        return r == CLOSED ? Received.closed(closeCause()) : Received.of(cast(r));
    }

    private Object blockingReceive(boolean timed, long deadline) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return doReceive(true, timed, deadline);
    }

    private E valueOrThrow(Object r) {
        if (r == CLOSED) {
            throw new ChannelClosedException(closeCause());
        }
        return cast(r);
    }

    // ---------------------------------------------------------------- close, configuration, views

    @Override
    public final void close() {
        close(null);
    }

    @Override
    public final int capacity() {
        return capacity;
    }

    @Override
    public final Overflow overflow() {
        return overflow;
    }

    @Override
    public final SendChannel<E> sendOnly() {
        return new SendView<>(this);
    }

    @Override
    public final ReceiveChannel<E> receiveOnly() {
        return new ForwardingReceiveChannel<>(this) { };
    }

    @Override
    public String toString() {
        String kind = capacity == UNLIMITED ? "unlimited" : "capacity=" + capacity;
        String state = isClosedForReceive() ? "closed" : isClosedForSend() ? "closing" : "open";
        return getClass().getSimpleName() + "[" + (name.isEmpty() ? "" : name + ", ") + kind + ", " + overflow + ", size=" + size() + ", " + state + "]";
    }

    // ---------------------------------------------------------------- helpers for implementations

    /**
     * Hands values to the undelivered hook, each once, then throws the first failure (later ones
     * suppressed). Must be called without any channel lock held.
     */
    @SuppressWarnings("unchecked")
    final void deliverUndelivered(Object... values) {
        if (onUndelivered == null) {
            return;
        }
        RuntimeException failure = null;
        for (Object v : values) {
            try {
                onUndelivered.accept((E) v);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * The waiting part of a send whose waiter {@code self} is queued in {@link #senders} (for
     * implementations that complete senders only under {@link #lock}): waits, gives up on timeout
     * or interrupt unless completed meanwhile.
     *
     * @return {@code true} if sent; {@code false} if the time ran out
     * @throws ChannelClosedException if the channel was cancelled (or lost its peer) while waiting
     * @throws InterruptedException if interrupted before the value was taken
     */
    final boolean awaitSend(Waiter self, boolean timed, long deadline) throws InterruptedException {
        if (ChannelWaitEvent.await(self, this, ChannelWaitEvent.SEND, timed, deadline) || senders.giveUp(lock, self)) {
            if (self.state == Waiter.DONE) {
                return true;
            }
            throw new ChannelClosedException(closeCause()); // cancelled while waiting
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return false;
    }

    // ---------------------------------------------------------------- select: try now

    @Override
    public final Object selectTryReceive() {
        try {
            return doReceive(false, false, 0L);
        } catch (InterruptedException impossible) {
            throw new AssertionError("a non-blocking receive never waits", impossible);
        }
    }

    @Override
    public final boolean selectTrySend(Object value) {
        try {
            return doSend(cast(value), false, false, 0L);
        } catch (InterruptedException impossible) {
            throw new AssertionError("a non-blocking send never waits", impossible);
        }
    }

    @SuppressWarnings("unchecked")
    static <E> E cast(Object o) {
        return (E) o;
    }
}
