package dev.hoare.channels.wire;

import dev.hoare.channels.ChannelProtocolException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads frames from a byte stream. Every length is checked against the maximum before anything
 * is allocated; a bad frame throws {@link ChannelProtocolException} and nothing else is read.
 * Not thread-safe: one reader per stream.
 */
public final class FrameReader {
    private final DataInputStream in;
    private final int maxFrame;

    /**
     * @param in the stream
     * @param maxFrame the largest frame (kind + payload) accepted, at least 1
     */
    public FrameReader(InputStream in, int maxFrame) {
        if (maxFrame < 1) {
            throw new IllegalArgumentException("maxFrame must be >= 1, was " + maxFrame);
        }
        this.in = new DataInputStream(in);
        this.maxFrame = maxFrame;
    }

    /**
     * @return the next frame, or {@code null} at a clean end of stream (between frames)
     * @throws ChannelProtocolException for a truncated, oversized or unknown frame
     * @throws IOException if the stream fails
     */
    public Frame read() throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        try {
            long length = ((long) b0 << 24) | ((long) in.readUnsignedByte() << 16)
                    | ((long) in.readUnsignedByte() << 8) | in.readUnsignedByte();
            if (length < 1) {
                throw new ChannelProtocolException("frame length 0: a frame holds at least its kind byte");
            }
            if (length > maxFrame) {
                throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
            }
            FrameKind kind = FrameKind.of(in.readUnsignedByte());
            byte[] payload = new byte[(int) length - 1];
            in.readFully(payload);
            return new Frame(kind, payload);
        } catch (EOFException e) {
            throw new ChannelProtocolException("truncated frame: the stream ended inside it", e);
        }
    }
}
