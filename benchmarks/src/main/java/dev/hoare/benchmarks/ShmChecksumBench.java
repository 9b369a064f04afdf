package dev.hoare.benchmarks;

import dev.hoare.channels.shm.ShmRing;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * What a CRC32C per record ({@code shm:...?checksum=crc32c}) costs the ring itself, apart from
 * any other process or core: one thread offers a record of {@link #size} bytes into a 1 MiB ring
 * in {@code /dev/shm} and reads it back, with and without checksums (ns per record written and
 * read: the sender's checksum and the reader's check both count).
 */
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ShmChecksumBench {
    /** {@code none} or {@code crc32c}, as the URI option says. */
    @Param({"none", "crc32c"})
    public String checksum;

    @Param({"64", "4096"})
    public int size;

    private Path dir;
    private ShmRing ring;
    private byte[] record;
    private long sum;
    private final ShmRing.Handler handler = (type, buffer, offset, length) -> sum += buffer.get(offset + length - 1);

    @Setup
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-checksum-bench");
        ring = ShmRing.create(dir.resolve("ring"), 1 << 20, checksum.equals("crc32c"));
        record = new byte[size];
    }

    @Benchmark
    public long offerAndRead() {
        ring.offer(0, record, 0, record.length);
        ring.read(handler, 1);
        return sum;
    }

    @TearDown
    public void tearDown() throws Exception {
        ring.close();
        RawBytes.deleteDirectory(dir);
    }
}
