package dev.hoare.channels.shm;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A ring file's mapping, and its release. Invariants:
 * <ul>
 * <li>On Java 22 and later the file is mapped into a shared {@code java.lang.foreign.Arena}, and
 *     {@link #close} unmaps it at once: a closed ring pins no memory, and its file (deleted or
 *     not) leaves {@code /proc/self/maps}, whatever still refers to the ring. A thread that
 *     touches {@link #buffer} after that gets an {@link IllegalStateException} ("Already
 *     closed"), never a fault: the JDK's shared-arena close waits out every access under way.</li>
 * <li>On Java 21, where that API is a preview, the mapping is a plain {@link MappedByteBuffer}
 *     and goes when the garbage collector drops the last reference to it; {@link #close} then
 *     releases nothing.</li>
 * </ul>
 * The arena API is reached by reflection so that the library still compiles for Java 21
 * ({@code maven.compiler.release}); it is looked up once.
 *
 * <p>Public for the cross-process primitives of {@code dev.hoare.sync} (module channels-sync),
 * which map files of their own; not meant for applications.
 */
public final class RingMapping implements AutoCloseable {
    /** {@code Arena.ofShared()}, {@code FileChannel.map(mode, offset, size, arena)}, {@code MemorySegment.asByteBuffer()} and {@code force()}; all {@code null} before Java 22. */
    private static final Method OF_SHARED;
    private static final Method MAP;
    private static final Method AS_BYTE_BUFFER;
    private static final Method FORCE;

    static {
        Method ofShared = null;
        Method map = null;
        Method asByteBuffer = null;
        Method force = null;
        if (Runtime.version().feature() >= 22) {
            try {
                Class<?> arena = Class.forName("java.lang.foreign.Arena");
                Class<?> segment = Class.forName("java.lang.foreign.MemorySegment");
                ofShared = arena.getMethod("ofShared");
                map = FileChannel.class.getMethod("map", FileChannel.MapMode.class, long.class, long.class, arena);
                asByteBuffer = segment.getMethod("asByteBuffer");
                force = segment.getMethod("force");
            } catch (ReflectiveOperationException e) {
                ofShared = null; // not there after all: the garbage collector unmaps
            }
        }
        OF_SHARED = ofShared;
        MAP = ofShared == null ? null : map;
        AS_BYTE_BUFFER = ofShared == null ? null : asByteBuffer;
        FORCE = ofShared == null ? null : force;
    }

    /** The mapped bytes: a direct buffer, in no particular byte order yet. */
    public final ByteBuffer buffer;
    /** The arena to close ({@code null}: unmapped by the garbage collector). */
    private final AutoCloseable arena;
    /** Set by the first {@link #close}: the arena is closed once, so a second close is a no-op. */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The mapped segment, for {@link #force} ({@code null} with {@link #arena}). */
    private final Object segment;

    private RingMapping(ByteBuffer buffer, AutoCloseable arena, Object segment) {
        this.buffer = buffer;
        this.arena = arena;
        this.segment = segment;
    }

    /** @return whether {@link #close} unmaps at once (Java 22 and later) */
    public static boolean unmapsOnClose() {
        return OF_SHARED != null;
    }

    /**
     * Maps {@code size} bytes of the file from its start, read-write.
     *
     * @throws IOException if the mapping fails
     */
    public static RingMapping map(FileChannel file, long size) throws IOException {
        if (OF_SHARED == null) {
            return new RingMapping(file.map(FileChannel.MapMode.READ_WRITE, 0, size), null, null);
        }
        AutoCloseable arena;
        try {
            arena = (AutoCloseable) OF_SHARED.invoke(null);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IOException("could not make an arena for the mapping: " + e, e);
        }
        try {
            Object segment = MAP.invoke(file, FileChannel.MapMode.READ_WRITE, 0L, size, arena);
            return new RingMapping((ByteBuffer) AS_BYTE_BUFFER.invoke(segment), arena, segment);
        } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
            try {
                closeArena(arena);
            } catch (IllegalStateException unmapFailed) {
                e.addSuppressed(unmapFailed);
            }
            Throwable cause = e instanceof InvocationTargetException ite ? ite.getCause() : e;
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("could not map the ring file: " + cause, cause);
        }
    }

    /** Writes the mapped pages to the file's storage ({@code msync}). */
    public void force() {
        if (segment == null) {
            if (buffer instanceof MappedByteBuffer mapped) {
                mapped.force();
            }
            return;
        }
        try {
            FORCE.invoke(segment);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /** Unmaps (Java 22 and later; see the class comment). Idempotent. */
    @Override
    public void close() {
        if (arena != null && closed.compareAndSet(false, true)) {
            closeArena(arena);
        }
    }

    /**
     * Closes an arena that nobody closed before (the callers make sure: a failed {@link #map} owns its
     * fresh arena, and {@link #close} runs this once). So an {@code IllegalStateException} here is
     * not "already closed" but a real failure (the segment still acquired by a native call), and it
     * is reported, not swallowed.
     */
    private static void closeArena(AutoCloseable arena) {
        try {
            arena.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not unmap a ring: " + e, e);
        }
    }
}
