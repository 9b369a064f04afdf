package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a byte stream. Every length is checked as soon as its 4 bytes are in (before
 * the reader waits for the kind byte, and before anything is allocated): a length of 0 or above
 * the maximum is refused at once. A bad frame throws {@link ChannelProtocolException} and nothing
 * else is read.
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
     * @param maxFrame the largest frame (kind + payload) accepted, at least 1
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
        if (length < 1) {
            throw new ChannelProtocolException("frame length 0: a frame holds at least its kind byte");
        }
        if (length > maxFrame) {
            throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
        }
        if (!fill(5)) {
            throw truncated();
        }
        FrameKind kind = FrameKind.of(buf[pos + 4] & 0xff);
        pos += 5;
        byte[] payload = new byte[(int) length - 1];
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
        return new Frame(kind, payload);
    }

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
