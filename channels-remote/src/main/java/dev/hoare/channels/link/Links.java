package dev.hoare.channels.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/** Ready-made {@link Link}s. */
public final class Links {
    private Links() {
    }

    /**
     * A two-way link over a connected socket channel (TCP or Unix domain). Reading and writing may
     * happen at the same time from two threads (unlike the streams of
     * {@link java.nio.channels.Channels#newInputStream}, which share one lock between directions).
     *
     * <p>On Java 25 and later the link puts the socket in non-blocking mode and lets the channel
     * ends' application threads read and write it themselves ({@link Link#canReadNow},
     * {@link Link#canWriteNow}): a value then goes from the sending thread into the socket and out
     * of it into the receiving thread with no hand-off to an I/O thread, and an interrupt cannot
     * close the socket (it closes one only in blocking mode). Threads wait in a
     * {@link java.nio.channels.Selector}, which a virtual thread leaves its carrier for from Java 25
     * (earlier, a virtual thread in a selector holds its carrier). Before Java 25, or with the
     * system property {@code dev.hoare.socket.blocking=true}, the socket stays in blocking mode
     * and only the ends' I/O threads touch it.
     *
     * @param socket the connected socket, in either mode; owned by the link
     * @param description what it connects, for thread names and messages
     * @return the link
     * @throws UncheckedIOException if the socket cannot be put in non-blocking mode or a selector
     *     cannot be opened (the socket is closed then)
     */
    public static Link socket(SocketChannel socket, String description) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(description, "description");
        if (Runtime.version().feature() >= 25 && !Boolean.getBoolean("dev.hoare.socket.blocking")) {
            try {
                return new SocketLink(socket, description);
            } catch (IOException e) {
                try {
                    socket.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw new UncheckedIOException(description + ": could not set the socket up: " + e.getMessage(), e);
            }
        }
        return blocking(socket, description);
    }

    /** A link over a socket in blocking mode: only I/O threads read and write it. */
    private static Link blocking(SocketChannel socket, String description) {
        if (!socket.isBlocking()) {
            try {
                socket.configureBlocking(true);
            } catch (IOException e) {
                throw new UncheckedIOException(description + ": could not put the socket in blocking mode", e);
            }
        }
        InputStream in = LinkStreams.in(socket);
        OutputStream out = LinkStreams.out(socket);
        return new StreamLink() {
            @Override
            protected InputStream in() {
                return in;
            }

            @Override
            protected OutputStream out() {
                return out;
            }

            @Override
            public void shutdownOutput() throws IOException {
                socket.shutdownOutput();
            }

            @Override
            public void close() throws IOException {
                socket.close();
            }

            @Override
            public String describe() {
                return description;
            }
        };
    }
}
