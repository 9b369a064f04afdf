package dev.hoare.channels;

import java.time.Instant;
import java.util.concurrent.ScheduledFuture;

/**
 * Go's {@code time.Ticker}: a receive channel that delivers the current time every period, made by
 * {@link Channels#ticker}. It holds at most one tick: a receiver that falls behind misses ticks
 * rather than getting a burst of stale ones (as in Go). {@link #stop()} (or {@link #close()})
 * stops the ticks and closes the channel, so iteration over a stopped ticker ends after the tick
 * still held, if any; the timer thread is released.
 */
public final class Ticker extends ForwardingReceiveChannel<Instant> {
    private final ScheduledFuture<?> schedule;

    Ticker(Channel<Instant> ticks, ScheduledFuture<?> schedule) {
        super(ticks);
        this.schedule = schedule;
    }

    /** Stops the ticks and closes the channel. Idempotent. */
    public void stop() {
        schedule.cancel(false);
        super.close();
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close() {
        stop();
    }

    /** Stops the ticks and cancels the channel, discarding a held tick. */
    @Override
    public void cancel(Throwable cause) {
        schedule.cancel(false);
        super.cancel(cause);
    }
}
