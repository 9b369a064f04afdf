package dev.hoare.channels;

import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of a receive that does not throw on close: Go's {@code v, ok := <-ch}.
 * Either a value ({@link #ok()} is {@code true}) or the channel's closed state with its cause.
 *
 * @param <E> the value type
 */
public final class Received<E> {
    private static final Received<?> CLOSED = new Received<>(null, null);

    private final E value;
    private final Throwable cause;

    private Received(E value, Throwable cause) {
        this.value = value;
        this.cause = cause;
    }

    /**
     * A received value.
     *
     * @param value the value, not null
     * @param <E> the value type
     * @return the outcome holding {@code value}
     */
    public static <E> Received<E> of(E value) {
        return new Received<>(Objects.requireNonNull(value, "value"), null);
    }

    /**
     * The closed outcome.
     *
     * @param cause the close cause, or {@code null} for a plain close
     * @param <E> the value type
     * @return the outcome saying the channel is closed and drained
     */
    @SuppressWarnings("unchecked")
    public static <E> Received<E> closed(Throwable cause) {
        return cause == null ? (Received<E>) CLOSED : new Received<>(null, cause);
    }

    /** @return {@code true} for a value, {@code false} once the channel is closed and drained */
    public boolean ok() {
        return value != null;
    }

    /** @return {@code true} if this is the closed outcome */
    public boolean isClosed() {
        return value == null;
    }

    /**
     * @return the value
     * @throws ChannelClosedException (with the close cause) if this is the closed outcome
     */
    public E value() {
        if (value == null) {
            throw new ChannelClosedException(cause);
        }
        return value;
    }

    /** @return the value, or empty for the closed outcome */
    public Optional<E> valueIfOk() {
        return Optional.ofNullable(value);
    }

    /** @return the close cause; empty for a value or for a plain close */
    public Optional<Throwable> cause() {
        return Optional.ofNullable(cause);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Received<?> r && Objects.equals(value, r.value) && Objects.equals(cause, r.cause);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value, cause);
    }

    @Override
    public String toString() {
        return value != null ? "Received[" + value + "]" : "Received[closed" + (cause == null ? "" : ": " + cause) + "]";
    }
}
