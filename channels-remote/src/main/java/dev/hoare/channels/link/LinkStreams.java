package dev.hoare.channels.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * Bases for a {@link Link}'s byte streams, which move bytes in arrays: the one-byte
 * {@code read()} and {@code write(int)} go through the array methods.
 */
public final class LinkStreams {
    private LinkStreams() {
    }

    /**
     * The most bytes a link hands to one read or write of a channel from a heap array. Before
     * each write the JDK copies all that remains of a heap buffer into a temporary direct buffer
     * (and before each read allocates one as large as the room offered), which it then keeps for
     * the thread. A batch of megabytes (a stream with a large capacity, or one large value)
     * handed over at once would be copied again after every partial write, and leave a native
     * buffer of its size behind.
     */
    public static final int SLICE = 1 << 16;

    /**
     * @param channel a channel in blocking mode
     * @return a stream reading it, at most {@link #SLICE} bytes per read
     */
    public static InputStream in(ReadableByteChannel channel) {
        return new In() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : channel.read(ByteBuffer.wrap(b, off, Math.min(len, SLICE)));
            }
        };
    }

    /**
     * @param channel a channel in blocking mode
     * @return a stream writing all it is given to it, in writes of at most {@link #SLICE} bytes
     */
    public static OutputStream out(WritableByteChannel channel) {
        return new Out() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                for (int end = off + len; off < end; ) {
                    off += channel.write(ByteBuffer.wrap(b, off, Math.min(SLICE, end - off)));
                }
            }
        };
    }

    /** An input stream whose {@link #read()} reads one byte through {@link #read(byte[], int, int)}. */
    public abstract static class In extends InputStream {
        /** For subclasses. */
        protected In() {
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public abstract int read(byte[] b, int off, int len) throws IOException;
    }

    /** An output stream whose {@link #write(int)} writes one byte through {@link #write(byte[], int, int)}. */
    public abstract static class Out extends OutputStream {
        /** For subclasses. */
        protected Out() {
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public abstract void write(byte[] b, int off, int len) throws IOException;
    }
}
