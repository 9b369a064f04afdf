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

    /** The worked example of docs/wire-format.md, byte for byte. */
    @Test
    void theDocumentedHexExampleIsWhatJavaWrites() throws Exception {
        assertEquals("00000006026869e29c93", HexFormat.of().formatHex(FrameWriter.encode(Frame.data(Codec.utf8().encode("hi✓")))));
        assertEquals("0000001001484f41520001047574663800100000",
                HexFormat.of().formatHex(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
        String doc = Files.readString(Path.of("").toAbsolutePath().getParent().resolve("docs/wire-format.md"));
        assertTrue(doc.contains("00 00 00 06 02 68 69 e2 9c 93"), "the doc shows the DATA example");
        assertTrue(doc.contains("00 00 00 10 01 48 4f 41 52 00 01 04 75 74 66 38 00 10 00 00"), "the doc shows the HELLO example");
    }

    @Test
    void anOversizedLengthIsRefusedBeforeAnyAllocation() {
        byte[] header = {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02}; // claims 2 GiB
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> reader(header).read());
        assertTrue(e.getMessage().contains("exceeds the maximum"), e.getMessage());
        byte[] small = {0, 0, 0, 9, 0x02, 1, 2, 3, 4, 5, 6, 7, 8};
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
        ChannelProtocolException big = assertThrows(ChannelProtocolException.class,
                () -> new FrameReader(thenSilent(new byte[] {0, 0, 0, 9}), 8).read());
        assertTrue(big.getMessage().contains("exceeds the maximum"), big.getMessage());
    }

    @Test
    void truncatedUnknownAndEmptyFramesAreProtocolErrors() {
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 5, 0x02, 1}).read())
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0}).read())
                .getMessage().contains("truncated"));
        assertTrue(assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 1, 0x7e}).read())
                .getMessage().contains("unknown frame kind 0x7e"));
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 0}).read());
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 3, 0x05, 0, 0}).read().credits());
        assertThrows(ChannelProtocolException.class, () -> reader(new byte[] {0, 0, 0, 5, 0x04, 0, 9, 0, 0}).read().cause());
    }

    @Test
    void theHandshakeNamesEachMismatch() throws Exception {
        Frame hello = Frame.hello("utf8", 1024);
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
        Frame.RemoteCause cause = r.read().cause();
        assertEquals("java.lang.IllegalStateException", cause.remoteType());
        assertTrue(cause.getMessage().endsWith("bye from python"));
        assertNull(r.read());
    }
}
