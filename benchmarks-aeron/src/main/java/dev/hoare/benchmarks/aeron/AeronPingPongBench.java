package dev.hoare.benchmarks.aeron;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.shm.ShmRing;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
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
 * Round trip of a 64-byte message between two JVMs, both sides busy-spinning: {@code aeron} is
 * Aeron IPC (1.51.0, an embedded media driver in the benchmark's JVM whose conductor sleeps, an
 * exclusive publication and a subscription each way on {@code aeron:ipc}); {@code hoare-ring} is
 * two {@link ShmRing}s in {@code /dev/shm} with {@link ShmRing.WaitStrategy#SPIN};
 * {@code hoare-channel} is a {@code shm:} channel each way ({@code wait=spin}, {@code byte[]}
 * values: frames, codec, channel ends). The target of issue 8: Hoare's spin-mode round trip
 * within 1.5x of Aeron IPC; measured in one run, as this VM's figures move between runs.
 */
@Fork(jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", AeronPingPongBench.EXPORTS, AeronPingPongBench.OPENS})
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class AeronPingPongBench {
    static final String EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";
    static final String OPENS = "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED";
    private static final int PING = 1001;
    private static final int PONG = 1002;

    @Param({"aeron", "hoare-channel", "hoare-ring"})
    public String impl;

    private Path dir;
    private Process child;
    private MediaDriver driver;
    private Aeron aeron;
    private ExclusivePublication publication;
    private Subscription subscription;
    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64]);
    private final FragmentHandler ignore = (buffer, offset, length, header) -> { };
    private ShmRing ping;
    private ShmRing pong;
    private final byte[] bytes = new byte[64];
    private final ShmRing.Handler ignoreRecord = (type, buffer, offset, length) -> { };
    private SendChannel<byte[]> out;
    private ReceiveChannel<byte[]> in;

    @Setup
    public void setup() throws Exception {
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "hoare-aeron-bench");
        if (impl.equals("aeron")) {
            driver = MediaDriver.launch(new MediaDriver.Context().aeronDirectoryName(dir.resolve("aeron").toString())
                    .threadingMode(ThreadingMode.SHARED).sharedIdleStrategy(new SleepingMillisIdleStrategy(1))
                    .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
            publication = aeron.addExclusivePublication("aeron:ipc", PING);
            subscription = aeron.addSubscription("aeron:ipc", PONG);
        } else if (impl.equals("hoare-ring")) {
            ping = ShmRing.create(dir.resolve("ping"), 1 << 16);
            pong = ShmRing.create(dir.resolve("pong"), 1 << 16);
        }
        List<String> command = new java.util.ArrayList<>();
        String pin = System.getenv("HOARE_PIN"); // as in benchmarks/ChildJvm: "PARENT,CHILD" CPUs, for PIN=1 runs
        if (pin != null && pin.matches("\\d+,\\d+")) {
            String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            if (new ProcessBuilder("taskset", "-p", "-c", pin.split(",")[0], tid).start().waitFor() != 0) {
                throw new IllegalStateException("taskset could not pin the benchmark thread");
            }
            command.addAll(List.of("taskset", "-c", pin.split(",")[1]));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", EXPORTS, OPENS, "-cp", System.getProperty("java.class.path"),
                AeronPingPongBench.class.getName(), impl, dir.toString()));
        child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
        if (impl.equals("hoare-channel")) {
            out = Channels.openSend(channel(dir, "ping"), Codec.bytes()); // the child's receive end awaits its HELLO
            in = Channels.openReceive(channel(dir, "pong"), Codec.bytes());
        }
        if (aeron != null) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!(publication.isConnected() && subscription.isConnected())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Aeron child did not connect within 30 s");
                }
                Thread.sleep(1);
            }
        }
    }

    static URI channel(Path dir, String ring) {
        return URI.create("shm:" + dir.resolve(ring) + "?capacityBytes=65536&capacity=1024&wait=spin&timeout=60s");
    }

    @Benchmark
    public Object roundTrip() throws InterruptedException {
        if (out != null) {
            out.send(bytes);
            return in.receive();
        }
        if (aeron != null) {
            while (publication.offer(message, 0, 64) < 0) {
                Thread.onSpinWait();
            }
            int n;
            while ((n = subscription.poll(ignore, 1)) == 0) {
                Thread.onSpinWait();
            }
            return n;
        }
        while (!ping.offer(1, bytes, 0, 64)) {
            Thread.onSpinWait();
        }
        int n;
        while ((n = pong.read(ignoreRecord, 1)) == 0) {
            Thread.onSpinWait();
        }
        return n;
    }

    @TearDown
    public void tearDown() throws Exception {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (aeron != null) {
            aeron.close();
            driver.close();
        } else if (out != null) {
            out.close();
            in.cancel();
        } else {
            ping.close();
            pong.close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The echoing child: {@code aeron|hoare-channel|hoare-ring DIR}; runs until killed. */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("aeron")) {
            try (Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir.resolve("aeron").toString()))) {
                Subscription in = aeron.addSubscription("aeron:ipc", PING);
                ExclusivePublication out = aeron.addExclusivePublication("aeron:ipc", PONG);
                FragmentHandler echo = (buffer, offset, length, header) -> {
                    while (out.offer(buffer, offset, length) < 0) {
                        Thread.onSpinWait();
                    }
                };
                while (true) {
                    if (in.poll(echo, 1) == 0) {
                        Thread.onSpinWait();
                    }
                }
            }
        }
        if (args[0].equals("hoare-channel")) {
            ReceiveChannel<byte[]> pings = Channels.openReceive(channel(dir, "ping"), Codec.bytes());
            SendChannel<byte[]> pongs = Channels.openSend(channel(dir, "pong"), Codec.bytes());
            for (byte[] m : pings) {
                pongs.send(m);
            }
            return;
        }
        byte[] bytes = new byte[64];
        ShmRing.Handler ignore = (type, buffer, offset, length) -> { };
        try (ShmRing ping = ShmRing.open(dir.resolve("ping")); ShmRing pong = ShmRing.open(dir.resolve("pong"))) {
            while (true) {
                while (ping.read(ignore, 1) == 0) {
                    Thread.onSpinWait();
                }
                while (!pong.offer(1, bytes, 0, 64)) {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
