package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a byte stream. Every length is checked as soon as its 4 bytes are in (before
 * the reader waits for the kind byte, and before anything is allocated): a length below the
 * header's 5 bytes (kind and stream) or above the maximum is refused at once. A bad frame throws
 * {@link ChannelProtocolException} and nothing else is read; so does a frame whose stream does
 * not fit its kind (PING and PONG on stream 0, every other kind on a stream of 1 or more). Which
 * channel streams a link carries is its user's to check.
 * Reads the stream in large chunks into its own buffer (give it the raw stream, not a buffered
 * one). Not thread-safe: one reader per stream.
 */
public final class FrameReader {
    private static final int BUFFER = 1 << 16;
    private final InputStream in;
    private final int maxFrame;
    private final byte[] buf = new byte[BUFFER];
    private int pos;
    private int limit;

    /**
     * @param in the stream
     * @param maxFrame the largest frame (kind + stream + payload) accepted, at least 1
     */
    public FrameReader(InputStream in, int maxFrame) {
        if (maxFrame < 1) {
            throw new IllegalArgumentException("maxFrame must be >= 1, was " + maxFrame);
        }
        this.in = in;
        this.maxFrame = maxFrame;
    }

    /**
     * @return the next frame, or {@code null} at a clean end of stream (between frames)
     * @throws ChannelProtocolException for a truncated, oversized or unknown frame
     * @throws IOException if the stream fails
     */
    public Frame read() throws IOException {
        if (!fill(4)) { // the length alone first: a bad one is refused before the reader waits for more
            if (limit == pos) {
                return null;
            }
            throw truncated();
        }
        long length = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
                | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        if (length < AFTER_LENGTH) {
            throw new ChannelProtocolException("frame length " + length + ": a frame holds at least its kind byte and its stream (5 bytes)");
        }
        if (length > maxFrame) {
            throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
        }
        if (!fill(FrameWriter.HEADER)) {
            throw truncated();
        }
        FrameKind kind = FrameKind.of(buf[pos + 4] & 0xff);
        int stream = ((buf[pos + 5] & 0xff) << 24) | ((buf[pos + 6] & 0xff) << 16) | ((buf[pos + 7] & 0xff) << 8) | (buf[pos + 8] & 0xff);
        if ((stream == Frame.CONNECTION_STREAM) != kind.connectionLevel()) {
            throw new ChannelProtocolException(kind + " frame on stream " + Integer.toUnsignedString(stream)
                    + (kind.connectionLevel() ? ": PING and PONG belong to stream 0" : ": stream 0 carries only PING and PONG"));
        }
        pos += FrameWriter.HEADER;
        byte[] payload = new byte[(int) length - AFTER_LENGTH];
        if (payload.length <= buf.length / 2) {
            fill(payload.length); // read ahead: later frames come with this one
        }
        int have = Math.min(payload.length, limit - pos);
        System.arraycopy(buf, pos, payload, 0, have);
        pos += have;
        while (have < payload.length) { // a large payload: straight from the stream
            int n = in.read(payload, have, payload.length - have);
            if (n < 0) {
                throw truncated();
            }
            have += n;
        }
        return new Frame(kind, stream, payload);
    }

    /** The bytes a frame's length counts besides its payload: the kind (u8) and the stream (u32). */
    private static final int AFTER_LENGTH = FrameWriter.HEADER - 4;

    /**
     * @return whether a whole frame (or a frame header announcing a length beyond the maximum,
     *     which {@link #read} refuses) is already in the buffer, so that {@link #read} returns
     *     without reading the stream
     */
    public boolean hasBufferedFrame() {
        if (limit - pos < 4) {
            return false;
        }
        long length = ((long) (buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16)
                | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        return length > maxFrame || limit - pos >= 4 + length;
    }

    /** Makes at least {@code n} bytes available in the buffer; {@code false} if the stream ended first. */
    private boolean fill(int n) throws IOException {
        if (limit - pos >= n) {
            return true;
        }
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        while (limit < n) {
            int r = in.read(buf, limit, buf.length - limit);
            if (r < 0) {
                return false;
            }
            limit += r;
        }
        return true;
    }

    private static ChannelProtocolException truncated() {
        return new ChannelProtocolException("truncated frame: the stream ended inside it");
    }
}
