package dev.hoare.channels.shm;

import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * Linux futexes on words of a shared mapping, through jnr-ffi's {@code syscall}: a thread of one
 * process sleeps in the kernel until a thread of another wakes it, burning no CPU meanwhile.
 * Never the {@code PRIVATE} flag: the waiters and wakers are in different processes. Elsewhere
 * than Linux on x86-64 or AArch64 {@link #AVAILABLE} is {@code false} and callers poll instead.
 *
 * <p>Public for the cross-process primitives of {@code dev.hoare.sync} (module channels-sync),
 * which wait on words of their own mappings; not meant for applications.
 */
public final class Futex {
    private Futex() {
    }

    /** libc's {@code syscall}, with the futex call's arguments. */
    public interface LibC {
        long syscall(long number, Pointer address, int op, int value, Pointer timeout, Pointer address2, int value3);
    }

    private static final int FUTEX_WAIT = 0;
    private static final int FUTEX_WAKE = 1;
    private static final long SYS_FUTEX = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> 202;
        case "aarch64" -> 98;
        default -> -1;
    };
    private static final LibC LIBC = load();
    /** Whether futexes can be used here. */
    public static final boolean AVAILABLE = LIBC != null;

    private static LibC load() {
        if (SYS_FUTEX < 0 || !System.getProperty("os.name").equals("Linux")) {
            return null;
        }
        try {
            return LibraryLoader.create(LibC.class).load("c");
        } catch (LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Each sleeping thread's {@code struct timespec}, allocated once rather than on every sleep. */
    private static final ThreadLocal<Pointer> TIMEOUT =
            ThreadLocal.withInitial(() -> Memory.allocateDirect(jnr.ffi.Runtime.getRuntime(LIBC), 16));

    /** @return a pointer to a direct buffer's memory (the buffer must stay reachable while it is used) */
    public static Pointer address(ByteBuffer direct) {
        return Pointer.wrap(jnr.ffi.Runtime.getRuntime(LIBC), direct);
    }

    /**
     * Sleeps while the int at {@code word + offset} is {@code expected}, for at most
     * {@code timeoutNanos}. Returns at once if the word differs; may return early (a wake, a
     * signal, spuriously): callers re-check their condition.
     */
    public static void await(Pointer word, long offset, int expected, long timeoutNanos) {
        Pointer timeout = TIMEOUT.get();
        timeout.putLong(0, timeoutNanos / 1_000_000_000L);
        timeout.putLong(8, timeoutNanos % 1_000_000_000L);
        LIBC.syscall(SYS_FUTEX, word.slice(offset), FUTEX_WAIT, expected, timeout, null, 0);
    }

    /** Wakes every thread sleeping on the int at {@code word + offset}. */
    public static void wakeAll(Pointer word, long offset) {
        LIBC.syscall(SYS_FUTEX, word.slice(offset), FUTEX_WAKE, Integer.MAX_VALUE, null, null, 0);
    }

    /** Wakes at most {@code count} threads sleeping on the int at {@code word + offset}. */
    public static void wake(Pointer word, long offset, int count) {
        LIBC.syscall(SYS_FUTEX, word.slice(offset), FUTEX_WAKE, count, null, null, 0);
    }
}
