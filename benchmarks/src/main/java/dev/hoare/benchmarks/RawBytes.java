package dev.hoare.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the process-transport benchmarks share: the raw baseline's reader and their scratch directories. */
final class RawBytes {
    private RawBytes() {
    }

    /**
     * Takes {@code size} bytes from {@code buffer} (in read mode), refilling it from {@code from}
     * when fewer are left: the raw baseline's "receive one message".
     */
    static ByteBuffer take(ByteBuffer buffer, ReadableByteChannel from, int size) throws IOException {
        while (buffer.remaining() < size) {
            buffer.compact();
            if (from.read(buffer) < 0) {
                throw new IllegalStateException("the writer went away");
            }
            buffer.flip();
        }
        buffer.position(buffer.position() + size);
        return buffer;
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
