package dev.hoare.channels.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/** Ready-made {@link Link}s. */
public final class Links {
    private Links() {
    }

    /**
     * A two-way link over a connected, blocking socket channel (TCP or Unix domain). Reading and
     * writing may happen at the same time from two threads (unlike the streams of
     * {@link java.nio.channels.Channels#newInputStream}, which share one lock between directions).
     *
     * @param socket the connected socket, in blocking mode; owned by the link
     * @param description what it connects, for thread names and messages
     * @return the link
     */
    public static Link socket(SocketChannel socket, String description) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(description, "description");
        if (!socket.isBlocking()) {
            throw new IllegalArgumentException("the socket channel must be in blocking mode");
        }
        InputStream in = new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                return socket.read(ByteBuffer.wrap(b, off, len));
            }
        };
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer buf = ByteBuffer.wrap(b, off, len);
                while (buf.hasRemaining()) {
                    socket.write(buf);
                }
            }
        };
        return new Link() {
            @Override
            public InputStream in() {
                return in;
            }

            @Override
            public OutputStream out() {
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
