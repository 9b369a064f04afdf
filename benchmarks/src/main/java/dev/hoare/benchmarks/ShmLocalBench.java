package dev.hoare.benchmarks;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.shm.ShmRing;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a {@code shm:} channel adds to its ring, without a second process or thread: one thread
 * sends a 64-byte {@code byte[]} and receives it back (ns per send + receive). {@code channel}: a
 * {@code shm:} channel's two ends in this process ({@code wait=spin}); {@code ring}: the same
 * bytes through {@link ShmRing#offer} and {@link ShmRing#read} alone. The difference is the
 * channel ends' own cost (frames, codec, locks, copies), which every cross-process round trip
 * pays twice.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(jvmArgsAppend = "--enable-native-access=ALL-UNNAMED")
public class ShmLocalBench {
    private Path dir;
    private SendChannel<byte[]> out;
    private ReceiveChannel<byte[]> in;
    private ShmRing ring;
    private final byte[] message = new byte[64];
    private final byte[] copy = new byte[64];
    private final ShmRing.Handler take = (type, buffer, offset, length) -> buffer.get(offset, copy, 0, length);

    @Setup
    public void setup() throws Exception {
        dir = RawBytes.memoryScratchDirectory("hoare-shm-local");
        java.net.URI uri = ShmBench.uri(dir.resolve("channel"), "spin", "none");
        var receiving = java.util.concurrent.CompletableFuture.supplyAsync(() -> { // it awaits the sender's HELLO
            try {
                return Channels.openReceive(uri, Codec.bytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        out = Channels.openSend(uri, Codec.bytes());
        in = receiving.get(60, TimeUnit.SECONDS);
        ring = ShmRing.create(dir.resolve("ring"), 1 << 20);
    }

    @Benchmark
    public byte[] channel() throws InterruptedException {
        out.send(message);
        return in.receive();
    }

    @Benchmark
    public byte[] ring() {
        if (!ring.offer(0, message, 0, message.length) || ring.read(take, 1) != 1) {
            throw new IllegalStateException("the ring should take and give back one record");
        }
        return copy;
    }

    @TearDown
    public void tearDown() throws Exception {
        out.close();
        in.cancel();
        ring.close();
        RawBytes.deleteDirectory(dir);
    }
}
