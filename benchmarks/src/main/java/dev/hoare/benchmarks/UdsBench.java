package dev.hoare.benchmarks;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Unix sockets between two JVMs. {@link #stream}: a child process sends messages of {@link #size}
 * bytes as fast as it can, the benchmark thread receives one per operation (messages per second).
 * {@link PingPong}: the benchmark sends a message and waits for the child's echo (round trip, µs).
 * {@code hoare}: one-to-one {@code uds:} channels of {@code byte[]} ({@link UnixChannels#acceptOne}
 * and {@link UnixChannels#connectSend}), capacity 256 (the ping-pong uses one channel each way,
 * each on its own socket), received and sent on the benchmark's platform thread; {@code hoare-rpc}:
 * a request/response connection ({@link UnixChannels#serve} in the child,
 * {@link UnixChannels#connect} here), a channel each way over one socket, as the raw pair has.
 * {@code raw}: a JDK {@link SocketChannel} pair moving
 * the same bytes: for streaming 64 KiB writes and reads with the benchmark taking {@code size}
 * bytes per operation; for the ping-pong one write of {@code size} bytes each way.
 * {@code framed} (streaming only): the least any channel of separate values must do, the ceiling
 * for one: the child puts each message behind a 4-byte length into a 64 KiB buffer and writes it
 * when full, the benchmark reads 64 KiB at a time and takes each message into a new array of its
 * own (no flow control, no threads besides the two). {@link #capacity} is the channels' capacity
 * (their credit window; {@code -p capacity=65536}
 * shows streaming with the window out of the way).
 */
@State(Scope.Benchmark)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public abstract class UdsBench {
    /** What moves the bytes (each benchmark declares its own choices). */
    protected abstract String impl();

    @Param({"256"})
    public int capacity;

    @Param({"64", "4096"})
    public int size;

    protected Path dir;
    protected Process child;
    protected ReceiveChannel<byte[]> in;
    protected SendChannel<byte[]> out;
    protected StreamChannels.Duplex<byte[], byte[]> connection;
    protected SocketChannel raw;
    protected ServerSocketChannel rawServer;
    protected final ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 16).limit(0);
    protected ByteBuffer message;
    protected byte[] payload;

    /** @return what the child does: {@code stream} or {@code echo} */
    protected abstract String mode();

    /** Streaming from the child: messages received per second (higher is better). */
    public static class Stream extends UdsBench {
        @Param({"hoare", "hoare-rpc", "framed", "raw"})
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
        @BenchmarkMode(Mode.Throughput)
        public Object receive() throws Exception {
            if (in != null) {
                return in.receive();
            }
            if (impl.equals("framed")) {
                return RawBytes.takeFramed(buffer, raw);
            }
            return RawBytes.take(buffer, raw, size);
        }
    }

    /** A message out and the child's echo back: µs per round trip (lower is better). */
    public static class PingPong extends UdsBench {
        @Param({"hoare", "hoare-rpc", "raw"})
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
        @BenchmarkMode(Mode.AverageTime)
        public Object roundTrip() throws Exception {
            if (out != null) {
                out.send(payload);
                return in.receive();
            }
            message.clear();
            while (message.hasRemaining()) {
                raw.write(message);
            }
            message.clear();
            while (message.hasRemaining()) {
                if (raw.read(message) < 0) {
                    throw new IllegalStateException("the echo went away");
                }
            }
            return message;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws Exception {
        dir = Files.createTempDirectory("hoare-uds-bench");
        Path path = dir.resolve("s.sock");
        payload = new byte[size];
        message = ByteBuffer.allocateDirect(size);
        String impl = impl();
        if (impl.equals("framed") && mode().equals("echo")) {
            throw new IllegalArgumentException("framed is a streaming baseline: there is no framed ping-pong");
        }
        if (impl.equals("raw") || impl.equals("framed")) {
            rawServer = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            rawServer.bind(UnixDomainSocketAddress.of(path));
        }
        ChildJvm.pinCurrentThread();
        child = ChildJvm.start(UdsBench.class, impl, mode(), path.toString(), Integer.toString(size), Integer.toString(capacity));
        if (impl.equals("hoare")) {
            in = UnixChannels.acceptOne(path, Codec.bytes(), serverOptions(capacity)); // the child connects when it is up
            if (mode().equals("echo")) {
                out = UnixChannels.connectSend(dir.resolve("back.sock"), Codec.bytes(), options(capacity));
            }
        } else if (impl.equals("hoare-rpc")) {
            connection = UnixChannels.connect(path, Codec.bytes(), Codec.bytes(), options(capacity)); // retries until the child serves
            in = connection.in();
            out = mode().equals("echo") ? connection.out() : null;
        } else {
            raw = rawServer.accept();
        }
    }

    static UnixServer.Options serverOptions(int capacity) {
        return UnixServer.Options.defaults().withStream(options(capacity));
    }

    static StreamOptions options(int capacity) {
        return StreamOptions.defaults().withCapacity(capacity).withTimeout(Duration.ofSeconds(60))
                .withLiveness(dev.hoare.channels.spi.Endpoint.parseDuration(BenchLiveness.option()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException, InterruptedException {
        child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        if (connection != null) {
            connection.close();
        } else if (in != null) {
            in.cancel();
        }
        if (out != null) {
            out.close();
        }
        if (raw != null) {
            raw.close();
            rawServer.close();
        }
        RawBytes.deleteDirectory(dir);
    }

    /** The child: {@code hoare|hoare-rpc|raw stream|echo PATH SIZE CAPACITY}; runs until killed. */
    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[2]);
        int size = Integer.parseInt(args[3]);
        int capacity = Integer.parseInt(args[4]);
        boolean echo = args[1].equals("echo");
        if (args[0].equals("hoare-rpc")) { // a request/response server: one connection, a channel each way
            try (UnixServer<StreamChannels.Duplex<byte[], byte[]>> server = UnixChannels.serve(path, Codec.bytes(),
                    Codec.bytes(), serverOptions(capacity));
                 StreamChannels.Duplex<byte[], byte[]> c = server.channel().receive()) {
                byte[] m = new byte[size];
                while (true) {
                    c.out().send(echo ? c.in().receive() : m);
                }
            }
        }
        if (args[0].equals("hoare")) {
            SendChannel<byte[]> toParent = UnixChannels.connectSend(path, Codec.bytes(), options(capacity));
            if (!echo) {
                byte[] m = new byte[size];
                while (true) {
                    toParent.send(m);
                }
            }
            ReceiveChannel<byte[]> back = UnixChannels.acceptOne(path.resolveSibling("back.sock"), Codec.bytes(), serverOptions(capacity));
            while (true) {
                toParent.send(back.receive());
            }
        }
        try (SocketChannel s = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            if (args[0].equals("framed")) {
                RawBytes.writeFramed(s, size, 1 << 16);
            }
            ByteBuffer b = ByteBuffer.allocateDirect(echo ? size : (1 << 16) / size * size);
            while (true) {
                if (echo) {
                    b.clear();
                    while (b.hasRemaining()) {
                        if (s.read(b) < 0) {
                            return;
                        }
                    }
                    b.flip();
                }
                b.clear();
                while (b.hasRemaining()) {
                    s.write(b);
                }
            }
        }
    }
}
