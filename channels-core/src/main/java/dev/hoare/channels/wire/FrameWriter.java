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
        int length = payload.length + 1;
        byte[] bytes = new byte[4 + length];
        bytes[0] = (byte) (length >>> 24);
        bytes[1] = (byte) (length >>> 16);
        bytes[2] = (byte) (length >>> 8);
        bytes[3] = (byte) length;
        bytes[4] = (byte) frame.kind().code();
        System.arraycopy(payload, 0, bytes, 5, payload.length);
        return bytes;
    }
}
