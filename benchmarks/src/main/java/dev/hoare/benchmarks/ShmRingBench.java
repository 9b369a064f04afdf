package dev.hoare.benchmarks;

import dev.hoare.channels.shm.ShmRing;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.OneToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The shared-memory ring alone, before channels sit on it: a child JVM offers 64-byte records
 * into a ring in a mapped {@code /dev/shm} file as fast as it can (spinning when full), and the
 * benchmark thread takes one record per operation, reading in batches of up to 256 (messages per
 * microsecond). {@code hoare}: {@link ShmRing} (many-producers claim by compare-and-set).
 * {@code agrona}: Agrona's {@link OneToOneRingBuffer} on the same kind of file, the peer named by
 * issue 8; {@code agrona-m2o}: Agrona's {@link ManyToOneRingBuffer}, which claims by
 * compare-and-set on the tail as {@link ShmRing} does (a ring many processes may write). Every
 * ring has 1 MiB of records. Agrona 2 reads {@code jdk.internal.misc.Unsafe}, so both JVMs get
 * {@code --add-exports java.base/jdk.internal.misc=ALL-UNNAMED}.
 */
@Fork(jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", ShmRingBench.AGRONA_EXPORTS})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ShmRingBench {
    static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    private static final int CAPACITY = 1 << 20;
    private static final int SIZE = 64;

    @Param({"hoare", "agrona", "agrona-m2o"})
    public String impl;

    private Path dir;
    private Process producer;
    private ShmRing ring;
    private RingBuffer agrona;
    private int pending;
    private long checksum;
    private final ShmRing.Handler hoareHandler = (type, buffer, offset, length) -> checksum += buffer.get(offset);
    private final org.agrona.concurrent.MessageHandler agronaHandler = (type, buffer, offset, length) -> checksum += buffer.getByte(offset);

    @Setup
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-shm-bench");
        Path file = dir.resolve("ring");
        if (impl.equals("hoare")) {
            ring = ShmRing.create(file, CAPACITY);
        } else {
            agrona = ring(impl, agronaFile(file, true));
        }
        ChildJvm.pinCurrentThread();
        producer = ChildJvm.start(ShmRingBench.class, List.of(AGRONA_EXPORTS), impl, file.toString());
    }

    private static MappedByteBuffer agronaFile(Path file, boolean create) throws IOException {
        int length = CAPACITY + RingBufferDescriptor.TRAILER_LENGTH;
        try (FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            if (create) {
                ch.write(java.nio.ByteBuffer.allocate(length)); // pre-touch, as ShmRing.create does
            }
            return ch.map(FileChannel.MapMode.READ_WRITE, 0, length);
        }
    }

    /** Agrona's one-producer ring ({@code agrona}) or its many-producers ring ({@code agrona-m2o}). */
    private static RingBuffer ring(String impl, MappedByteBuffer file) {
        UnsafeBuffer buffer = new UnsafeBuffer(file);
        return impl.equals("agrona") ? new OneToOneRingBuffer(buffer) : new ManyToOneRingBuffer(buffer);
    }

    @Benchmark
    public long receive() {
        while (pending == 0) {
            pending = ring != null ? ring.read(hoareHandler, 256) : agrona.read(agronaHandler, 256);
            if (pending == 0) {
                Thread.onSpinWait();
            }
        }
        pending--;
        return checksum;
    }

    @TearDown
    public void tearDown() throws Exception {
        producer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (ring != null) {
            ring.close();
        }
        RawBytes.deleteDirectory(dir);
    }

    /** The producer process: {@code hoare|agrona|agrona-m2o FILE}; offers 64-byte records until killed. */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        byte[] message = new byte[SIZE];
        message[0] = 1;
        if (args[0].equals("hoare")) {
            try (ShmRing ring = ShmRing.open(file)) {
                while (true) {
                    while (!ring.offer(1, message, 0, SIZE)) {
                        Thread.onSpinWait();
                    }
                }
            }
        }
        RingBuffer ring = ring(args[0], agronaFile(file, false));
        UnsafeBuffer src = new UnsafeBuffer(message);
        while (true) {
            while (!ring.write(1, src, 0, SIZE)) {
                Thread.onSpinWait();
            }
        }
    }
}
