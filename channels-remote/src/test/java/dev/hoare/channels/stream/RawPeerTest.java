package dev.hoare.channels.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A peer written as raw bytes (as another language's client would be) meets a Java end: what it
 * sees when it breaks the protocol (docs/wire-format.md, Handshake and Close).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RawPeerTest {
    private static final int ROUNDS = 50;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final StreamOptions options = StreamOptions.defaults().withCapacity(4).withTimeout(Duration.ofSeconds(20));

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    /** The three ways a HELLO is refused, each with the message the refusing side gives. */
    private static byte[] badHello(int round) {
        byte[] hello = FrameWriter.encode(Frame.hello("utf8", 1 << 20));
        switch (round % 3) {
            case 0 -> hello[9] = 'X'; // magic (after length, kind and stream)
            case 1 -> hello[14] = 1; // version 2 -> 1
            default -> hello = FrameWriter.encode(Frame.hello("bytes", 1 << 20));
        }
        return hello;
    }

    private static String refusal(int round) {
        return switch (round % 3) {
            case 0 -> "not a Hoare peer: magic 0x584f4152";
            case 1 -> "protocol version mismatch: peer speaks 1, we speak 2";
            default -> "codec mismatch: peer uses 'bytes', we use 'utf8'";
        };
    }

    /** Every frame the raw peer reads until the Java end closes the connection. */
    private static List<Frame> readAll(SocketChannel s) {
        List<Frame> frames = new ArrayList<>();
        FrameReader r = new FrameReader(Channels.newInputStream(s), Frame.DEFAULT_MAX_FRAME);
        try {
            for (Frame f; (f = r.read()) != null; ) {
                frames.add(f);
            }
        } catch (IOException e) {
            // a reset after the last frame: the frames before it were read
        }
        return frames;
    }

    private static String kinds(List<Frame> frames) {
        return frames.stream().map(f -> f.kind().name()).toList().toString();
    }

    @Test
    void aRefusedHelloIsAlwaysAnsweredWithAReleaseCarryingTheCause() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            SocketChannel[] s = SocketPairs.open(open);
            CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
                try {
                    return StreamChannels.receiver(Links.socket(s[1], "java receiver"), Codec.utf8(), options);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s[0].write(ByteBuffer.wrap(badHello(round)));
            List<Frame> frames = readAll(s[0]);
            assertEquals("[HELLO, RELEASE]", kinds(frames), "round " + round);
            Frame.RemoteCause cause = frames.get(1).cause();
            assertEquals(ChannelProtocolException.class.getName(), cause.remoteType(), "round " + round);
            assertEquals(ChannelProtocolException.class.getName() + ": " + refusal(round), cause.getMessage(), "round " + round);
            Throwable failure = assertThrows(ExecutionException.class, () -> receiving.get(20, TimeUnit.SECONDS)).getCause().getCause();
            assertInstanceOf(ChannelProtocolException.class, failure);
            assertEquals(refusal(round), failure.getMessage());
        }
    }

    @Test
    void aSenderRefusingTheReceiversHelloAlwaysTellsItWithACloseWithCause() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            SocketChannel[] s = SocketPairs.open(open);
            CompletableFuture<SendChannel<String>> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    return StreamChannels.sender(Links.socket(s[1], "java sender"), Codec.utf8(), options);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s[0].write(ByteBuffer.wrap(badHello(round)));
            List<Frame> frames = readAll(s[0]);
            assertEquals("[HELLO, CLOSE_WITH_CAUSE]", kinds(frames), "round " + round);
            assertEquals(ChannelProtocolException.class.getName() + ": " + refusal(round), frames.get(1).cause().getMessage(),
                    "round " + round);
            Throwable failure = assertThrows(ExecutionException.class, () -> sending.get(20, TimeUnit.SECONDS)).getCause().getCause();
            assertInstanceOf(ChannelProtocolException.class, failure);
            assertEquals(refusal(round), failure.getMessage());
        }
    }

    @Test
    void aCloseFrameWithAPayloadIsAProtocolErrorAfterTheValuesBeforeIt() throws Exception {
        SocketChannel[] s = SocketPairs.open(open);
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], "java receiver"), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(Codec.utf8().encode("a")))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(new Frame(FrameKind.CLOSE, new byte[] {1, 2, 3}))));
        ReceiveChannel<String> in = receiving.get(20, TimeUnit.SECONDS);
        open.add(in);
        assertEquals("a", in.receive(Duration.ofSeconds(20)).orElseThrow());
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
        assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains("CLOSE frame with a 3-byte payload"), closed.getCause().getMessage());
        List<Frame> frames = readAll(s[0]);
        assertEquals(FrameKind.RELEASE, frames.get(frames.size() - 1).kind(), kinds(frames));
    }

    /**
     * A frame on a stream the link does not carry is refused, naming the stream: the values before
     * it are delivered, the channel closes with the protocol error, and the peer is told.
     */
    @Test
    void aFrameForAnUnknownStreamIsRefusedNamingTheStream() throws Exception {
        SocketChannel[] s = SocketPairs.open(open);
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], "java receiver"), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(Codec.utf8().encode("a")))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(Codec.utf8().encode("b")).onStream(7))));
        ReceiveChannel<String> in = receiving.get(20, TimeUnit.SECONDS);
        open.add(in);
        assertEquals("a", in.receive(Duration.ofSeconds(20)).orElseThrow());
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
        assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains("DATA frame for unknown stream 7: java receiver carries stream 1"),
                closed.getCause().getMessage());
        List<Frame> frames = readAll(s[0]);
        assertEquals(FrameKind.RELEASE, frames.get(frames.size() - 1).kind(), kinds(frames));
    }

    /**
     * A connection that carries a channel each way routes by stream: a frame on a third stream, or
     * a DATA frame on the stream this side sends on, is refused naming it (two sides of the same
     * role would meet this at once).
     */
    @Test
    void aConnectionRefusesAnUnknownStreamAndAFrameOnTheWrongWayOfItsStream() throws Exception {
        for (int round = 0; round < 2; round++) {
            SocketChannel[] s = SocketPairs.open(open);
            CompletableFuture<StreamChannels.Duplex<String, String>> connecting = CompletableFuture.supplyAsync(() -> {
                try {
                    return StreamChannels.duplex(Links.socket(s[1], "java client"), Codec.utf8(), Codec.utf8(), options);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            // the raw peer is the accepting side: it receives on stream 1 and sends on stream 2
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.credit(4))));
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20).onStream(Frame.SECOND_STREAM))));
            StreamChannels.Duplex<String, String> client = connecting.get(20, TimeUnit.SECONDS);
            open.add(client);
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(Codec.utf8().encode("a")).onStream(Frame.SECOND_STREAM))));
            Frame bad = Frame.data(Codec.utf8().encode("b")).onStream(round == 0 ? 3 : Frame.FIRST_STREAM);
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(bad)));
            assertEquals("a", client.in().receive(Duration.ofSeconds(20)).orElseThrow());
            ChannelClosedException closed = assertThrows(ChannelClosedException.class,
                    () -> client.in().receive(Duration.ofSeconds(20)));
            assertInstanceOf(ChannelProtocolException.class, closed.getCause());
            String expected = round == 0 ? "DATA frame for unknown stream 3" : "DATA frame on stream 1, whose sender is this side";
            assertTrue(closed.getCause().getMessage().contains(expected), closed.getCause().getMessage());
        }
    }

    /** A receiving end answers a PING with a PONG carrying the same 8 bytes, on stream 0. */
    @Test
    void aPingIsAnsweredWithAPongOfTheSameBytes() throws Exception {
        SocketChannel[] s = SocketPairs.open(open);
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], "java receiver"), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
        ReceiveChannel<String> in = receiving.get(20, TimeUnit.SECONDS);
        open.add(in);
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.ping(0x0102030405060708L))));
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.data(Codec.utf8().encode("a")))));
        assertEquals("a", in.receive(Duration.ofSeconds(20)).orElseThrow(), "a PING between values changes nothing");
        FrameReader r = new FrameReader(Channels.newInputStream(s[0]), Frame.DEFAULT_MAX_FRAME);
        Frame f;
        do {
            f = r.read(); // its HELLO and its capacity come first
        } while (f.kind() != FrameKind.PONG);
        assertEquals(Frame.CONNECTION_STREAM, f.stream());
        assertEquals(0x0102030405060708L, ByteBuffer.wrap(f.payload()).getLong());
    }
}
