package dev.hoare.channels.wire;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes frames to a byte stream, each as one {@code write} call of the whole frame (so that a
 * FIFO transport can keep frames below PIPE_BUF atomic). Not thread-safe.
 */
public final class FrameWriter {
    private final OutputStream out;

    /** @param out the stream */
    public FrameWriter(OutputStream out) {
        this.out = out;
    }

    /**
     * @param frame the frame
     * @throws IOException if the stream fails
     */
    public void write(Frame frame) throws IOException {
        out.write(encode(frame));
    }

    /** Flushes the stream. @throws IOException if it fails */
    public void flush() throws IOException {
        out.flush();
    }

    /**
     * @param frame the frame
     * @return its bytes on the wire
     */
    public static byte[] encode(Frame frame) {
        byte[] payload = frame.payload();
        byte[] bytes = new byte[HEADER + payload.length];
        writeHeader(bytes, 0, frame.kind(), frame.stream(), payload.length);
        System.arraycopy(payload, 0, bytes, HEADER, payload.length);
        return bytes;
    }

    /** The bytes before a frame's payload: its length (u32), its kind (u8) and its stream (u32). */
    public static final int HEADER = 9;

    /**
     * Writes a frame's header, for callers that put frames into buffers of their own.
     *
     * @param into where
     * @param offset at which index ({@link #HEADER} bytes are written)
     * @param kind the frame's kind
     * @param stream the frame's stream (0 for PING and PONG, at least 1 for the rest)
     * @param payloadLength the length of the payload that follows
     */
    public static void writeHeader(byte[] into, int offset, FrameKind kind, int stream, int payloadLength) {
        int length = payloadLength + HEADER - 4;
        into[offset] = (byte) (length >>> 24);
        into[offset + 1] = (byte) (length >>> 16);
        into[offset + 2] = (byte) (length >>> 8);
        into[offset + 3] = (byte) length;
        into[offset + 4] = (byte) kind.code();
        into[offset + 5] = (byte) (stream >>> 24);
        into[offset + 6] = (byte) (stream >>> 16);
        into[offset + 7] = (byte) (stream >>> 8);
        into[offset + 8] = (byte) stream;
    }
}
