package dev.hoare.channels;

import java.io.IOException;

/**
 * The other end of a remote channel went away without closing it: its process was killed or
 * crashed, or the connection broke. A remote channel closes with this as its cause, so a blocked
 * or later operation reports {@link ChannelClosedException} with it as the cause, and a receiver
 * first drains every value that had arrived.
 */
public class PeerLostException extends IOException {
    private static final long serialVersionUID = 1L;

    /** @param message what was lost and how it showed, for a person to read */
    public PeerLostException(String message) {
        super(message);
    }

    /**
     * @param message what was lost
     * @param cause the I/O failure that showed it
     */
    public PeerLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
