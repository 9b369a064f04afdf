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
 * @param liveness how long the end waits with no frame at all from the peer before it closes
 *     with {@link dev.hoare.channels.PeerLostException} ("no frame from the peer for 5 s"); the end
 *     also sends a PING whenever it has sent nothing for a quarter of it (docs/wire-format.md,
 *     Liveness). {@link Duration#ZERO}, the default: no timeout and no PING (the OS reports a dead
 *     local peer). On a two-way link the peer learns it from the HELLO and sends PINGs itself; on
 *     a one-way link give it to both ends (the writer sends the PINGs, the reader times out)
 */
public record StreamOptions(int capacity, int maxFrame, Duration timeout, boolean platformThreads, Duration liveness) {
    /** Default {@link #capacity()}: 64. */
    public static final int DEFAULT_CAPACITY = 64;
    /** Default {@link #timeout()}: 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The URI options {@link #from} reads: {@code capacity}, {@code maxFrame}, {@code timeout}, {@code liveness}. */
    public static final Set<String> OPTIONS = Set.of("capacity", "maxFrame", "timeout", "liveness");
    /** The shortest {@link #liveness()} other than zero: 20 ms. */
    public static final Duration MIN_LIVENESS = Duration.ofMillis(20);

    /**
     * Options without a liveness timeout ({@link Duration#ZERO}).
     *
     * @param capacity see the record
     * @param maxFrame see the record
     * @param timeout see the record
     * @param platformThreads see the record
     */
    public StreamOptions(int capacity, int maxFrame, Duration timeout, boolean platformThreads) {
        this(capacity, maxFrame, timeout, platformThreads, Duration.ZERO);
    }

    /**
     * Checks the values: a negative capacity, frames under 16 bytes, a non-positive timeout, or a
     * liveness that is negative, under {@link #MIN_LIVENESS} (other than zero) or above 2^32-1 ms
     * are refused.
     */
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
        Objects.requireNonNull(liveness, "liveness");
        if (!liveness.isZero() && (liveness.compareTo(MIN_LIVENESS) < 0 || liveness.toMillis() > 0xFFFF_FFFFL)) {
            throw new IllegalArgumentException("liveness must be 0 (off) or from " + Endpoint.formatDuration(MIN_LIVENESS)
                    + " to 2^32-1 ms, was " + Endpoint.formatDuration(liveness));
        }
    }

    /** @return the defaults: capacity 64, 16 MiB frames, 10 s timeout, virtual threads, no liveness timeout */
    public static StreamOptions defaults() {
        return new StreamOptions(DEFAULT_CAPACITY, Frame.DEFAULT_MAX_FRAME, DEFAULT_TIMEOUT, false);
    }

    /**
     * Reads {@code capacity}, {@code maxFrame}, {@code timeout} and {@code liveness} (durations
     * such as {@code 500ms}, {@code 5s}, {@code 2m} or ISO-8601 {@code PT5S}; {@code liveness=0s}
     * is off, the default) from an endpoint, the rest from the defaults.
     * The transport checks for unknown options itself ({@link Endpoint#onlyOptions}).
     *
     * @param endpoint the endpoint
     * @return the options
     * @throws IllegalArgumentException for a malformed or out-of-range value
     */
    public static StreamOptions from(Endpoint endpoint) {
        return new StreamOptions(endpoint.intOption("capacity", DEFAULT_CAPACITY),
                endpoint.intOption("maxFrame", Frame.DEFAULT_MAX_FRAME),
                endpoint.durationOption("timeout", DEFAULT_TIMEOUT), false,
                endpoint.durationOption("liveness", Duration.ZERO));
    }

    /**
     * @param value the capacity
     * @return a copy with it
     */
    public StreamOptions withCapacity(int value) {
        return new StreamOptions(value, maxFrame, timeout, platformThreads, liveness);
    }

    /**
     * @param value the timeout
     * @return a copy with it
     */
    public StreamOptions withTimeout(Duration value) {
        return new StreamOptions(capacity, maxFrame, value, platformThreads, liveness);
    }

    /**
     * @param value whether to use platform threads
     * @return a copy with it
     */
    public StreamOptions withPlatformThreads(boolean value) {
        return new StreamOptions(capacity, maxFrame, timeout, value, liveness);
    }

    /**
     * @param value the liveness timeout ({@link Duration#ZERO}: none)
     * @return a copy with it
     */
    public StreamOptions withLiveness(Duration value) {
        return new StreamOptions(capacity, maxFrame, timeout, platformThreads, value);
    }
}
