package dev.hoare.channels;

/**
 * Thrown by an operation that cannot complete because the channel is closed: a send after
 * {@link SendChannel#close()}, or a receive once the channel is closed <em>and</em> every value
 * sent before the close has been received.
 *
 * <p>{@link #getCause()} is the cause given to {@link SendChannel#close(Throwable)} or
 * {@link ReceiveChannel#cancel(Throwable)}, or {@code null} for a plain close. The exception is
 * unchecked, as {@code IllegalStateException} is for a closed resource.
 */
public class ChannelClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception for a channel closed with {@code cause} ({@code null} for a plain close).
     *
     * @param cause the close cause, or {@code null}
     */
    public ChannelClosedException(Throwable cause) {
        super(cause == null ? "channel closed" : "channel closed: " + cause, cause);
    }

    /**
     * Creates the exception with a message of its own.
     *
     * @param message what happened
     * @param cause the close cause, or {@code null}
     */
    public ChannelClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
