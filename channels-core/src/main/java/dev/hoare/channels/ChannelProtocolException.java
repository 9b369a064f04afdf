package dev.hoare.channels;

import java.io.IOException;

/**
 * The peer broke the wire protocol: a truncated, oversized, unknown or undecodable frame, or a
 * handshake that does not match. A remote channel that meets one closes with it as the cause.
 */
public class ChannelProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was wrong, for a person to read */
    public ChannelProtocolException(String message) {
        super(message);
    }

    /**
     * @param message what was wrong
     * @param cause the underlying failure
     */
    public ChannelProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
