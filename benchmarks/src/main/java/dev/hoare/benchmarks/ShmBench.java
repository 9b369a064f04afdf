package dev.hoare.benchmarks;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.net.URI;
import java.nio.file.Path;
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
 * {@code shm:} channels of 64-byte {@code byte[]} values between two JVMs, rings of 1 MiB in
 * {@code /dev/shm}, the reader waiting as {@link #wait} says ({@code spin}: never sleeps;
 * {@code block}: sleeps on a futex at once). {@link Stream}: a child sends as fast as it can, the
 * benchmark thread receives one value per operation (msgs/µs). {@link PingPong}: the benchmark
 * sends a value on one ring and receives the child's echo on another (µs per round trip).
 * Compare with {@code UdsBench} and {@code ShmRingBench} run alongside.
 */
@State(Scope.Benchmark)
public abstract class ShmBench {
    @Param({"spin", "yield", "block"})
    public String wait;

    /**
     * {@code none}, or {@code crc32c}: a CRC32C in every record, written by the sender and checked
     * by the reader (docs/benchmarks.md, "shm: checksums"). Run both with {@code -p checksum=none,crc32c}.
     */
    @Param({"none"})
    public String checksum;

    Path dir;
    Process child;

    URI uri(Path ring) {
        return uri(ring, wait, checksum);
    }

    static URI uri(Path ring, String wait, String checksum) {
        return URI.create("shm:" + ring + "?capacity=1024&timeout=60s&wait=" + wait + "&checksum=" + checksum
                + "&liveness=" + BenchLiveness.option());
    }

    void start(String role, Path... rings) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of(role, wait, checksum));
        for (Path r : rings) {
            args.add(r.toString());
        }
        ChildJvm.pinCurrentThread();
        child = ChildJvm.start(ShmBench.class, args.toArray(String[]::new));
    }

    Path scratch() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-shm-bench");
        return dir;
    }

    void stop() throws Exception {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        RawBytes.deleteDirectory(dir);
    }

    /** Streaming: receive one value per operation. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class Stream extends ShmBench {
        private ReceiveChannel<byte[]> in;

        @Setup
        public void setup() throws Exception {
            Path ring = scratch().resolve("stream");
            start("stream", ring);
            in = Channels.openReceive(uri(ring), Codec.bytes());
        }

        @Benchmark
        public byte[] receive() throws InterruptedException {
            return in.receive();
        }

        @TearDown
        public void tearDown() throws Exception {
            in.cancel();
            stop();
        }
    }

    /** Round trip: send one value, receive the echo. */
    @State(Scope.Benchmark)
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class PingPong extends ShmBench {
        private final byte[] message = new byte[64];
        private SendChannel<byte[]> out;
        private ReceiveChannel<byte[]> in;

        @Setup
        public void setup() throws Exception {
            Path ping = scratch().resolve("ping");
            Path pong = dir.resolve("pong");
            start("echo", ping, pong);
            out = Channels.openSend(uri(ping), Codec.bytes()); // first: the child's receive awaits its HELLO
            in = Channels.openReceive(uri(pong), Codec.bytes());
        }

        @Benchmark
        public byte[] roundTrip() throws InterruptedException {
            out.send(message);
            return in.receive();
        }

        @TearDown
        public void tearDown() throws Exception {
            out.close();
            in.cancel();
            stop();
        }
    }

    /** The child: {@code stream WAIT CHECKSUM RING} sends forever; {@code echo WAIT CHECKSUM PING PONG} echoes. */
    public static void main(String[] args) throws Exception {
        String wait = args[1];
        String checksum = args[2];
        if (args[0].equals("stream")) {
            SendChannel<byte[]> out = Channels.openSend(uri(Path.of(args[3]), wait, checksum), Codec.bytes());
            byte[] message = new byte[64];
            while (true) {
                out.send(message);
            }
        }
        ReceiveChannel<byte[]> in = Channels.openReceive(uri(Path.of(args[3]), wait, checksum), Codec.bytes());
        SendChannel<byte[]> out = Channels.openSend(uri(Path.of(args[4]), wait, checksum), Codec.bytes());
        for (byte[] m : in) {
            out.send(m);
        }
    }
}
