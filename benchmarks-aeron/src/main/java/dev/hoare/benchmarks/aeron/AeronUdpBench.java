package dev.hoare.benchmarks.aeron;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.FragmentHandler;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
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
 * {@code aeron:} channels between two JVMs over loopback UDP (issue 25), against raw Aeron and
 * {@code uds:}. Each JVM (the benchmark's and a child it starts) runs its own media driver, as two
 * hosts would: the transport's embedded one ({@code driver=embedded}, the default), or for
 * {@code raw-aeron} one this class launches alike (shared threading, 4 MiB terms, the client
 * conductor sleeping 1 ms) with the same idle strategy as the transport's
 * ({@code -Dhoare.aeron.idle}: {@code backoff} by default, {@code yield}, {@code spin},
 * {@code sleep}; the child gets the same). Values are 64-byte {@code byte[]}s
 * ({@link Codec#bytes()}); raw Aeron moves 64-byte messages.
 *
 * <p>{@code impl} is what moves them, with the channels' capacity after a dash:
 * <ul>
 *   <li>{@code aeron-N}: {@code aeron:udp?endpoint=127.0.0.1:PORT&senders=one&capacity=N}, one
 *       channel each way for the round trip;</li>
 *   <li>{@code raw-aeron}: an exclusive publication and a subscription per direction (one stream
 *       each way), {@code offer} / {@code poll} (fragment limit 16, as the transport's links) with
 *       the idle strategy between empty polls; the streaming receiver just counts messages;</li>
 *   <li>{@code raw-aeron-x} (not in the defaults; {@code -p impl=raw-aeron,raw-aeron-x}): as
 *       {@code raw-aeron}, with one more publication and subscription per direction that carry
 *       nothing, on ports of their own, as an {@code aeron:} channel's reply streams: what the
 *       drivers' extra endpoints cost;</li>
 *   <li>{@code uds-N}: {@code uds:} channels ({@code listen=one}), one each way for the round trip.</li>
 * </ul>
 * {@link RoundTrip}: a value out and the child's echo back (µs). {@link Stream}: the child sends as
 * fast as it can, the benchmark receives one value per operation (values per µs).
 */
@Fork(jvmArgsPrepend = {"--enable-native-access=ALL-UNNAMED", ChildJvm.EXPORTS}) // prepended: -jvmArgsAppend stays free for -Dhoare.aeron.idle=...
@State(Scope.Benchmark)
public abstract class AeronUdpBench {
    static final String IDLE_PROPERTY = "hoare.aeron.idle";
    private static final int RAW_STREAM = 2001;
    private static final int FRAGMENT_LIMIT = 16;
    static final int SIZE = 64;

    protected Path dir;
    protected Process child;
    protected SendChannel<byte[]> out;
    protected ReceiveChannel<byte[]> in;
    protected MediaDriver driver;
    protected Aeron aeron;
    protected ExclusivePublication publication;
    protected Subscription subscription;
    protected final IdleStrategy idle = idleStrategy();
    protected final byte[] bytes = new byte[SIZE];
    protected final UnsafeBuffer message = new UnsafeBuffer(new byte[SIZE]);
    /** Raw messages polled and not yet taken by an operation (the streaming receiver's count). */
    protected long counted;
    protected final FragmentHandler count = (buffer, offset, length, header) -> counted++;

    /** @return {@code aeron-N}, {@code raw-aeron} or {@code uds-N} */
    protected abstract String impl();

    /** @return what the child does: {@code echo} or {@code stream} */
    protected abstract String mode();

    /** A value out and the child's echo back: µs per round trip (lower is better). */
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class RoundTrip extends AeronUdpBench {
        @Param({"aeron-64", "raw-aeron", "uds-64"})
        public String impl;

        @Override
        protected String impl() {
            return impl;
        }

        @Override
        protected String mode() {
            return "echo";
        }

        @Benchmark
        public Object roundTrip() throws InterruptedException {
            if (out != null) {
                out.send(bytes);
                return in.receive();
            }
            offer(publication, message, idle);
            idle.reset();
            while (counted == 0) {
                idle.idle(subscription.poll(count, FRAGMENT_LIMIT));
            }
            return counted--;
        }
    }

    /** The child streams, the benchmark receives one value per operation: values per µs (higher is better). */
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public static class Streaming extends AeronUdpBench {
        @Param({"aeron-1024", "aeron-64", "raw-aeron", "uds-1024", "uds-64"})
        public String impl;

        @Override
        protected String impl() {
            return impl;
        }

        @Override
        protected String mode() {
            return "stream";
        }

        @Benchmark
        public Object receive() throws InterruptedException {
            if (in != null) {
                return in.receive();
            }
            idle.reset();
            while (counted == 0) {
                idle.idle(subscription.poll(count, FRAGMENT_LIMIT));
            }
            return counted--;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        Path base = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm") : Path.of(System.getProperty("java.io.tmpdir"));
        dir = Files.createTempDirectory(base, "hoare-aeron-udp-bench");
        int toParent = freeUdpPort();
        int toChild = freeUdpPort();
        String impl = impl();
        boolean echo = mode().equals("echo");
        int extraParent = freeUdpPort();
        int extraChild = freeUdpPort();
        if (impl.startsWith("raw-aeron")) {
            driver = launchDriver(dir.resolve("parent"));
            aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
                    .idleStrategy(new SleepingMillisIdleStrategy(1)));
            subscription = aeron.addSubscription(udp(toParent), RAW_STREAM);
            if (echo) {
                publication = aeron.addExclusivePublication(udp(toChild), RAW_STREAM);
            }
            if (impl.equals("raw-aeron-x")) { // idle extra streams, as a channel's reply streams
                aeron.addSubscription(udp(extraParent), RAW_STREAM);
                aeron.addExclusivePublication(udp(extraChild), RAW_STREAM);
            }
        }
        child = ChildJvm.start(AeronUdpBench.class, impl, mode(), Integer.toString(toParent), Integer.toString(toChild),
                dir.toString(), Integer.toString(extraParent), Integer.toString(extraChild));
        if (impl.startsWith("aeron-") || impl.startsWith("uds-")) {
            in = Channels.openReceive(hoare(impl, dir, toParent, true), Codec.bytes()); // waits for the child's sender
            if (echo) {
                out = Channels.openSend(hoare(impl, dir, toChild, false), Codec.bytes());
            }
        } else if (impl.startsWith("raw-aeron")) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!(subscription.isConnected() && (publication == null || publication.isConnected()))) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("the raw Aeron child did not connect within 60 s");
                }
                Thread.sleep(1);
            }
        } else {
            throw new IllegalArgumentException("impl=" + impl + ": aeron-N, raw-aeron or uds-N");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        child.destroy(); // SIGTERM: its shutdown hooks close its media driver and remove its directory
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (in != null) {
            in.cancel();
        }
        if (out != null) {
            out.close();
        }
        if (aeron != null) {
            aeron.close();
            driver.close();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /**
     * The Hoare channel of {@code impl} at {@code port} (aeron) or {@code DIR/PORT.sock} (uds).
     *
     * @param receiving whether this is the receiving end (which listens, for uds)
     */
    static URI hoare(String impl, Path dir, int port, boolean receiving) {
        int capacity = Integer.parseInt(impl.substring(impl.lastIndexOf('-') + 1));
        if (impl.startsWith("aeron-")) {
            return URI.create("aeron:udp?endpoint=127.0.0.1:" + port + "&senders=one&capacity=" + capacity + "&timeout=60s");
        }
        return URI.create("uds:" + dir.resolve(port + ".sock") + "?capacity=" + capacity + "&timeout=60s"
                + (receiving ? "&listen=one" : ""));
    }

    static String udp(int port) {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    /** A UDP port nobody uses now (bound and released: the child or the driver binds it next). */
    static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            return s.getLocalPort();
        }
    }

    /** A media driver like the transport's embedded one (AeronDrivers.embedded), in {@code dir}. */
    static MediaDriver launchDriver(Path dir) {
        return MediaDriver.launch(new MediaDriver.Context()
                .aeronDirectoryName(dir.toString())
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true)
                .termBufferSparseFile(true)
                .threadingMode(ThreadingMode.SHARED)
                .sharedIdleStrategy(idleStrategy())
                .publicationTermBufferLength(4 << 20)
                .ipcTermBufferLength(4 << 20));
    }

    /** The transport's idle strategy for {@code -Dhoare.aeron.idle}, so the raw pair waits as the channels do. */
    static IdleStrategy idleStrategy() {
        return dev.hoare.channels.aeron.AeronTransport.idleStrategy();
    }

    /** Offers until Aeron takes the message, idling between refusals. */
    static void offer(ExclusivePublication publication, UnsafeBuffer message, IdleStrategy idle) {
        idle.reset();
        long r;
        while ((r = publication.offer(message, 0, message.capacity())) < 0) {
            if (r == io.aeron.Publication.CLOSED) {
                throw new IllegalStateException("publication " + publication.channel() + " closed"); // the child's exit
            }
            if (r == io.aeron.Publication.MAX_POSITION_EXCEEDED) {
                throw new IllegalStateException("publication " + publication.channel() + ": max position exceeded");
            }
            idle.idle();
        }
    }

    /** The child: {@code IMPL echo|stream TO_PARENT_PORT TO_CHILD_PORT DIR EXTRA_PARENT_PORT EXTRA_CHILD_PORT}; runs until killed. */
    public static void main(String[] args) throws Exception {
        String impl = args[0];
        boolean echo = args[1].equals("echo");
        int toParent = Integer.parseInt(args[2]);
        int toChild = Integer.parseInt(args[3]);
        Path dir = Path.of(args[4]);
        if (!impl.startsWith("raw-aeron")) {
            SendChannel<byte[]> toP = Channels.openSend(hoare(impl, dir, toParent, false), Codec.bytes());
            try {
                if (!echo) {
                    byte[] m = new byte[SIZE];
                    while (true) {
                        toP.send(m);
                    }
                }
                ReceiveChannel<byte[]> fromP = Channels.openReceive(hoare(impl, dir, toChild, true), Codec.bytes());
                for (byte[] m : fromP) {
                    toP.send(m);
                }
            } catch (ChannelClosedException e) {
                // the benchmark's end went first (its tear-down): done
            }
            System.exit(0);
        }
        try (MediaDriver driver = launchDriver(dir.resolve("child"));
             Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName())
                     .idleStrategy(new SleepingMillisIdleStrategy(1)))) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                aeron.close();
                driver.close();
            }));
            ExclusivePublication pub = aeron.addExclusivePublication(udp(toParent), RAW_STREAM);
            if (impl.equals("raw-aeron-x")) {
                aeron.addSubscription(udp(Integer.parseInt(args[6])), RAW_STREAM);
                aeron.addExclusivePublication(udp(Integer.parseInt(args[5])), RAW_STREAM);
            }
            IdleStrategy idle = idleStrategy();
            UnsafeBuffer m = new UnsafeBuffer(new byte[SIZE]);
            if (!echo) {
                while (!pub.isConnected()) {
                    Thread.sleep(1);
                }
                try {
                    while (true) {
                        offer(pub, m, idle);
                    }
                } catch (IllegalStateException closedAtExit) {
                    return;
                }
            }
            Subscription sub = aeron.addSubscription(udp(toChild), RAW_STREAM);
            IdleStrategy writeIdle = idleStrategy();
            FragmentHandler back = (buffer, offset, length, header) -> {
                m.putBytes(0, buffer, offset, length);
                offer(pub, m, writeIdle);
            };
            while (true) {
                idle.idle(sub.poll(back, FRAGMENT_LIMIT));
            }
        }
    }
}
