package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Go's built-ins around channels: {@link #go} starts a concurrent body, {@link #after} and
 * {@link #ticker} are timers as channels ({@code time.After}, {@code time.Ticker}).
 *
 * <p>Timers run on one shared daemon platform thread ({@code hoare-timer}) that only sends into
 * channels that never block it (each timer channel holds one value and drops later ones), so a
 * slow receiver cannot delay other timers.
 */
public final class Channels {
    private static final ScheduledThreadPoolExecutor TIMER = newTimer();

    private Channels() {
    }

    /**
     * The counters of a channel end: values sent and received, depth and capacity, senders and
     * receivers waiting now, time spent waiting, and for remote ends frames, bytes, credits and
     * the peer ({@link ChannelStats} says what each counts). Every in-process channel, broadcast
     * subscription and remote end keeps them, always: they cost the operations nothing they can
     * measure (docs/observability.md). Reading them takes the end's lock briefly: poll a few
     * times a second, not per operation.
     *
     * @param end a channel, one of its {@code sendOnly()}/{@code receiveOnly()} views, a
     *     broadcast subscription, or a remote end
     * @return its counters, or empty if the end keeps none (another implementation of the interfaces)
     */
    public static java.util.Optional<ChannelStats> stats(Object end) {
        Object e = java.util.Objects.requireNonNull(end, "end");
        for (int depth = 0; depth < 8; depth++) {
            if (e instanceof dev.hoare.channels.internal.Counted counted) {
                return java.util.Optional.of(counted.stats());
            } else if (e instanceof dev.hoare.channels.internal.SendView<?> view) {
                e = view.target();
            } else if (e instanceof ForwardingReceiveChannel<?> forwarding) {
                e = forwarding.forSelect();
            } else {
                break;
            }
        }
        return java.util.Optional.empty();
    }

    /** A body for {@link #go}: like {@link Runnable}, but it may throw. */
    @FunctionalInterface
    public interface Body {
        /**
         * Runs the body.
         *
         * @throws Exception whatever the body throws; it is kept for {@link Routine#join()}
         */
        void run() throws Exception;
    }

    /**
     * Starts {@code body} on a new virtual thread: Go's {@code go} statement.
     *
     * @param body what to run; it may throw
     * @return a handle to join the body (its exception, if any, is rethrown there) or interrupt it
     */
    public static Routine go(Body body) {
        return new Routine(Objects.requireNonNull(body, "body")).start();
    }

    /**
     * Go's {@code time.After}: a channel that receives the time once, after {@code delay}. The
     * channel is not closed afterwards (as in Go); a delay of zero or less delivers at once.
     *
     * @param delay how long until the value arrives
     * @return the channel
     */
    public static ReceiveChannel<Instant> after(Duration delay) {
        Channel<Instant> ch = Channel.buffered(1, Overflow.DROP_LATEST);
        long nanos = AbstractChannel.toNanos(delay);
        if (nanos <= 0) {
            tick(ch);
        } else {
            TIMER.schedule(() -> tick(ch), nanos, TimeUnit.NANOSECONDS);
        }
        return ch.receiveOnly();
    }

    /**
     * Go's {@code time.Ticker}: a channel that receives the time every {@code period} until
     * {@link Ticker#stop()}.
     *
     * @param period the time between ticks, more than zero
     * @return the ticker
     * @throws IllegalArgumentException if {@code period} is zero or negative
     */
    public static Ticker ticker(Duration period) {
        long nanos = AbstractChannel.toNanos(period);
        if (nanos <= 0) {
            throw new IllegalArgumentException("ticker period must be positive, was " + period);
        }
        Channel<Instant> ticks = Channel.buffered(1, Overflow.DROP_LATEST);
        return new Ticker(ticks, TIMER.scheduleAtFixedRate(() -> tick(ticks), nanos, nanos,
                TimeUnit.NANOSECONDS));
    }

    /** Offers the time without waiting; a channel its receiver closed simply gets nothing. */
    private static void tick(Channel<Instant> ch) {
        try {
            ch.trySend(Instant.now());
        } catch (ChannelClosedException receiverClosedIt) {
            // nothing to deliver to
        }
    }

    /**
     * Opens the sending end of a channel named by a URI, through the transport registered for its
     * scheme ({@code inproc:}, and {@code fifo:}, {@code uds:}, {@code shm:} with their modules).
     *
     * @param uri the endpoint, such as {@code inproc:orders?capacity=16}
     * @param codec how values become bytes; both ends must use the same
     * @param <T> the value type
     * @return the send channel; close it when done
     * @throws IllegalArgumentException for an unknown scheme (the message lists those found), an
     *     unknown option, or a bad address
     * @throws java.io.IOException if the transport cannot open it
     */
    public static <T> SendChannel<T> openSend(java.net.URI uri, Codec<T> codec) throws java.io.IOException {
        dev.hoare.channels.spi.Endpoint e = dev.hoare.channels.spi.Endpoint.parse(uri);
        return dev.hoare.channels.spi.Transports.forScheme(e.scheme()).openSend(e, codec);
    }

    /**
     * Opens the receiving end of a channel named by a URI; see {@link #openSend}.
     *
     * @param uri the endpoint
     * @param codec how bytes become values; both ends must use the same
     * @param <T> the value type
     * @return the receive channel; close it when done
     * @throws java.io.IOException if the transport cannot open it
     */
    public static <T> ReceiveChannel<T> openReceive(java.net.URI uri, Codec<T> codec) throws java.io.IOException {
        dev.hoare.channels.spi.Endpoint e = dev.hoare.channels.spi.Endpoint.parse(uri);
        return dev.hoare.channels.spi.Transports.forScheme(e.scheme()).openReceive(e, codec);
    }

    private static ScheduledThreadPoolExecutor newTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1,
                r -> Thread.ofPlatform().name("hoare-timer").daemon(true).unstarted(r));
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }
}
