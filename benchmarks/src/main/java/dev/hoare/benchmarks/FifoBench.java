package dev.hoare.benchmarks;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.fifo.Fifos;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Streaming through a FIFO between two JVMs: a child process writes messages of {@link #size}
 * bytes as fast as it can, and the benchmark thread receives one per operation (throughput in
 * messages per second). {@code hoare}: a {@code fifo:} channel of {@code byte[]} (frames, outbox
 * batching, reader thread, inbox). {@code raw}: the same bytes with no framing, a
 * {@link FileChannel} writing 64 KiB batches and one reading 64 KiB at a time, the benchmark
 * taking {@code size} bytes per operation: the ceiling. {@code raw-pipebuf}: the same, written in
 * PIPE_BUF (4 KiB) batches, or one message per write if larger: the ceiling for a writer that
 * keeps its frames whole when several writers share the FIFO and one is killed mid-write, as
 * Hoare's does (docs/fifo.md). {@code framed}: the least any channel of separate values must do,
 * its ceiling: each message behind a 4-byte length, in PIPE_BUF writes of whole frames (one frame
 * per write if larger), the benchmark taking each into an array of its own (as
 * {@code UdsBench}'s framed pair, which writes 64 KiB at a time). In 64 KiB writes into a pipe
 * of 64 KiB, writer and reader take turns: the {@code raw} pair moves less than the
 * {@code raw-pipebuf} one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class FifoBench {
    @Param({"hoare", "framed", "raw", "raw-pipebuf"})
    public String impl;

    @Param({"64", "4096"})
    public int size;

    private Path dir;
    private Process writer;
    private ReceiveChannel<byte[]> in;
    private FileChannel raw;
    private final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).limit(0);

    @Setup
    public void setup() throws Exception {
        dir = Files.createTempDirectory("hoare-fifo-bench");
        Path fifo = Fifos.create(dir.resolve("stream").toString());
        ChildJvm.pinCurrentThread();
        writer = ChildJvm.start(FifoBench.class, impl, fifo.toString(), Integer.toString(size));
        if (impl.equals("hoare")) {
            in = Channels.openReceive(uri(fifo), Codec.bytes());
        } else {
            raw = FileChannel.open(fifo, StandardOpenOption.READ);
        }
    }

    private static URI uri(Path fifo) {
        return URI.create("fifo:" + fifo + "?capacity=1024&timeout=60s&liveness=" + BenchLiveness.option());
    }

    @Benchmark
    public Object receive() throws Exception {
        if (in != null) {
            return in.receive();
        }
        if (impl.equals("framed")) {
            return RawBytes.takeFramed(buffer, raw);
        }
        return RawBytes.take(buffer, raw, size);
    }

    @TearDown
    public void tearDown() throws IOException, InterruptedException {
        writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (in != null) {
            in.cancel();
        }
        if (raw != null) {
            raw.close();
        }
        RawBytes.deleteDirectory(dir);
    }

    private static final int PIPE_BUF = 4096;

    /** The writer process: {@code hoare|framed|raw|raw-pipebuf FIFO SIZE}; writes until killed. */
    public static void main(String[] args) throws Exception {
        Path fifo = Path.of(args[1]);
        int size = Integer.parseInt(args[2]);
        if (args[0].equals("hoare")) {
            byte[] message = new byte[size];
            SendChannel<byte[]> out = Channels.openSend(uri(fifo), Codec.bytes());
            while (true) {
                out.send(message);
            }
        }
        try (FileChannel out = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            if (args[0].equals("framed")) {
                RawBytes.writeFramed(out, size, PIPE_BUF); // whole frames, as a channel's writer must
            }
            int batchBytes = args[0].equals("raw-pipebuf") ? Math.max(size, PIPE_BUF / size * size) : (1 << 16) / size * size;
            ByteBuffer batch = ByteBuffer.allocateDirect(batchBytes);
            while (true) {
                batch.clear();
                while (batch.hasRemaining()) {
                    out.write(batch);
                }
            }
        }
    }
}
