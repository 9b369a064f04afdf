package dev.hoare.channels.spi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * Bases for a {@link Link}'s byte streams, which move bytes in arrays: the one-byte
 * {@code read()} and {@code write(int)} go through the array methods.
 */
public final class LinkStreams {
    private LinkStreams() {
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
