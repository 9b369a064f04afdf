package dev.hoare.channels.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class WireFormatTest {

    private static FrameReader reader(byte[] bytes) {
        return new FrameReader(new ByteArrayInputStream(bytes), Frame.DEFAULT_MAX_FRAME);
    }

    @Test
    void framesRoundTrip() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out);
        w.write(Frame.hello("utf8", 1 << 20));
        w.write(Frame.data(Codec.utf8().encode("hi")));
        w.write(Frame.credit(7));
        w.write(Frame.closeWithCause(new IllegalStateException("done")));
        w.write(Frame.close());
        FrameReader r = reader(out.toByteArray());
        assertEquals(1 << 20, r.read().checkHello("utf8"));
        assertEquals("hi", Codec.utf8().decode(r.read().payload()));
        assertEquals(7, r.read().credits());
        Frame.RemoteCause cause = r.read().cause();
        assertEquals("java.lang.IllegalStateException", cause.remoteType());
        assertEquals("java.lang.IllegalStateException: done", cause.getMessage());
        assertEquals(FrameKind.CLOSE, r.read().kind());
        assertNull(r.read(), "clean end of stream between frames");
    }

    @Test
    void aPeersCloseCauseReadsAsThePeerSentItWithoutAnInternalClassName() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new FrameWriter(out).write(Frame.closeWithCause(new IllegalStateException("boom")));
        Frame.RemoteCause cause = reader(out.toByteArray()).read().cause();
        assertEquals("java.lang.IllegalStateException: boom", cause.toString());
        String closed = new dev.hoare.channels.ChannelClosedException(cause).getMessage();
        assertEquals("channel closed: java.lang.IllegalStateException: boom", closed);
        assertTrue(!closed.contains("RemoteCause") && !closed.contains("Frame$"), closed);
    }

    /** Frames of every size, the stream handing them over in pieces of any length (one byte, or 7, or 50,000). */
    @Test
    void framesSurviveAnyWayTheStreamCutsThem() throws Exception {
        java.util.SplittableRandom random = new java.util.SplittableRandom(42);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out);
        java.util.List<byte[]> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int size = i % 10 == 0 ? random.nextInt(200_000) : random.nextInt(100);
            byte[] payload = new byte[size];
            random.nextBytes(payload);
            sent.add(payload);
            w.write(Frame.data(payload));
        }
        byte[] bytes = out.toByteArray();
        for (int piece : new int[] {1, 7, 4096, 50_000}) {
            InputStream trickle = new ByteArrayInputStream(bytes) {
                @Override
                public synchronized int read(byte[] b, int off, int len) {
                    return super.read(b, off, Math.min(len, piece));
                }
            };
            FrameReader r = new FrameReader(trickle, Frame.DEFAULT_MAX_FRAME);
            for (byte[] payload : sent) {
                assertArrayEquals(payload, r.read().payload(), "pieces of " + piece);
            }
            assertNull(r.read());
        }
    }

    /** The worked examples of docs/wire-format.md, byte for byte. */
    @Test
    void theDocumentedHexExampleIsWhatJavaWrites() throws Exception {
        assertEquals("0000000a02000000016869e29c93", HexFormat.of().formatHex(FrameWriter.encode(Frame.data(Codec.utf8().encode("hi✓")))));
        assertEquals("000000180100000001484f415200020475746638001000000000" + "1388",
                HexFormat.of().formatHex(FrameWriter.encode(Frame.hello("utf8", 1 << 20, 5000))));
        assertEquals("0000000d07000000000102030405060708", HexFormat.of().formatHex(FrameWriter.encode(Frame.ping(0x0102030405060708L))));
        assertEquals("0000000d08000000000102030405060708",
                HexFormat.of().formatHex(FrameWriter.encode(Frame.ping(0x0102030405060708L).pong())));
        assertEquals("0000000a02000000026869e29c93",
                HexFormat.of().formatHex(FrameWriter.encode(Frame.data(Codec.utf8().encode("hi✓")).onStream(Frame.SECOND_STREAM))));
        String doc = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/wire-format.md"));
        assertTrue(doc.contains("00 00 00 0a 02 00 00 00 01 68 69 e2 9c 93"), "the doc shows the DATA example");
        assertTrue(doc.contains("00 00 00 18 01 00 00 00 01 48 4f 41 52 00 02 04 75 74 66 38 00 10 00 00 00 00 13 88"),
                "the doc shows the HELLO example");
        assertTrue(doc.contains("00 00 00 0d 07 00 00 00 00 01 02 03 04 05 06 07 08"), "the doc shows the PING example");
        assertTrue(doc.contains("00 00 00 0d 08 00 00 00 00 01 02 03 04 05 06 07 08"), "the doc shows the PONG example");
    }

    @Test
    void aHelloCarriesItsLivenessAndAPingIsAnsweredWithItsOwnBytes() throws Exception {
        Frame hello = reader(FrameWriter.encode(Frame.hello("utf8", 4096, 5000))).read();
        assertEquals(4096, hello.checkHello("utf8"));
        assertEquals(5000, hello.helloLiveness());
        assertEquals(0, Frame.hello("utf8", 4096).helloLiveness());
        Frame ping = reader(FrameWriter.encode(Frame.ping(42))).read();
        assertEquals(FrameKind.PING, ping.kind());
        assertEquals(Frame.CONNECTION_STREAM, ping.stream());
        assertArrayEquals(ping.payload(), ping.pong().payload());
        assertEquals(FrameKind.PONG, ping.pong().kind());
    }

    /** The stream must fit the kind: stream 0 carries only PING and PONG, which go nowhere else. */
    @Test
    void aStreamThatDoesNotFitItsKindIsAProtocolError() {
        ChannelProtocolException data0 = assertThrows(ChannelProtocolException.class,
                () -> reader(new byte[] {0, 0, 0, 5, 0x02, 0, 0, 0, 0}).read());
        assertTrue(data0.getMessage().contains("DATA frame on stream 0: stream 0 carries only PING and PONG"), data0.getMessage());
        ChannelProtocolException ping1 = assertThrows(ChannelProtocolException.class,
                () -> reader(new byte[] {0, 0, 0, 13, 0x07, 0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8}).read());
        assertTrue(ping1.getMessage().contains("PING frame on stream 1"), ping1.getMessage());
        Frame high = assertDoesNotThrowRead(new byte[] {0, 0, 0, 5, 0x03, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff});
        assertEquals("4294967295", Integer.toUnsignedString(high.stream()), "stream ids are unsigned 32-bit");
    }

    private static Frame assertDoesNotThrowRead(byte[] bytes) {
        try {
            return reader(bytes).read();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** A version-1 peer is told which versions differ. */
    @Test
    void aVersionOnePeerIsRefusedSayingBothVersions() {
        byte[] codec = "utf8".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] v1 = java.nio.ByteBuffer.allocate(4 + 2 + 1 + codec.length + 4)
                .putInt(Frame.MAGIC).putShort((short) 1).put((byte) codec.length).put(codec).putInt(1 << 20).array();
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> new Frame(FrameKind.HELLO, v1).checkHello("utf8"));
        assertEquals("protocol version mismatch: peer speaks 1, we speak 2", e.getMessage());
    }

    @Test
    void anOversizedLengthIsRefusedBeforeAnyAllocation() {
        byte[] header = {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02}; // claims 2 GiB
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> reader(header).read());
        assertTrue(e.getMessage().contains("exceeds the maximum"), e.getMessage());
        byte[] small = {0, 0, 0, 9, 0x02, 0, 0, 0, 1, 1, 2, 3, 4};
        assertThrows(ChannelProtocolException.class, () -> new FrameReader(new ByteArrayInputStream(small), 8).read());
    }

    /**
     * A stream that hands over the given bytes, then fails any further read as if the peer had
     * sent nothing more yet: a reader that waits for a byte beyond them shows by this failure.
     */
    private static InputStream thenSilent(byte[] bytes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                if (available() == 0) {
                    throw new AssertionError("the reader waited for more bytes than the length announced");
                }
                return super.read(b, off, len);
            }
        };
    }

    /** A length of 0 (or beyond the maximum) is refused once its 4 bytes are in, not when a kind byte or the end comes. */
    @Test
    void aBadLengthIsRefusedAsSoonAsItsFourBytesAreRead() {
        ChannelProtocolException zero = assertThrows(ChannelProtocolException.class,
                () -> new FrameReader(thenSilent(new byte[] {0, 0, 0, 0}), Frame.DEFAULT_MAX_FRAME).read());
        assertTrue(zero.getMessage().contains("frame length 0"), zero.getMessage());
        ChannelProtocolException short4 = assertThrows(ChannelProtocolException.class,
                () -> new FrameReader(thenSilent(new byte[] {0, 0, 0, 4}), Frame.DEFAULT_MAX_FRAME).read());
        assertTrue(short4.getMessage().contains("frame length 4"), short4.getMessage());
        ChannelProtocolException big = assertThrows(ChannelProtocolException.class,
                () -> new FrameReader(thenSilent(new byte[] {0, 0, 0, 9}), 8).read());
        assertTrue(big.getMessage().contains("exceeds the maximum"), big.getMessage());
    }

    @Test
    void truncatedUnknownAndEmptyFramesAreProtocolErrors() {
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 9, 0x02, 0, 0, 0, 1, 1}).read())
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0}).read())
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 5, 0x02, 0, 0}).read())
                .getMessage().contains("truncated"), "a stream that ends inside the header");
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 5, 0x7e, 0, 0, 0, 1}).read())
                .getMessage().contains("unknown frame kind 0x7e"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 1, 0x02}).read())
                .getMessage().contains("frame length 1"), "a length too short for the kind and the stream");
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 0}).read());
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 7, 0x05, 0, 0, 0, 1, 0, 0}).read().credits());
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 9, 0x04, 0, 0, 0, 1, 0, 9, 0, 0}).read().cause());
    }

    @Test
    void theHandshakeNamesEachMismatch() throws Exception {
        Frame hello = Frame.hello("utf8", 1024);
        assertEquals(1024, hello.checkHello("utf8"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> hello.checkHello("kryo"))
                .getMessage().contains("codec mismatch: peer uses 'utf8', we use 'kryo'"));
        byte[] p = hello.payload().clone();
        p[5] = 9; // version 9
        assertTrue(assertThrows(ChannelProtocolException.class, () -> new Frame(FrameKind.HELLO, p).checkHello("utf8"))
                .getMessage().contains("version mismatch"));
        byte[] q = hello.payload().clone();
        q[0] = 'X';
        assertTrue(assertThrows(ChannelProtocolException.class, () -> new Frame(FrameKind.HELLO, q).checkHello("utf8"))
                .getMessage().contains("not a Hoare peer"));
    }

    @Test
    void codecsRoundTripAndRefuseMalformedUtf8() throws Exception {
        assertEquals("héllo ✓", Codec.utf8().decode(Codec.utf8().encode("héllo ✓")));
        byte[] raw = {1, 2, 3};
        assertArrayEquals(raw, Codec.bytes().decode(Codec.bytes().encode(raw)));
        assertThrows(ChannelProtocolException.class, () -> Codec.utf8().decode(new byte[] {(byte) 0xc3, 0x28}));
    }

    /** A Python program written from docs/wire-format.md alone produces frames Java reads. */
    @Test
    void framesWrittenByPythonFromTheDocAreReadByJava() throws Exception {
        Path script = Path.of(getClass().getResource("write_frames.py").toURI());
        Process python = new ProcessBuilder("python3", script.toString()).redirectErrorStream(false).start();
        byte[] bytes;
        try (InputStream in = python.getInputStream()) {
            bytes = in.readAllBytes();
        }
        assertTrue(python.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, python.exitValue(), new String(python.getErrorStream().readAllBytes()));
        FrameReader r = reader(bytes);
        assertEquals(1 << 20, r.read().checkHello("utf8"));
        assertEquals("hello", Codec.utf8().decode(r.read().payload()));
        assertEquals("héllo wörld ✓", Codec.utf8().decode(r.read().payload()));
        assertEquals(3, r.read().credits());
        Frame ping = r.read();
        assertEquals(FrameKind.PING, ping.kind());
        assertEquals(0x0102030405060708L, java.nio.ByteBuffer.wrap(ping.payload()).getLong());
        Frame second = r.read();
        assertEquals(Frame.SECOND_STREAM, second.stream(), "a frame of the second stream");
        assertEquals("on stream two", Codec.utf8().decode(second.payload()));
        Frame.RemoteCause cause = r.read().cause();
        assertEquals("java.lang.IllegalStateException", cause.remoteType());
        assertTrue(cause.getMessage().endsWith("bye from python"));
        assertNull(r.read());
    }
}
