package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.SendChannel;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The three public sends of every send end mapped onto its one primitive, {@link #doSend}: the
 * null check, the interrupt check before any wait, and a timeout turned into a deadline, written
 * once for the in-process channels ({@link AbstractChannel}), the broadcast and the remote send
 * ends. Its only state is the time threads spent waiting on the end ({@link #addBlocked}, for
 * {@link dev.hoare.channels.ChannelStats}): each end keeps its own, with its own lock, and says in
 * {@code doSend} how a send completes or waits.
 */
public abstract class SendFront<E> implements SendChannel<E> {
    private static final java.lang.invoke.VarHandle BLOCKED_ARRAY;
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.arrayElementVarHandle(long[].class);

    static {
        try {
            BLOCKED_ARRAY = java.lang.invoke.MethodHandles.lookup().findVarHandle(SendFront.class, "blocked", long[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /*
     * The blocked-time totals live in an array of their own, made at the first wait that ends,
     * with the two totals in its middle (more than a cache line from either end of it): adding
     * to them is an atomic write, and on the channel object it would invalidate the cache line
     * of the fields every operation reads (the ring, its mask), on every core, at every park.
     */
    private static final int SEND_SLOT = 11;
    private static final int RECEIVE_SLOT = 12;
    private static final int BLOCKED_LENGTH = 24;
    /** {@code null} until a wait ends here; then the totals at {@link #SEND_SLOT} and {@link #RECEIVE_SLOT}. */
    @SuppressWarnings("unused") // through BLOCKED_ARRAY
    private volatile long[] blocked;

    /**
     * Adds a finished wait to the end's blocked time. Slow path only: called once per wait that
     * parked (by {@link ChannelWaitEvent#await}), never by an operation that completed at once.
     *
     * @param send {@code true} for a send's wait, {@code false} for a receive's
     */
    public final void addBlocked(boolean send, long nanos) {
        long[] totals = blocked;
        if (totals == null) {
            BLOCKED_ARRAY.compareAndSet(this, null, new long[BLOCKED_LENGTH]);
            totals = blocked;
        }
        LONGS.getAndAdd(totals, send ? SEND_SLOT : RECEIVE_SLOT, nanos);
    }

    /** @return total nanoseconds senders waited on this end (waits that ended) */
    public final long sendBlockedNanos() {
        long[] totals = blocked;
        return totals == null ? 0 : (long) LONGS.getVolatile(totals, SEND_SLOT);
    }

    /** @return total nanoseconds receivers waited on this end (waits that ended) */
    public final long receiveBlockedNanos() {
        long[] totals = blocked;
        return totals == null ? 0 : (long) LONGS.getVolatile(totals, RECEIVE_SLOT);
    }
    /**
     * One send.
     *
     * @param value the value, not {@code null} (checked by the caller)
     * @param block whether to wait for room at all
     * @param timed whether {@code deadline} applies
     * @param deadline a {@link System#nanoTime()} deadline
     * @return {@code true} if sent; {@code false} if it would have to wait (not blocking) or the time ran out
     * @throws ChannelClosedException if closed before the value was accepted, or cancelled while waiting
     * @throws InterruptedException if interrupted while waiting (nothing was sent)
     */
    protected abstract boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException;

    @Override
    public final void send(E value) throws InterruptedException {
        checkValue(value);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        doSend(value, true, false, 0L);
    }

    @Override
    public final boolean send(E value, Duration timeout) throws InterruptedException {
        checkValue(value);
        long nanos = toNanos(timeout);
        if (nanos <= 0) {
            return doSend(value, false, false, 0L);
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return doSend(value, true, true, System.nanoTime() + nanos);
    }

    @Override
    public final boolean trySend(E value) {
        checkValue(value);
        try {
            return doSend(value, false, false, 0L);
        } catch (InterruptedException impossible) {
            throw new AssertionError("a non-blocking send never waits", impossible);
        }
    }

    private static void checkValue(Object value) {
        Objects.requireNonNull(value, "channel values must not be null");
    }

    /** @return the timeout in nanoseconds: 0 or less for none, about a century for one too long to count */
    public static long toNanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        try {
            return timeout.toNanos();
        } catch (ArithmeticException overflow) {
            return timeout.isNegative() ? 0 : TimeUnit.DAYS.toNanos(365L * 100);
        }
    }
}
