package dev.hoare.channels;

/**
 * Thrown where a blocking channel operation is interrupted but the method cannot throw the checked
 * {@link InterruptedException} (iteration, streams). The thread's interrupt status is set again
 * before it is thrown.
 */
public class ChannelInterruptedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param cause the interruption */
    public ChannelInterruptedException(InterruptedException cause) {
        super("interrupted while waiting on a channel", cause);
    }
}
