package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.KIND_OFFSET;
import static dev.hoare.sync.SyncLayout.MAGIC;
import static dev.hoare.sync.SyncLayout.MAGIC_OFFSET;
import static dev.hoare.sync.SyncLayout.PARAM_OFFSET;
import static dev.hoare.sync.SyncLayout.VERSION;
import static dev.hoare.sync.SyncLayout.VERSION_OFFSET;

import dev.hoare.channels.shm.Futex;
import dev.hoare.channels.shm.RingMapping;
import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;
import jnr.ffi.Pointer;

/**
 * One primitive's shared file, mapped: made (complete, in a temporary file linked under its
 * name, so nobody maps a half-written header) or opened (checked: this user's regular file,
 * the magic, the version, the kind), with atomic accessors on its words and futex waits on them.
 *
 * <p>Invariants: {@link #buffer} is the whole file, mapped read-write, until {@link #close};
 * after that every access throws {@link IllegalStateException} (Java 22 and later unmap at once;
 * see {@link RingMapping}); a futex call made after the close is harmless (the kernel refuses an
 * unmapped address).
 */
final class SyncFile implements AutoCloseable {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

    final Path path;
    final String name;
    private final RingMapping mapping;
    private final ByteBuffer buffer;
    /** The mapping's address, for futexes; {@code null} where there are none (then waits poll). */
    private final Pointer address;
    private volatile boolean closed;

    private SyncFile(Path path, String name, RingMapping mapping) {
        this.path = path;
        this.name = name;
        this.mapping = mapping;
        this.buffer = mapping.buffer.order(ByteOrder.nativeOrder());
        this.address = Futex.AVAILABLE ? Futex.address(buffer) : null;
    }

    /**
     * Opens the primitive's file, making it if missing.
     *
     * @param name a logical name (as for {@code shm:} channels) or an absolute path
     * @param kind what it must be
     * @param param a semaphore's permits (0 for the others): a file made here gets it, an
     *     existing one must have it
     * @param size the file's size
     * @param init writes the initial state into a new file's buffer (the header is written here)
     * @throws IllegalArgumentException for an invalid name, or an existing file with another param
     * @throws IOException if it cannot be made or opened, or is not this kind's file
     */
    static SyncFile open(String name, SyncLayout.Kind kind, int param, int size, java.util.function.Consumer<ByteBuffer> init)
            throws IOException {
        Path path = Shms.path(name);
        Shms.checkOwner(path);
        for (int attempt = 0; ; attempt++) {
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                create(path, kind, param, size, init); // lost a race to another creator: opened below
            }
            try {
                return openExisting(path, name, kind, param, size);
            } catch (NoSuchFileException removedMeanwhile) {
                if (attempt == 3) {
                    throw removedMeanwhile;
                }
            }
        }
    }

    /** Makes the file complete under a temporary name, then links it under its own; a file there already wins. */
    private static void create(Path path, SyncLayout.Kind kind, int param, int size, java.util.function.Consumer<ByteBuffer> init)
            throws IOException {
        // a leading '.' is no valid logical name: the temporary file never clashes with a channel
        Path temp = path.resolveSibling(".sync-" + ProcessHandle.current().pid() + "-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel file = FileChannel.open(temp, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer content = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
                content.putInt(MAGIC_OFFSET, MAGIC).putInt(VERSION_OFFSET, VERSION).putInt(KIND_OFFSET, kind.code)
                        .putInt(PARAM_OFFSET, param);
                init.accept(content);
                while (content.hasRemaining()) {
                    file.write(content);
                }
                file.force(true);
            }
            try {
                Files.createLink(path, temp);
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: use theirs
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static SyncFile openExisting(Path path, String name, SyncLayout.Kind kind, int param, int size) throws IOException {
        try (FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            Shms.checkOwner(path); // the file opened is this user's regular file
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            while (header.hasRemaining() && file.read(header, header.position()) > 0) {
                // read the header (a file shorter than it fails the magic check)
            }
            check(name, header, kind, param);
            long length = file.size();
            if (length < size) {
                throw new IOException(describe(name) + ": a damaged " + kind.title() + " (" + length + " bytes, where it needs " + size + ")");
            }
            return new SyncFile(path, name, RingMapping.map(file, size));
        }
    }

    private static void check(String name, ByteBuffer header, SyncLayout.Kind kind, int param) throws IOException {
        if (header.position() < 16 || header.getInt(MAGIC_OFFSET) != MAGIC) {
            throw new IOException(describe(name) + " is not a synchronization file (a channel's ring, perhaps)");
        }
        if (header.getInt(VERSION_OFFSET) != VERSION) {
            throw new IOException(describe(name) + " has layout version " + header.getInt(VERSION_OFFSET) + "; this library reads " + VERSION);
        }
        SyncLayout.Kind actual = SyncLayout.Kind.of(header.getInt(KIND_OFFSET));
        if (actual != kind) {
            throw new IOException(describe(name) + " is a " + (actual == null ? "file of unknown kind" : actual.title())
                    + ", not a " + kind.title());
        }
        if (header.getInt(PARAM_OFFSET) != param) {
            throw new IllegalArgumentException(describe(name) + " exists with " + header.getInt(PARAM_OFFSET) + " " + kind.param()
                    + ", not " + param);
        }
    }

    static String describe(String name) {
        return "shm:" + name;
    }

    int getInt(int offset) {
        return (int) INT.getVolatile(buffer, offset);
    }

    void setInt(int offset, int value) {
        INT.setVolatile(buffer, offset, value);
    }

    int addInt(int offset, int delta) {
        return (int) INT.getAndAdd(buffer, offset, delta);
    }

    boolean casInt(int offset, int expected, int value) {
        return INT.compareAndSet(buffer, offset, expected, value);
    }

    long getLong(int offset) {
        return (long) LONG.getVolatile(buffer, offset);
    }

    void setLong(int offset, long value) {
        LONG.setVolatile(buffer, offset, value);
    }

    boolean casLong(int offset, long expected, long value) {
        return LONG.compareAndSet(buffer, offset, expected, value);
    }

    /**
     * Sleeps while the int at {@code offset} is {@code expected}, for at most {@code nanos}; may
     * return early (callers re-check). A virtual thread's wait is made by a platform thread
     * ({@link Sleepers}), so it does not hold its carrier.
     *
     * @throws InterruptedException if the thread is interrupted (seen when the sleep ends)
     */
    void await(int offset, int expected, long nanos) throws InterruptedException {
        if (closed) {
            throw new IllegalStateException(describe(name) + " is closed");
        }
        Sleepers.await(address, offset, expected, nanos);
    }

    /** Wakes every thread of every process sleeping on the int at {@code offset}. */
    void wakeAll(int offset) {
        if (address != null && !closed) {
            Futex.wakeAll(address, offset);
        }
    }

    /** Copies {@code length} bytes at {@code offset} out of the mapping. */
    byte[] read(int offset, int length) {
        byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    /** Copies {@code bytes} into the mapping at {@code offset}. */
    void write(int offset, byte[] bytes) {
        buffer.put(offset, bytes);
    }

    /** Writes the mapped pages to the file's storage ({@code msync}). */
    void force() {
        mapping.force();
    }

    boolean isClosed() {
        return closed;
    }

    /** Unmaps (Java 22 and later; see {@link RingMapping}); idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        mapping.close();
    }
}
