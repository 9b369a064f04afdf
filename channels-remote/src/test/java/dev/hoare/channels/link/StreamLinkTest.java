package dev.hoare.channels.link;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The link contract's "whole frames up" as {@link StreamLink}, the framing of every byte-stream transport, keeps it. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StreamLinkTest {

    /** A stream that hands its bytes over in pieces of the given sizes, in turn. */
    private static InputStream inPieces(byte[] bytes, int... pieces) {
        return new InputStream() {
            private int pos;
            private int turn;

            @Override
            public int read() {
                throw new AssertionError("the link reads in arrays");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == bytes.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, pieces[turn++ % pieces.length]), bytes.length - pos);
                System.arraycopy(bytes, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    private static StreamLink link(InputStream in, OutputStream out) {
        return new StreamLink() {
            @Override
            protected InputStream in() {
                return in;
            }

            @Override
            protected OutputStream out() {
                return out;
            }

            @Override
            public void close() {
            }

            @Override
            public String describe() {
                return "test";
            }
        };
    }

    private static byte[] encode(Frame... frames) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Frame f : frames) {
            out.writeBytes(FrameWriter.encode(f));
        }
        return out.toByteArray();
    }

    private static Frame data(int size, int seed) {
        byte[] payload = new byte[size];
        Arrays.fill(payload, (byte) seed);
        return Frame.data(payload);
    }

    @Test
    void eachReadHandsUpWholeFramesOnlyWhateverPiecesTheStreamGives() throws Exception {
        List<Frame> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            sent.add(data(i * 37 % 300, i));
        }
        StreamLink link = link(inPieces(encode(sent.toArray(Frame[]::new)), 1, 7, 300, 2, 5000), null);
        List<Frame> got = new ArrayList<>();
        for (ByteBuffer b; (b = link.read(1 << 20)) != null; ) {
            assertTrue(b.hasRemaining(), "a read hands up at least one frame");
            while (b.hasRemaining()) {
                got.add(FrameReader.decode(b, 1 << 20)); // throws if the buffer ended inside a frame
            }
        }
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i).payload(), got.get(i).payload(), "frame " + i);
        }
    }

    @Test
    void aFrameLargerThanTheBufferComesUpWholeBetweenSmallOnes() throws Exception {
        Frame large = data(3 * StreamLink.BUFFER + 11, 9);
        StreamLink link = link(inPieces(encode(data(5, 1), large, data(6, 2)), 4096), null);
        List<Frame> got = new ArrayList<>();
        for (ByteBuffer b; (b = link.read(1 << 20)) != null; ) {
            while (b.hasRemaining()) {
                got.add(FrameReader.decode(b, 1 << 20));
            }
        }
        assertEquals(3, got.size());
        assertArrayEquals(large.payload(), got.get(1).payload());
        assertEquals(6, got.get(2).payload().length);
    }

    @Test
    void aLengthBeyondTheCallersMaximumIsRefusedBeforeTheRestArrives() throws Exception {
        byte[] header = {0, 0, 1, 0}; // 256 bytes announced, none of them sent: the stream then blocks
        InputStream thenSilent = new InputStream() {
            private int pos;

            @Override
            public int read() {
                throw new AssertionError("the link reads in arrays");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (pos == header.length) {
                    throw new AssertionError("the link waited for a frame it must refuse");
                }
                b[off] = header[pos++];
                return 1;
            }
        };
        StreamLink link = link(thenSilent, null);
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class, () -> link.read(100));
        assertTrue(e.getMessage().contains("exceeds the maximum of 100"), e.getMessage());
    }

    @Test
    void theStreamEndingInsideAFrameIsATruncatedFrameAndBetweenFramesAnEnd() throws Exception {
        byte[] two = encode(data(10, 1), data(10, 2));
        StreamLink clean = link(inPieces(two, 1000), null);
        ByteBuffer b = clean.read(1 << 20);
        FrameReader.decode(b, 1 << 20);
        FrameReader.decode(b, 1 << 20);
        assertFalse(b.hasRemaining());
        assertNull(clean.read(1 << 20));
        StreamLink cut = link(inPieces(Arrays.copyOf(two, two.length - 3), 1000), null);
        ByteBuffer first = cut.read(1 << 20);
        FrameReader.decode(first, 1 << 20);
        assertFalse(first.hasRemaining(), "only the whole frame is handed up");
        assertThrows(ChannelProtocolException.class, () -> cut.read(1 << 20));
    }

    @Test
    void writesGoOutAsTheCallersBytesOneWriteEachAndFlushed() throws Exception {
        List<Integer> writes = new ArrayList<>();
        int[] flushes = {0};
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                throw new AssertionError("the link writes arrays");
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(len);
                sink.write(b, off, len);
            }

            @Override
            public void flush() {
                flushes[0]++;
            }
        };
        StreamLink link = link(null, out);
        assertFalse(link.reads());
        assertTrue(link.writes());
        byte[] frames = encode(data(3, 1), data(4, 2), data(5, 3));
        link.write(frames, 0, frames.length);
        int first = FrameWriter.HEADER + 3;
        link.writeChunks(frames, new int[] {first, frames.length}, 2);
        assertEquals(List.of(frames.length, first, frames.length - first), writes);
        assertEquals(2, flushes[0]);
        byte[] expected = new byte[2 * frames.length];
        System.arraycopy(frames, 0, expected, 0, frames.length);
        System.arraycopy(frames, 0, expected, frames.length, frames.length);
        assertArrayEquals(expected, sink.toByteArray());
    }

    @Test
    void aLinkThatOnlyWritesHasNoFrameInHand() throws IOException {
        StreamLink link = link(null, OutputStream.nullOutputStream());
        assertFalse(link.hasFrame());
    }
}
