package dev.hoare.benchmarks;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.shm.ShmRing;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameWriter;
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
 * Which end bounds a {@code shm:} channel's streaming ({@code ShmBench.Stream}, 64-byte
 * {@code byte[]} values, {@code wait=spin}, a ring of 1 MiB): each end against the bare ring.
 * {@code sender}: the child sends through a channel, the benchmark thread takes the records from
 * the ring itself and counts their DATA frames (msgs/µs the sending end can give). {@code receiver-1}
 * and {@code receiver-64}: the child offers ready-made frames to the ring itself, one or 64 to a
 * record, and the benchmark thread receives them through a channel (msgs/µs the receiving end can
 * take). A channel sending into a ring with room writes one frame to a record; behind a full ring
 * its writer thread writes many.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShmHalvesBench {
    private static final int SIZE = 64;
    private static final int CAPACITY = 1 << 20;

    @Param({"sender", "receiver-1", "receiver-64"})
    public String half;

    private Path dir;
    private Process child;
    private ShmRing ring;
    private ReceiveChannel<byte[]> in;
    private int pending;
    private long checksum;
    /** Counts a record's DATA frames (a record holds whole frames: length, kind, stream, payload). */
    private final ShmRing.Handler count = (type, buffer, offset, length) -> {
        for (int at = offset, end = offset + length; at < end; ) {
            int frame = buffer.getInt(at); // big-endian, as the wire format
            if (buffer.get(at + 4) == FrameKind.DATA.code()) {
                pending++;
                checksum += buffer.get(at + FrameWriter.HEADER);
            }
            at += 4 + frame;
        }
    };

    @Setup
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-shm-halves");
        Path file = dir.resolve("ring");
        java.net.URI uri = ShmBench.uri(file, "spin", "none");
        if (half.equals("sender")) {
            ring = ShmRing.create(file, CAPACITY);
            ring.registerConsumer();
            ChildJvm.pinCurrentThread();
            child = ChildJvm.start(ShmHalvesBench.class, "sender", uri.toString());
        } else {
            ChildJvm.pinCurrentThread();
            child = ChildJvm.start(ShmHalvesBench.class, "frames", file.toString(), half.substring("receiver-".length()));
            in = Channels.openReceive(uri, Codec.bytes());
        }
    }

    @Benchmark
    public long take() throws InterruptedException {
        if (in != null) {
            return in.receive().length;
        }
        while (pending == 0) {
            if (ring.read(count, 64, 1 << 16) == 0) {
                Thread.onSpinWait();
            }
        }
        pending--;
        return checksum;
    }

    @TearDown
    public void tearDown() throws Exception {
        if (in != null) {
            in.cancel();
        }
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (ring != null) {
            ring.close();
        }
        RawBytes.deleteDirectory(dir);
    }

    /**
     * The child: {@code sender URI} sends 64-byte values through a channel forever;
     * {@code frames FILE N} waits for the ring's reader, then offers records of N ready-made
     * DATA frames forever, after a HELLO, as a channel's writer would.
     */
    public static void main(String[] args) throws Exception {
        byte[] message = new byte[SIZE];
        message[0] = 1;
        if (args[0].equals("sender")) {
            SendChannel<byte[]> out = Channels.openSend(java.net.URI.create(args[1]), Codec.bytes());
            while (true) {
                out.send(message);
            }
        }
        int frames = Integer.parseInt(args[2]);
        ShmRing ring = awaitReader(Path.of(args[1]));
        int type = (((int) ProcessHandle.current().pid() & 0x7F_FFFF) << 7) << 1; // writer id << 1 | DATA, as ShmLink
        byte[] hello = FrameWriter.encode(Frame.hello(Codec.bytes().id(), Frame.DEFAULT_MAX_FRAME));
        offer(ring, type, hello, hello.length);
        int frameLength = FrameWriter.HEADER + SIZE;
        byte[] record = new byte[frames * frameLength];
        for (int i = 0; i < frames; i++) {
            FrameWriter.writeHeader(record, i * frameLength, FrameKind.DATA, Frame.FIRST_STREAM, SIZE);
            System.arraycopy(message, 0, record, i * frameLength + FrameWriter.HEADER, SIZE);
        }
        while (true) {
            offer(ring, type, record, record.length);
        }
    }

    private static ShmRing awaitReader(Path file) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                ShmRing ring = ShmRing.open(file);
                if (ring.consumerPid() != 0) {
                    return ring;
                }
                ring.close();
            } catch (java.io.IOException notYet) {
                // not created yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no reader for " + file);
            }
            Thread.sleep(5);
        }
    }

    private static void offer(ShmRing ring, int type, byte[] record, int length) {
        while (!ring.offer(type, record, 0, length)) {
            Thread.onSpinWait();
        }
    }
}
