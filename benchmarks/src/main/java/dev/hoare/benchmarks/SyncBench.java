package dev.hoare.benchmarks;

import dev.hoare.sync.Mutex;
import dev.hoare.sync.Semaphore;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
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
 * Cross-process locking, one acquire and its release per operation: {@code semaphore} (a
 * {@link Semaphore} of one permit), {@code mutex} ({@link Mutex}) and {@code filelock} (the JDK's
 * {@link FileChannel#lock()}, an {@code fcntl} lock, the usual way to exclude another JVM).
 * {@code uncontended}: this process alone; {@code contended}: a child JVM takes and releases the
 * same lock in a loop meanwhile, so most acquires wait for the other process (the time then
 * includes the child's hold and the hand-over; none of these locks is fair, so it also shows how
 * often the waiter gets in: at the end of each contended trial the child's own rate is printed,
 * "child: N acquire/release per us", from a counter it keeps in a mapped file).
 */
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SyncBench {
    @Param({"semaphore", "mutex", "filelock"})
    public String impl;

    @Param({"uncontended", "contended"})
    public String contention;

    private Path dir;
    private Process child;
    private Locker locker;
    private java.nio.MappedByteBuffer childCount;
    private long trialStart;

    /** One lock, taken and released. */
    interface Locker extends AutoCloseable {
        void lock() throws Exception;

        void unlock() throws Exception;

        @Override
        void close() throws Exception;
    }

    static Locker open(String impl, Path dir) throws IOException {
        String file = dir.resolve(impl).toString();
        return switch (impl) {
            case "semaphore" -> {
                Semaphore s = new Semaphore(file, 1);
                yield new Locker() {
                    public void lock() throws InterruptedException {
                        s.acquire();
                    }

                    public void unlock() {
                        s.release();
                    }

                    public void close() {
                        s.close();
                    }
                };
            }
            case "mutex" -> {
                Mutex m = new Mutex(file);
                yield new Locker() {
                    public void lock() throws InterruptedException {
                        m.lock();
                    }

                    public void unlock() {
                        m.unlock();
                    }

                    public void close() {
                        m.close();
                    }
                };
            }
            case "filelock" -> {
                FileChannel ch = FileChannel.open(Path.of(file), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                yield new Locker() {
                    private FileLock held;

                    public void lock() throws IOException {
                        held = ch.lock();
                    }

                    public void unlock() throws IOException {
                        held.release();
                    }

                    public void close() throws IOException {
                        ch.close();
                    }
                };
            }
            default -> throw new IllegalArgumentException(impl);
        };
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-sync-bench");
        locker = open(impl, dir);
        ChildJvm.pinCurrentThread();
        if (contention.equals("contended")) {
            child = ChildJvm.start(SyncBench.class, impl, dir.toString());
            Path ready = dir.resolve("ready");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(ready)) {
                if (System.nanoTime() > deadline || !child.isAlive()) {
                    throw new IllegalStateException("the child did not start");
                }
                Thread.sleep(10);
            }
            childCount = count(dir);
            trialStart = System.nanoTime();
        }
    }

    /** The child's acquisitions, a long at offset 0 of the file {@code count}. */
    private static java.nio.MappedByteBuffer count(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve("count"), StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            return (java.nio.MappedByteBuffer) ch.map(FileChannel.MapMode.READ_WRITE, 0, 8).order(java.nio.ByteOrder.nativeOrder());
        }
    }

    @Benchmark
    public void acquireRelease() throws Exception {
        locker.lock();
        locker.unlock();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        if (child != null) {
            double perUs = childCount.getLong(0) * 1000.0 / (System.nanoTime() - trialStart);
            System.out.printf("%nchild: %.2f acquire/release per us (this process: see the score)%n", perUs);
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        locker.close();
        RawBytes.deleteDirectory(dir);
    }

    /** The contending child: takes and releases the lock in a loop until killed. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        java.nio.MappedByteBuffer count = count(dir);
        try (Locker l = open(args[0], dir)) {
            Files.createFile(dir.resolve("ready"));
            for (long n = 1; ; n++) {
                l.lock();
                l.unlock();
                count.putLong(0, n); // a plain store: the parent reads it once, at the end
            }
        }
    }
}
