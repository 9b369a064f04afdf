package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;
import java.io.IOException;
import dev.hoare.channels.link.StreamLink;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Reads frames from a byte stream. Every length is checked as soon as its 4 bytes are in (before
 * the reader waits for the kind byte, and before anything is allocated): a length below the
 * header's 5 bytes (kind and stream) or above the maximum is refused at once. A bad frame throws
 * {@link ChannelProtocolException} and nothing else is read; so does a frame whose stream does
 * not fit its kind (PING and PONG on stream 0, every other kind on a stream of 1 or more). Which
 * channel streams a link carries is its user's to check.
 * The framing is {@link StreamLink}'s, the one every stream transport uses, and each frame is
 * decoded by {@link #decode}, as the channel ends do: this class is those two over a plain stream
 * (for tests, the fuzz targets and tools). Reads the stream in large chunks into its own buffer
 * (give it the raw stream, not a buffered one). Not thread-safe: one reader per stream.
 */
public final class FrameReader {
    private final StreamLink framing;
    private final int maxFrame;
    /** What the framing handed up and is not decoded yet. */
    private ByteBuffer frames;

    /**
     * @param in the stream
     * @param maxFrame the largest frame (kind + stream + payload) accepted, at least 1
     */
    public FrameReader(InputStream in, int maxFrame) {
        if (maxFrame < 1) {
            throw new IllegalArgumentException("maxFrame must be >= 1, was " + maxFrame);
        }
        this.maxFrame = maxFrame;
        this.framing = new StreamLink() {
            @Override
            protected InputStream in() {
                return in;
            }

            @Override
            protected OutputStream out() {
                return null;
            }

            @Override
            public void close() {
            }

            @Override
            public String describe() {
                return "a stream of frames";
            }
        };
    }

    /**
     * @return the next frame, or {@code null} at a clean end of stream (between frames)
     * @throws ChannelProtocolException for a truncated, oversized or unknown frame
     * @throws IOException if the stream fails
     */
    public Frame read() throws IOException {
        ByteBuffer b = frames;
        if (b == null || !b.hasRemaining()) {
            b = framing.read(maxFrame);
            if (b == null) {
                return null;
            }
            frames = b;
        }
        return decode(b, maxFrame);
    }

    /**
     * @return whether a whole frame (or a frame header announcing a length beyond the maximum,
     *     which {@link #read} refuses) is already in the buffer, so that {@link #read} returns
     *     without reading the stream
     */
    public boolean hasBufferedFrame() {
        ByteBuffer b = frames;
        return (b != null && b.hasRemaining()) || framing.hasFrame();
    }

    /**
     * Decodes the frame at a buffer's position and moves the position past it: for frames a link
     * handed up whole ({@code Link.read}). The payload is copied out (the buffer is the link's).
     *
     * @param frames whole frames from the position on
     * @param maxFrame the largest frame (kind + stream + payload) accepted
     * @return the frame
     * @throws ChannelProtocolException for a length below 5, above {@code maxFrame} or beyond the
     *     buffer, an unknown kind, or a stream that does not fit the kind
     */
    public static Frame decode(ByteBuffer frames, int maxFrame) throws ChannelProtocolException {
        if (frames.hasArray()) {
            return decode(frames, frames.array(), frames.arrayOffset(), maxFrame);
        }
        int at = frames.position();
        if (frames.remaining() < 4) {
            throw new ChannelProtocolException("truncated frame: " + frames.remaining() + " bytes handed up");
        }
        long length = u32(frames, at) & 0xffffffffL;
        if (length < AFTER_LENGTH) {
            throw new ChannelProtocolException("frame length " + length + ": a frame holds at least its kind byte and its stream (5 bytes)");
        }
        if (length > maxFrame) {
            throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
        }
        if (length > frames.remaining() - 4) {
            throw new ChannelProtocolException("truncated frame: its length is " + length + ", " + (frames.remaining() - 4) + " bytes follow");
        }
        FrameKind kind = FrameKind.of(frames.get(at + 4) & 0xff);
        int stream = u32(frames, at + 5);
        if ((stream == Frame.CONNECTION_STREAM) != kind.connectionLevel()) {
            throw new ChannelProtocolException(kind + " frame on stream " + Integer.toUnsignedString(stream)
                    + (kind.connectionLevel() ? ": PING and PONG belong to stream 0" : ": stream 0 carries only PING and PONG"));
        }
        byte[] payload = new byte[(int) length - AFTER_LENGTH];
        frames.get(at + FrameWriter.HEADER, payload);
        frames.position(at + 4 + (int) length);
        return new Frame(kind, stream, payload);
    }

    /** {@link #decode(ByteBuffer, int)} of a heap buffer, on its array (no bounds check per byte). */
    private static Frame decode(ByteBuffer frames, byte[] a, int base, int maxFrame) throws ChannelProtocolException {
        int at = base + frames.position();
        int remaining = frames.remaining();
        if (remaining < 4) {
            throw new ChannelProtocolException("truncated frame: " + remaining + " bytes handed up");
        }
        long length = u32(a, at) & 0xffffffffL;
        if (length < AFTER_LENGTH) {
            throw new ChannelProtocolException("frame length " + length + ": a frame holds at least its kind byte and its stream (5 bytes)");
        }
        if (length > maxFrame) {
            throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
        }
        if (length > remaining - 4) {
            throw new ChannelProtocolException("truncated frame: its length is " + length + ", " + (remaining - 4) + " bytes follow");
        }
        FrameKind kind = FrameKind.of(a[at + 4] & 0xff);
        int stream = u32(a, at + 5);
        if ((stream == Frame.CONNECTION_STREAM) != kind.connectionLevel()) {
            throw new ChannelProtocolException(kind + " frame on stream " + Integer.toUnsignedString(stream)
                    + (kind.connectionLevel() ? ": PING and PONG belong to stream 0" : ": stream 0 carries only PING and PONG"));
        }
        byte[] payload = new byte[(int) length - AFTER_LENGTH];
        System.arraycopy(a, at + FrameWriter.HEADER, payload, 0, payload.length);
        frames.position(frames.position() + 4 + (int) length);
        return new Frame(kind, stream, payload);
    }

    private static int u32(byte[] a, int at) {
        return ((a[at] & 0xff) << 24) | ((a[at + 1] & 0xff) << 16) | ((a[at + 2] & 0xff) << 8) | (a[at + 3] & 0xff);
    }

    /** A big-endian u32 whatever the buffer's byte order. */
    private static int u32(ByteBuffer b, int at) {
        return ((b.get(at) & 0xff) << 24) | ((b.get(at + 1) & 0xff) << 16) | ((b.get(at + 2) & 0xff) << 8) | (b.get(at + 3) & 0xff);
    }

    /** The bytes a frame's length counts besides its payload: the kind (u8) and the stream (u32). */
    private static final int AFTER_LENGTH = FrameWriter.HEADER - 4;
}
