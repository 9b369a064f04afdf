package dev.hoare.channels.link;

import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.wire.Frame;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link dev.hoare.channels.remote.StreamChannels} runs a channel end over a {@link Link}.
 *
 * @param capacity how many values the sender may run ahead of the receiving application (credit
 *     flow control), or, on a one-way link, how many decoded values the receiver buffers; at least 0
 * @param maxFrame the largest frame (kind + payload) this side accepts, and sends on a one-way link
 * @param timeout how long opening may wait for the peer (the handshake), more than zero
 * @param platformThreads whether the end's I/O threads are platform threads (needed when the I/O
 *     blocks a virtual thread's carrier, as FIFO reads do) rather than virtual ones
 */
public record StreamOptions(int capacity, int maxFrame, Duration timeout, boolean platformThreads) {
    /** Default {@link #capacity()}: 64. */
    public static final int DEFAULT_CAPACITY = 64;
    /** Default {@link #timeout()}: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The URI options {@link #from} reads: {@code capacity}, {@code maxFrame}, {@code timeout}. */
    public static final Set<String> OPTIONS = Set.of("capacity", "maxFrame", "timeout");

    /** Checks the values: a negative capacity, frames under 16 bytes or a non-positive timeout are refused. */
    public StreamOptions {
        if (capacity < 0) {
            throw new IllegalArgumentException("capacity must be >= 0, was " + capacity);
        }
        if (maxFrame < 16) {
            throw new IllegalArgumentException("maxFrame must be >= 16 bytes, was " + maxFrame);
        }
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be positive, was " + Endpoint.formatDuration(timeout));
        }
    }

    /** @return the defaults: capacity 64, 16 MiB frames, 10 s timeout, virtual threads */
    public static StreamOptions defaults() {
        return new StreamOptions(DEFAULT_CAPACITY, Frame.DEFAULT_MAX_FRAME, DEFAULT_TIMEOUT, false);
    }

    /**
     * Reads {@code capacity}, {@code maxFrame} and {@code timeout} (such as {@code 500ms},
     * {@code 5s}, {@code 2m} or ISO-8601 {@code PT5S}) from an endpoint, the rest from the defaults.
     * The transport checks for unknown options itself ({@link Endpoint#onlyOptions}).
     *
     * @param endpoint the endpoint
     * @return the options
     * @throws IllegalArgumentException for a malformed or out-of-range value
     */
    public static StreamOptions from(Endpoint endpoint) {
        return new StreamOptions(endpoint.intOption("capacity", DEFAULT_CAPACITY),
                endpoint.intOption("maxFrame", Frame.DEFAULT_MAX_FRAME),
                endpoint.durationOption("timeout", DEFAULT_TIMEOUT), false);
    }

    /**
     * @param value the capacity
     * @return a copy with it
     */
    public StreamOptions withCapacity(int value) {
        return new StreamOptions(value, maxFrame, timeout, platformThreads);
    }

    /**
     * @param value the timeout
     * @return a copy with it
     */
    public StreamOptions withTimeout(Duration value) {
        return new StreamOptions(capacity, maxFrame, value, platformThreads);
    }

    /**
     * @param value whether to use platform threads
     * @return a copy with it
     */
    public StreamOptions withPlatformThreads(boolean value) {
        return new StreamOptions(capacity, maxFrame, timeout, value);
    }
}
