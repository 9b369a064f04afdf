package dev.hoare.channels.shm;

import dev.hoare.channels.wire.FrameKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A durable queue: an {@code shm:} ring seen by a process that is not its reader, to count, drop
 * or remove what waits in it. The ring keeps every value its writers published and no reader has
 * taken yet, in its file, whatever became of the processes (docs/shm.md, "Durable queues"); this
 * handle looks at them without taking any.
 *
 * <pre>{@code
 * try (ShmQueue jobs = Shms.queue("jobs")) {     // or an absolute path: Shms.queue("/var/lib/app/jobs")
 *     long waiting = jobs.size();                 // values a reader opening now would receive
 *     if (stale) jobs.clear();                    // drops them (refused while a reader is alive)
 * }
 * }</pre>
 *
 * <p>Invariants and contract:
 * <ul>
 *   <li>{@link #size} counts whole values (DATA frames) in records published and not yet taken,
 *       as a reader opening now would receive them: claims of writers that died and frames a
 *       writer did not finish (it died in the middle of a value larger than a record) are not
 *       counted, since no reader receives them. It changes nothing in the ring. Exact when no
 *       reader is alive; with a live reader taking values meanwhile it is a snapshot (it looks
 *       again while the head moves under it, a bounded number of times).</li>
 *   <li>{@link #clear} drops them, as a reader would take them (zeroing each record and moving
 *       the head), so it is safe against live writers: their claims are never touched, and a
 *       value a writer publishes during the clear is either dropped whole or left whole. It
 *       <b>refuses while a reader is alive</b> ({@link IllegalStateException} naming its pid):
 *       the reader owns the head, and values it has already taken into its memory could not be
 *       dropped anyway. For the clear's few milliseconds it holds the ring's reader slot (as
 *       {@code -pid}), so a reader opening meanwhile is refused ("already has a reader"), and a
 *       writer opening waits for a real reader.</li>
 *   <li>{@link #remove} deletes the ring's file, under the same rule: refused while a reader is
 *       alive. Writers still mapping it learn that the reader is gone at their next send.</li>
 *   <li>Names as for channels ({@link Shms#path}): a logical name in the per-user directory, or
 *       an absolute path; the file must be this user's ({@link Shms#checkOwner}).</li>
 * </ul>
 *
 * <p>Thread-safe. The handle maps the ring until {@link #close}; a closed handle throws
 * {@link IllegalStateException}.
 */
public final class ShmQueue implements AutoCloseable {
    /** How long {@link #clear} waits for live writers to finish a record or a value it met unfinished. */
    private static final Duration CLEAR_WAIT = Duration.ofSeconds(2);
    /** As the reader: a gap of zeroes at the head lasting this long is a writer that died claiming. */
    private static final Duration ZERO_GAP = Duration.ofSeconds(1);
    /** How many times {@link #size} looks again when a reader moved the head under it. */
    private static final int SIZE_TRIES = 100;

    private final String name;
    private final Path path;
    private final Object key;
    private final ShmRing ring;
    private volatile boolean closed;

    private ShmQueue(String name, Path path, Object key, ShmRing ring) {
        this.name = name;
        this.path = path;
        this.key = key;
        this.ring = ring;
    }

    /**
     * Opens the queue of an existing ring, without becoming its reader.
     *
     * @param name a logical name ({@code jobs}: {@code /dev/shm/hoare-<uid>/jobs}) or an absolute path
     * @return the handle, mapping the ring
     * @throws IllegalArgumentException for an invalid name
     * @throws NoSuchFileException if there is no ring of that name (a reader creates it)
     * @throws IOException if the file is not a ring this library reads, or not this user's (the message says why)
     */
    public static ShmQueue open(String name) throws IOException {
        Path path = Shms.path(name);
        Shms.checkOwner(path);
        Object key = fileKey(path);
        ShmRing ring;
        try {
            ring = ShmRing.open(path);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(path.toString(), null, "no queue shm:" + name + " (no ring there; its reader creates it)");
        }
        try {
            Shms.checkOwner(path); // again: what was opened is what was checked
        } catch (IOException | RuntimeException e) {
            ring.close();
            throw e;
        }
        return new ShmQueue(name, path, key, ring);
    }

    /** @return the ring's file */
    public Path path() {
        return path;
    }

    /** @return the ring's records area in bytes */
    public int capacity() {
        return ring.capacity();
    }

    /** @return the bytes in use: records not yet taken, with their headers and padding */
    public long bytes() {
        check();
        return ring.depth();
    }

    /** @return the reader's pid, 0 if none is registered (it may be dead: {@link #readerAlive}); {@code -pid} while a process clears the queue */
    public int readerPid() {
        check();
        return ring.consumerPid();
    }

    /** @return whether a reader is registered and its process runs (pid and start time), or a process clearing the queue runs */
    public boolean readerAlive() {
        check();
        return ring.consumerAlive();
    }

    /**
     * Counts the values waiting: whole values in records published and not yet taken, which a
     * reader opening now would receive (see the class comment).
     *
     * @return how many
     * @throws ShmRing.RingCorruptException if the ring's content breaks its layout
     * @throws ShmRing.RingFaultException if its file was shrunk under this process
     */
    public long size() {
        check();
        Counter counter = null;
        for (int attempt = 0; attempt < SIZE_TRIES; attempt++) {
            long head = ring.headPosition();
            counter = new Counter(ring);
            long stop = ring.peek(head, counter);
            if (ring.headPosition() == head) {
                if (stop < 0 && ring.consumerAlive()) {
                    continue; // a reader zeroing what it took, the head not yet moved: look again
                }
                if (stop < 0) {
                    ring.checkPositions();
                    throw new ShmRing.RingCorruptException("shm:" + path + ": corrupt ring: a record between the head " + head
                            + " and the tail does not parse as the layout says");
                }
                return counter.values;
            }
            // a reader took records while they were counted: count again from where it is
        }
        return counter.values; // a busy reader: a recent count
    }

    /**
     * Drops every value waiting, as a reader would take them, and returns how many there were.
     * Live writers may go on meanwhile: what they publish during the clear is dropped or left,
     * each value whole; the clear waits up to 2 s for a writer that is in the middle of a record
     * or a value at the end (then leaves it).
     *
     * @return how many values were dropped
     * @throws IllegalStateException if a reader is alive (its pid in the message), or another
     *     process is clearing the queue
     * @throws IOException if the ring's file cannot be opened again
     * @throws ShmRing.RingCorruptException if the ring's content breaks its layout (what was
     *     dropped before stays dropped)
     */
    public long clear() throws IOException {
        check();
        try (ShmRing own = ShmRing.open(path)) { // a reading state of its own, from the head as it is now
            if (key != null && !key.equals(fileKey(path))) {
                throw new IllegalStateException("shm:" + path + " was replaced by another file since this queue was opened");
            }
            int holder = own.hold(false);
            if (holder != 0) {
                throw new IllegalStateException("shm:" + name + " has a live reader (" + ShmRing.describeHolder(holder)
                        + "): it takes the values; close it before clearing the queue");
            }
            try {
                Counter counter = new Counter(own);
                long deadline = System.nanoTime() + CLEAR_WAIT.toNanos();
                while (true) {
                    if (own.read(counter, Integer.MAX_VALUE) > 0) {
                        continue;
                    }
                    if (own.isEmpty() && !counter.unfinished()) {
                        return counter.values;
                    }
                    if (System.nanoTime() - deadline >= 0) {
                        return counter.values; // a writer stopped in the middle of a record or a value: left
                    }
                    if (!own.repair(ZERO_GAP)) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a live writer is writing: bounded
                    }
                }
            } finally {
                own.unhold();
            }
        }
    }

    /**
     * Removes the ring's file, with the values in it; closes this handle.
     *
     * @return whether this handle's file was there to remove ({@code false} if it is gone, or
     *     another ring has its name now, which is left)
     * @throws IllegalStateException if a reader is alive, or a process is clearing the queue
     * @throws IOException if it cannot be removed
     */
    public boolean remove() throws IOException {
        check();
        int holder = ring.hold(false);
        if (holder != 0) {
            throw new IllegalStateException("shm:" + name + " has a live reader (" + ShmRing.describeHolder(holder)
                    + "); close it before removing the queue");
        }
        try {
            if (key != null && !key.equals(fileKey(path))) {
                return false;
            }
            return Files.deleteIfExists(path);
        } finally {
            ring.unhold(); // writers still mapping the removed file see no reader
            close();
        }
    }

    /**
     * Writes the ring's pages to its file's storage ({@code msync}): on a ring on a disk, what is
     * in it survives the machine going down, not only the processes. Any process mapping the
     * ring may call it: the pages are the file's.
     */
    public void force() {
        check();
        ring.force();
    }

    /** Unmaps the ring. Idempotent. */
    @Override
    public void close() throws IOException {
        closed = true;
        ring.close();
    }

    @Override
    public String toString() {
        return "ShmQueue[shm:" + name + "]";
    }

    private void check() {
        if (closed) {
            throw new IllegalStateException(this + " is closed");
        }
    }

    /** @return the file's identity (device and inode), or {@code null} if unknown */
    private static Object fileKey(Path path) {
        try {
            return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * Counts whole DATA frames in the records handed to it, per writer (a record's type is
     * {@code writerId << 1 | kind}; a frame larger than a record continues in its writer's next
     * records). A writer's bytes that do not parse as frames (a frame length of less than 5 or
     * more than 1 GiB, an unknown kind: a reader had taken the start of its frame, or a reader
     * is zeroing them under a {@link ShmRing#peek}) make that writer's values uncounted until its
     * DETACH.
     */
    private static final class Counter implements ShmRing.Handler {
        private static final int DETACH = 1;
        private static final long MAX_FRAME = 1L << 30;
        private static final int KINDS = FrameKind.values().length;
        private final ShmRing ring;
        private final Map<Integer, Frames> writers = new HashMap<>();
        long values;

        Counter(ShmRing ring) {
            this.ring = ring;
        }

        /** One writer's frame in progress. */
        private static final class Frames {
            int headerBytes;
            long size;
            long remaining;
            int kind;
            boolean lost;
        }

        @Override
        public void onRecord(int type, ByteBuffer buffer, int offset, int length) {
            int writer = type >>> 1;
            if ((type & 1) == DETACH) {
                writers.remove(writer); // a frame it left unfinished is never delivered
                return;
            }
            Frames f = writers.computeIfAbsent(writer, w -> new Frames());
            int p = offset;
            int end = offset + length;
            while (p < end && !f.lost) {
                if (f.headerBytes < 4) { // the frame's length, big-endian (docs/wire-format.md)
                    f.size = f.size << 8 | (buffer.get(p++) & 0xff);
                    if (++f.headerBytes == 4) {
                        if (f.size < 5 || f.size > MAX_FRAME) {
                            f.lost = true;
                        }
                        f.remaining = f.size;
                    }
                    continue;
                }
                if (f.remaining == f.size) {
                    f.kind = buffer.get(p) & 0xff;
                    if (f.kind < 1 || f.kind > KINDS) {
                        f.lost = true;
                        break;
                    }
                }
                int skip = (int) Math.min(f.remaining, end - p);
                p += skip;
                f.remaining -= skip;
                if (f.remaining == 0) {
                    if (f.kind == FrameKind.DATA.code()) {
                        values++;
                    }
                    f.headerBytes = 0;
                    f.size = 0;
                }
            }
        }

        /** @return whether a writer whose process is alive is in the middle of a frame */
        boolean unfinished() {
            for (Map.Entry<Integer, Frames> e : writers.entrySet()) {
                Frames f = e.getValue();
                if (!f.lost && f.headerBytes > 0 && ring.userAlive(e.getKey() >>> 7)) {
                    return true;
                }
            }
            return false;
        }
    }
}
