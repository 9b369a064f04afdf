package dev.hoare.channels.link;

import java.io.IOException;

/**
 * A link failed in a way its transport explains with an exception of its own, the cause: the
 * medium broke (a shared-memory ring found corrupt, or its memory gone), not the peer. A channel
 * end over the link closes with that cause as it is (not as a
 * {@link dev.hoare.channels.PeerLostException}), so that the application sees the transport's
 * documented exception type.
 */
public class LinkFaultException extends IOException {
    /**
     * @param message what failed, for the I/O paths that see this exception itself
     * @param cause the transport's exception, the close cause of the end; not {@code null}
     */
    public LinkFaultException(String message, RuntimeException cause) {
        super(message, java.util.Objects.requireNonNull(cause, "cause"));
    }

    /** @return the transport's exception: the close cause of the end */
    @Override
    public RuntimeException getCause() {
        return (RuntimeException) super.getCause();
    }
}
