package dev.hoare.channels.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Kryo codec behind a real stream channel: what a receiver does with a foreign payload. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KryoOverAStreamTest {
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** A value of a test record. */
    record Point(int x, int y) {
    }

    /** A class the receiver never registered. */
    record Intruder(String command) {
    }

    @Test
    void aKryoFrameNamingAClassTheReceiverDidNotRegisterClosesItWithAProtocolError() throws Exception {
        SocketChannel[] s = socketPair();
        Codec<Point> points = KryoCodec.of(Point.class);
        StreamOptions options = StreamOptions.defaults().withCapacity(4).withTimeout(Duration.ofSeconds(20));
        CompletableFuture<ReceiveChannel<Point>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                ReceiveChannel<Point> r = StreamChannels.receiver(Links.socket(s[1], "test receiver"), points, options);
                open.add(r);
                return r;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Codec<Object> wider = KryoCodec.of(Object.class, Point.class, Intruder.class); // the writer registered more
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello(points.id(), 1 << 20))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(points.encode(new Point(1, 2))))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(wider.encode(new Intruder("rm -rf /"))))));
        ReceiveChannel<Point> in = receiving.get(20, TimeUnit.SECONDS);
        assertEquals(new Point(1, 2), in.receive(Duration.ofSeconds(20)).orElseThrow());
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
        assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains("not registered"), closed.getCause().getMessage());
    }

    /** Two connected Unix sockets (the socket file is gone once they are connected). */
    private SocketChannel[] socketPair() throws IOException {
        Path dir = Files.createTempDirectory("hoare-kryo-pair");
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel b = server.accept();
            open.add(a);
            open.add(b);
            return new SocketChannel[] {a, b};
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
