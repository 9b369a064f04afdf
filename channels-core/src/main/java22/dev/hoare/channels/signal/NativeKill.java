package dev.hoare.channels.signal;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * {@code kill(2)} called through the Foreign Function and Memory API, with its {@code errno}.
 *
 * <p>This class is compiled for Java 22 (where that API is final) from {@code src/main/java22}
 * into the same output as the rest of the module, whose release is 21: {@link Signals} loads it
 * only on a Java 22+ runtime and runs the system's {@code kill} command on Java 21. Like every
 * downcall it is a restricted method: without {@code --enable-native-access=ALL-UNNAMED} (or the
 * module's name) the JVM prints a warning the first time, as it does for JNR.
 */
final class NativeKill {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle KILL = LINKER.downcallHandle(
            LINKER.defaultLookup().find("kill").orElseThrow(() -> new UnsupportedOperationException("no kill(2) in libc")),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            Linker.Option.captureCallState("errno"));

    private NativeKill() {
    }

    /**
     * {@code kill(pid, signal)}.
     *
     * @return 0 on success, else the {@code errno} it set
     */
    static int kill(int pid, int signal) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int result = (int) KILL.invokeExact(state, pid, signal);
            return result == 0 ? 0 : (int) ERRNO.get(state, 0L);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("kill(2) failed to run", t);
        }
    }
}
