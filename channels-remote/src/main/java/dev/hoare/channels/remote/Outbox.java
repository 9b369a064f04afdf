package dev.hoare.channels.remote;

import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameWriter;
import java.util.Arrays;

/**
 * DATA frames of one stream (and the odd PING or PONG of the connection), encoded one after the
 * other in one byte array as they go on the wire, waiting to be written. Senders append (under their channel's lock); the writer takes a whole outbox at
 * once and gives back an empty one, so neither allocates per frame, the lock is held only to
 * copy one frame, and the bytes reach the OS in the order and layout they were appended.
 *
 * <pre>
 *   bytes: | u32 length | u8 DATA | u32 stream | payload | u32 length | u8 DATA | u32 stream | payload | ...
 *          (length = 5 + payload)
 *          0                                                                   size
 * </pre>
 *
 * <p>No lock of its own and no thread-safety: an outbox is owned either by its channel (appended
 * to under the channel's lock) or, once swapped out, by the writer thread alone until it gives it
 * back empty ({@link RemoteSendChannel}'s state table).
 */
final class Outbox {
    private static final int INITIAL = 1 << 16;
    /**
     * An outbox grown beyond this is let go after writing, unless the frames it held used a
     * quarter of it or more: a stream with a large window fills it again at once, and growing it
     * anew each time (copying and zeroing megabytes by doubling) once took a third of a streaming
     * sender's time. So a large outbox is kept while it is used and let go at its first small
     * batch.
     */
    private static final int KEEP = 1 << 20;

    private byte[] bytes = new byte[INITIAL];
    private int size;
    private int frames;
    /** The stream of the DATA frames appended. */
    private final int stream;

    /** @param stream the stream the DATA frames appended go on */
    Outbox(int stream) {
        this.stream = stream;
    }

    /** Appends {@code payload} as a DATA frame. */
    void append(byte[] payload) {
        append(FrameKind.DATA, stream, payload);
    }

    /** Appends a frame of the connection (stream 0): a PING or a PONG. */
    void appendConnectionFrame(dev.hoare.channels.wire.Frame frame) {
        append(frame.kind(), frame.stream(), frame.payload());
    }

    private void append(FrameKind kind, int on, byte[] payload) {
        int frame = FrameWriter.HEADER + payload.length;
        if (bytes.length - size < frame) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * bytes.length, (long) size + frame)));
        }
        FrameWriter.writeHeader(bytes, size, kind, on, payload.length);
        System.arraycopy(payload, 0, bytes, size + FrameWriter.HEADER, payload.length);
        size += frame;
        frames++;
    }

    /** @return how many frames it holds */
    int frames() {
        return frames;
    }

    /** @return the frames' bytes ({@link #size} of them are used) */
    byte[] bytes() {
        return bytes;
    }

    /** @return how many bytes the frames take */
    int size() {
        return size;
    }

    /** @return the length on the wire of the frame starting at {@code offset} */
    int frameAt(int offset) {
        return 4 + (((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff));
    }

    /** Empties it, letting a buffer grown beyond {@link #KEEP} go unless a quarter of it was used. */
    void clear() {
        if (bytes.length > KEEP && size < bytes.length / 4) {
            bytes = new byte[INITIAL];
        }
        size = 0;
        frames = 0;
    }
}
