package dev.hoare.channels.link;

import dev.hoare.channels.ChannelProtocolException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * A {@link Link} over a byte stream (a pipe, a socket, a child's standard streams): the one place
 * where a stream is cut into frames and frames are put on a stream. A transport of bytes extends
 * it and gives it its streams ({@link #in()}, {@link #out()}); it writes no framing code of its own.
 *
 * <p>Reading: the stream is read in large reads into one buffer ({@link #BUFFER} bytes); a
 * {@link #read} hands up a view of every whole frame in it, which stays valid until the next
 * read (which moves the partial frame after them to the front). A frame larger than the buffer
 * is read into an array of its own, straight from the stream. Writing: {@link #write} and
 * {@link #writeChunks} write the caller's array to {@link #out()} (one {@code write} call per
 * chunk, so that a FIFO keeps chunks up to PIPE_BUF whole) and flush.
 *
 * <h2>State of the read buffer</h2>
 * <pre>
 *   0 ........ handedTo ............ limit ......... buf.length
 *   | handed up | whole frames or a partial one | free |
 * </pre>
 * Invariants (all of it touched by the one reader of the link, see {@link Link}):
 * <ol>
 *   <li>{@code [0, handedTo)} is what the last {@link #read} handed up: whole frames, left alone
 *       until the next read; {@code [handedTo, limit)} is bytes read and not yet handed up.</li>
 *   <li>Every frame handed up had its length checked (at least 5, at most the reader's
 *       {@code maxFrame}) as soon as its 4 length bytes were in, before any wait for the rest.</li>
 *   <li>After {@link #ended}, nothing more is read from the stream.</li>
 * </ol>
 */
public abstract class StreamLink implements Link {
    /** The read buffer's size; a larger frame is read into an array of its own. */
    public static final int BUFFER = 1 << 16;
    /** The bytes a frame's length field counts at least: its kind (u8) and its stream (u32). */
    private static final int MIN_LENGTH = 5;
    private byte[] buf;
    private int handedTo;
    private int limit;
    private boolean ended;
    /** The {@code maxFrame} of the last {@link #read}, for {@link #hasFrame}. */
    private int maxFrame = Integer.MAX_VALUE;

    /** For subclasses. */
    protected StreamLink() {
    }

    /**
     * @return bytes from the peer, or {@code null} if this link only sends; the same stream on
     *     every call, read only through this class (by the link's one reader)
     */
    protected abstract InputStream in();

    /** @return bytes to the peer, or {@code null} if this link only receives; the same stream on every call */
    protected abstract OutputStream out();

    @Override
    public boolean reads() {
        return in() != null;
    }

    @Override
    public boolean writes() {
        return out() != null;
    }

    @Override
    public ByteBuffer read(int maxFrame) throws IOException {
        if (buf == null) {
            buf = new byte[BUFFER];
        }
        this.maxFrame = maxFrame;
        if (handedTo > 0) { // the caller is done with what it was handed: the rest moves to the front
            System.arraycopy(buf, handedTo, buf, 0, limit - handedTo);
            limit -= handedTo;
            handedTo = 0;
        }
        if (!fill(4)) {
            if (limit == 0) {
                return null;
            }
            throw truncated();
        }
        int length = checkedLength(0, maxFrame);
        if (4 + length > buf.length) { // larger than the buffer: an array of its own, straight from the stream
            byte[] frame = new byte[4 + length];
            int have = limit;
            System.arraycopy(buf, 0, frame, 0, have);
            limit = 0;
            while (have < frame.length) {
                int n = in().read(frame, have, frame.length - have);
                if (n < 0) {
                    ended = true;
                    throw truncated();
                }
                have += n;
            }
            return ByteBuffer.wrap(frame);
        }
        if (!fill(4 + length)) {
            throw truncated();
        }
        int end = 4 + length;
        while (limit - end >= 4) { // every whole frame already in, checked
            long next = lengthAt(end);
            if (next < MIN_LENGTH || next > maxFrame || limit - end < 4 + next) {
                break; // a bad one is refused by the next read, a partial one read on by it
            }
            end += 4 + (int) next;
        }
        handedTo = end;
        return ByteBuffer.wrap(buf, 0, end);
    }

    /** A frame's length is in the buffer, or one the next read refuses. */
    @Override
    public boolean hasFrame() {
        if (buf == null || limit - handedTo < 4) {
            return false;
        }
        long length = lengthAt(handedTo);
        return length < MIN_LENGTH || length > maxFrame || limit - handedTo >= 4 + length;
    }

    /** Writes the frames to {@link #out()} in one {@code write} call, and flushes. */
    @Override
    public void write(byte[] frames, int offset, int length) throws IOException {
        OutputStream out = out();
        out.write(frames, offset, length);
        out.flush();
    }

    /** {@inheritDoc} Each chunk in one {@code write} call to {@link #out()}, then one flush. */
    @Override
    public void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        OutputStream out = out();
        for (int i = 0, from = 0; i < count; from = ends[i++]) {
            out.write(bytes, from, ends[i] - from);
        }
        out.flush();
    }

    private long lengthAt(int at) {
        return ((long) (buf[at] & 0xff) << 24) | ((buf[at + 1] & 0xff) << 16) | ((buf[at + 2] & 0xff) << 8) | (buf[at + 3] & 0xff);
    }

    /** The length of the frame at {@code at} (its 4 bytes are in), refused if out of bounds. */
    private int checkedLength(int at, int maxFrame) throws ChannelProtocolException {
        long length = lengthAt(at);
        if (length < MIN_LENGTH) {
            throw new ChannelProtocolException("frame length " + length + ": a frame holds at least its kind byte and its stream (5 bytes)");
        }
        if (length > maxFrame) {
            throw new ChannelProtocolException("frame of " + length + " bytes exceeds the maximum of " + maxFrame);
        }
        return (int) length;
    }

    /** Makes at least {@code n} bytes (at most the buffer) available from the front; {@code false} if the stream ended first. */
    private boolean fill(int n) throws IOException {
        while (limit < n) {
            if (ended) {
                return false;
            }
            int r = in().read(buf, limit, buf.length - limit);
            if (r < 0) {
                ended = true;
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
