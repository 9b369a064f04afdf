package dev.hoare.benchmarks;

import dev.hoare.channels.shm.ShmRing;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The shm ring's wait strategies, round trip between two JVMs with no channel on top: the
 * benchmark offers a 64-byte record into one ring and waits for the child's echo on another, the
 * child waiting as {@link #impl} says ({@code spin}, {@code backoff}, {@code block}; the
 * benchmark thread waits the same way). {@code futex}: the baseline, a plain futex ping-pong —
 * two processes taking turns on one int in a shared mapping, each sleeping in FUTEX_WAIT until
 * the other's FUTEX_WAKE. The CPU both processes used per round trip is printed at the end of
 * each trial ("cpu per round trip").
 */
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RingPingPongBench {
    @Param({"spin", "backoff", "block", "futex"})
    public String impl;

    private Path dir;
    private Process child;
    private ShmRing ping;
    private ShmRing pong;
    private ShmRing.WaitStrategy wait;
    private final byte[] message = new byte[64];
    private final ShmRing.Handler ignore = (type, buffer, offset, length) -> { };
    private FutexTurns turns;
    private long rounds;
    private long cpuBefore;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-ring-pingpong");
        if (impl.equals("futex")) {
            turns = new FutexTurns(dir.resolve("word"), true);
        } else {
            ping = ShmRing.create(dir.resolve("ping"), 1 << 16);
            pong = ShmRing.create(dir.resolve("pong"), 1 << 16);
            wait = strategy(impl);
        }
        ChildJvm.pinCurrentThread();
        child = ChildJvm.start(RingPingPongBench.class, impl, dir.toString());
        cpuBefore = cpuNanos();
    }

    private long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().orElseThrow().toNanos()
                + child.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(0L);
    }

    private static ShmRing.WaitStrategy strategy(String name) {
        return switch (name) {
            case "spin" -> ShmRing.WaitStrategy.SPIN;
            case "backoff" -> ShmRing.WaitStrategy.BACKOFF;
            default -> ShmRing.WaitStrategy.BLOCK;
        };
    }

    @Benchmark
    public int roundTrip() throws InterruptedException {
        rounds++;
        if (turns != null) {
            turns.pass(0);
            turns.awaitTurn(0);
            return 0;
        }
        while (!ping.offer(1, message, 0, message.length)) {
            Thread.onSpinWait();
        }
        int n;
        while ((n = pong.read(ignore, 1)) == 0) {
            pong.await(wait, TimeUnit.SECONDS.toNanos(1));
        }
        return n;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        System.out.printf("%n%s: cpu per round trip (both processes) %.1f us over %d round trips%n", impl,
                (cpuNanos() - cpuBefore) / 1e3 / Math.max(1, rounds), rounds);
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (ping != null) {
            ping.close();
            pong.close();
        }
        RawBytes.deleteDirectory(dir);
    }

    /**
     * The plain futex ping-pong: one int in a shared file says whose turn it is (0: the
     * benchmark's, 1: the child's); passing the turn writes it and wakes the other.
     */
    static final class FutexTurns {
        /** libc's syscall, for futex. */
        public interface LibC {
            long syscall(long number, Pointer address, int op, int value, Pointer timeout, Pointer address2, int value3);
        }

        private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
        private static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        private static final long SYS_FUTEX = 202; // x86-64
        private final MappedByteBuffer word;
        private final Pointer address;

        FutexTurns(Path file, boolean create) throws java.io.IOException {
            try (FileChannel ch = create
                    ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                    : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                if (create) {
                    ch.write(java.nio.ByteBuffer.allocate(64));
                }
                word = ch.map(FileChannel.MapMode.READ_WRITE, 0, 64);
            }
            address = Pointer.wrap(jnr.ffi.Runtime.getRuntime(LIBC), word);
        }

        /** Gives the turn to the other side ({@code mine} is 0 or 1). */
        void pass(int mine) {
            INT.setVolatile(word, 0, 1 - mine);
            LIBC.syscall(SYS_FUTEX, address, 1, 1, null, null, 0);
        }

        /** Sleeps until the turn is {@code mine}. */
        void awaitTurn(int mine) {
            int now;
            while ((now = (int) INT.getVolatile(word, 0)) != mine) {
                LIBC.syscall(SYS_FUTEX, address, 0, now, null, null, 0);
            }
        }
    }

    /** The child: {@code IMPL DIR}; echoes until killed. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("futex")) {
            FutexTurns turns = new FutexTurns(dir.resolve("word"), false);
            while (true) {
                turns.awaitTurn(1);
                turns.pass(1);
            }
        }
        ShmRing.WaitStrategy wait = strategy(args[0]);
        byte[] message = new byte[64];
        ShmRing.Handler ignore = (type, buffer, offset, length) -> { };
        try (ShmRing ping = ShmRing.open(dir.resolve("ping")); ShmRing pong = ShmRing.open(dir.resolve("pong"))) {
            while (true) {
                while (ping.read(ignore, 1) == 0) {
                    ping.await(wait, TimeUnit.SECONDS.toNanos(1));
                }
                while (!pong.offer(1, message, 0, message.length)) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
