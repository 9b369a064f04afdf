package dev.hoare.channels.process;

import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.spi.Endpoint;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Processes#spawn(ProcessBuilder, dev.hoare.channels.Codec, dev.hoare.channels.Codec, ProcessOptions)}
 * runs a child. Make it with {@code ProcessOptions.defaults().with...(...)}, not the record
 * constructor, which gains a parameter whenever an option is added.
 *
 * @param stream the channels' options: {@link StreamOptions#capacity() capacity} of the channel
 *     from the child (how many values it may run ahead of our application; the capacity of the
 *     channel to the child is the child's to announce), {@link StreamOptions#maxFrame() maxFrame}
 *     we accept, and {@link StreamOptions#timeout() timeout}: how long {@code spawn} waits for
 *     the child's handshake (a JVM takes a while to start). Its I/O threads are always platform
 *     threads (pipe I/O would hold a virtual thread's carrier)
 * @param grace how long {@link ChildProcess#close()} waits for the child to exit after closing
 *     its input, and again after SIGTERM, before SIGKILL; more than zero
 * @param stderrLines whether the child's standard error becomes {@link ChildProcess#stderr()}, a
 *     channel of lines, rather than passing through to ours
 */
public record ProcessOptions(StreamOptions stream, Duration grace, boolean stderrLines) {
    /** Default {@link #grace()}: 5 seconds. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    /** Checks the values: a non-positive grace is refused. */
    public ProcessOptions {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(grace, "grace");
        if (grace.isZero() || grace.isNegative()) {
            throw new IllegalArgumentException("grace must be positive, was " + Endpoint.formatDuration(grace));
        }
        stream = stream.withPlatformThreads(true);
    }

    /**
     * @return capacity 64, 16 MiB frames, 10 s for the handshake, 5 s grace, standard error
     *     passed through
     */
    public static ProcessOptions defaults() {
        return new ProcessOptions(StreamOptions.defaults(), DEFAULT_GRACE, false);
    }

    /**
     * @param value the channels' options (capacity, maximum frame, handshake timeout)
     * @return a copy with them
     */
    public ProcessOptions withStream(StreamOptions value) {
        return new ProcessOptions(value, grace, stderrLines);
    }

    /**
     * @param value how many values the child may run ahead of our application, at least 0
     * @return a copy with it
     */
    public ProcessOptions withCapacity(int value) {
        return withStream(stream.withCapacity(value));
    }

    /**
     * @param value how long {@code spawn} waits for the child's handshake
     * @return a copy with it
     */
    public ProcessOptions withHandshakeTimeout(Duration value) {
        return withStream(stream.withTimeout(value));
    }

    /**
     * @param value the grace time of {@link ChildProcess#close()}
     * @return a copy with it
     */
    public ProcessOptions withGrace(Duration value) {
        return new ProcessOptions(stream, value, stderrLines);
    }

    /**
     * @param value whether the child's standard error becomes a channel of lines
     * @return a copy with it
     */
    public ProcessOptions withStderrLines(boolean value) {
        return new ProcessOptions(stream, grace, value);
    }
}
