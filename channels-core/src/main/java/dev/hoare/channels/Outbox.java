package dev.hoare.channels;

import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * DATA frames, encoded one after the other as they go on the wire, waiting to be written. Senders
 * append (under their channel's lock); the writer takes a whole outbox at once and gives back an
 * empty one, so neither allocates per frame, the lock is held only to copy one frame, and the
 * bytes reach the OS in the order and layout they were appended.
 *
 * <p>The frames lie in segments of {@link #SEGMENT} bytes (a frame larger than that in an array
 * of its own), never across two, so that an outbox holding a large window of small values grows
 * by adding segments rather than by copying itself into ever larger arrays (which, zeroed and
 * copied, once took a third of a streaming sender's time). Emptied segments are kept for the next
 * frames, up to {@link #KEEP} bytes of them.
 *
 * <pre>
 *   segment 0: | u32 length | u8 DATA | payload | u32 length | u8 DATA | payload | ... (unused)
 *   segment 1: | u32 length | u8 DATA | payload | ...                                 (length = 1 + payload)
 * </pre>
 */
final class Outbox {
    /** The size of a segment: also the most bytes one write takes from the outbox. */
    static final int SEGMENT = 1 << 16;
    /** Bytes of emptied arrays kept for reuse; beyond that they are let go. */
    private static final int KEEP = 1 << 20;

    private final ArrayList<byte[]> segments = new ArrayList<>();
    /** Bytes used in each segment. */
    private int[] used = new int[4];
    /** Emptied segments of {@link #SEGMENT} bytes, for reuse. */
    private final ArrayDeque<byte[]> free = new ArrayDeque<>();
    /** An emptied array larger than a segment (a large frame's), for the next large frame it fits. */
    private byte[] large;
    private int size;
    private int frames;

    /** Appends {@code payload} as a DATA frame. */
    void append(byte[] payload) {
        int frame = FrameWriter.HEADER + payload.length;
        int last = segments.size() - 1;
        if (last < 0 || segments.get(last).length - used[last] < frame) {
            segments.add(room(frame));
            last++;
            if (last == used.length) {
                used = Arrays.copyOf(used, 2 * used.length);
            }
            used[last] = 0;
        }
        byte[] bytes = segments.get(last);
        int at = used[last];
        FrameWriter.writeHeader(bytes, at, FrameKind.DATA, payload.length);
        System.arraycopy(payload, 0, bytes, at + FrameWriter.HEADER, payload.length);
        used[last] = at + frame;
        size += frame;
        frames++;
    }

    /** @return an empty array for a frame of {@code frame} bytes: a segment, or one of its own if larger */
    private byte[] room(int frame) {
        if (frame <= SEGMENT) {
            byte[] kept = free.poll();
            return kept != null ? kept : new byte[SEGMENT];
        }
        if (large != null && large.length >= frame) {
            byte[] kept = large;
            large = null;
            return kept;
        }
        return new byte[frame];
    }

    /** @return how many frames it holds */
    int frames() {
        return frames;
    }

    /** @return how many bytes the frames take */
    int size() {
        return size;
    }

    /** @return how many segments hold frames */
    int segments() {
        return segments.size();
    }

    /** @return segment {@code i}'s bytes ({@link #used} of them hold frames) */
    byte[] segment(int i) {
        return segments.get(i);
    }

    /** @return how many bytes of segment {@code i} hold frames */
    int used(int i) {
        return used[i];
    }

    /** @return the length on the wire of the frame starting at {@code offset} of {@code bytes} */
    static int frameAt(byte[] bytes, int offset) {
        return 4 + (((bytes[offset] & 0xff) << 24) | ((bytes[offset + 1] & 0xff) << 16)
                | ((bytes[offset + 2] & 0xff) << 8) | (bytes[offset + 3] & 0xff));
    }

    /** Empties it, keeping up to {@link #KEEP} bytes of its arrays for the next frames. */
    void clear() {
        long kept = (long) free.size() * SEGMENT + (large == null ? 0 : large.length);
        for (byte[] s : segments) {
            if (kept + s.length > KEEP) {
                continue;
            }
            if (s.length == SEGMENT) {
                free.push(s);
                kept += s.length;
            } else if (large == null || s.length > large.length) {
                kept += s.length - (large == null ? 0 : large.length);
                large = s;
            }
        }
        segments.clear();
        size = 0;
        frames = 0;
    }
}
