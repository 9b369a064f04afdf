package dev.hoare.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the process-transport benchmarks share: the raw and framed baselines' readers and writer,
 * and scratch directories.
 */
final class RawBytes {
    private RawBytes() {
    }

    /**
     * Takes {@code size} bytes from {@code buffer} (in read mode), refilling it from {@code from}
     * when fewer are left: the raw baseline's "receive one message".
     */
    static ByteBuffer take(ByteBuffer buffer, ReadableByteChannel from, int size) throws IOException {
        fill(buffer, from, size);
        buffer.position(buffer.position() + size);
        return buffer;
    }

    /**
     * The framed baseline's "receive one message": a 4-byte length and that many bytes, into a
     * new array, refilling {@code buffer} (in read mode) from {@code from} as needed.
     */
    static byte[] takeFramed(ByteBuffer buffer, ReadableByteChannel from) throws IOException {
        fill(buffer, from, 4);
        int n = buffer.getInt(buffer.position());
        fill(buffer, from, 4 + n);
        byte[] value = new byte[n];
        buffer.position(buffer.position() + 4).get(value);
        return value;
    }

    /** Makes at least {@code n} bytes available in {@code buffer} (in read mode), reading {@code from} as needed. */
    private static void fill(ByteBuffer buffer, ReadableByteChannel from, int n) throws IOException {
        if (buffer.remaining() >= n) {
            return;
        }
        buffer.compact();
        while (buffer.position() < n) {
            if (from.read(buffer) < 0) {
                throw new IllegalStateException("the writer went away");
            }
        }
        buffer.flip();
    }

    /**
     * The framed baseline's writer, until the reader goes: each message of {@code size} bytes
     * copied from its own array behind a 4-byte length into a buffer of {@code batchBytes}
     * (or one message, if larger), written when no further message fits.
     */
    static void writeFramed(WritableByteChannel to, int size, int batchBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.max(batchBytes, 4 + size));
        byte[] m = new byte[size];
        while (true) {
            b.clear();
            while (b.remaining() >= 4 + size) {
                b.putInt(size).put(m);
            }
            b.flip();
            while (b.hasRemaining()) {
                to.write(b);
            }
        }
    }

    /** @return a new scratch directory in {@code /dev/shm} (memory), or the temporary directory where there is none */
    static Path memoryScratchDirectory(String prefix) throws IOException {
        Path shm = Path.of("/dev/shm");
        return Files.createTempDirectory(Files.isDirectory(shm) ? shm : Path.of(System.getProperty("java.io.tmpdir")), prefix);
    }

    /** Deletes a flat scratch directory and what is in it. */
    static void deleteDirectory(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.deleteIfExists(p);
            }
        }
        Files.deleteIfExists(dir);
    }
}
