package dev.hoare.channels.shm;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.LinkFaultException;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One end of a {@link ShmRing} as a one-way {@link Link}: writers put chunks of whole frames into
 * records (a record is all-or-nothing, so frames of writers killed at any moment never tear); a
 * frame larger than a record is split over several, and the reader joins them again per writer
 * ({@link RecordStream}), so that several writers' large frames never mix and a writer killed in
 * the middle of one loses that frame alone.
 *
 * <p>Each writer link has an id, made of its process's pid and a 7-bit slot, in every record's type
 * ({@code id << 1 | kind}); closing says DETACH. The reader keys each writer's unfinished frame
 * and attachment by that id, so two links of one process open to one ring never share a slot
 * ({@link Slots}): a process has at most {@value Slots#PER_RING} writer links open to one ring
 * (the next is refused at its opening), and a closed link's slot goes to a later link only once
 * nothing of the old link's can be mistaken for the new one's (its DETACH is in the ring, or its
 * records end on a frame boundary). The reader's stream ends when the ring is empty
 * and every writer it has seen has detached or its process is gone (as a FIFO's reader sees end
 * of stream when the last writer has gone). A writer sees the reader gone as an
 * {@link IOException} on a write: a released end at once, a dead process within 10 ms of
 * writing (it looks at the reader's pid that often whether or not the ring has room).
 *
 * <p>Closing unmaps the ring ({@link ShmRing#close}), and no thread may be in it then: unmapping
 * under a thread makes the JDK fail that thread's next access and set its interrupt status (to
 * wake it), which would reach the application as a spurious interrupt. So on the reading end
 * the reading thread (one at a time, as {@link Link} requires) says it is in the ring for each
 * {@link #awaitReadable} and {@link #read} ({@link #reading}: a volatile store in, a
 * release store out), other threads waking it count themselves in {@link #waking}, and each
 * touches the ring only if {@link #closed} is not set after it said so. The close sets
 * {@code closed}, wakes the reader, waits until nobody is in the ring, and unmaps. (Entering
 * writes its flag before it reads {@code closed}, closing writes {@code closed} before it reads
 * the flags, all volatile: of a racing entry and close, at least one sees the other; the release
 * store on leaving orders the thread's accesses before the unmapping.) The wait is short: every
 * wait in the ring looks at {@code closed} at least every 10 ms, and the close wakes a sleeper.
 * A writing end touches its ring only from the thread writing it at the time, which is also the
 * one that closes it.
 *
 * <p>A ring that faults (its file shrunk under the process) or breaks an invariant either end
 * checks fails the link with a {@link LinkFaultException} whose cause is the ring's own
 * {@link ShmRing.RingFaultException} or {@link ShmRing.RingCorruptException}: the channel
 * end closes with that cause. No {@link Error} of the JVM's and no other runtime exception of the
 * ring's leaves the link.
 */
final class ShmLink implements Link {
    private static final int DATA = 0;
    /** A frame's kind is its fifth byte (docs/wire-format.md). */
    private static final int KIND_AT = 4;
    private static final int DETACH = 1;
    /** How often a waiting end looks at its peer's liveness, and the reader beats its heart. */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A gap of zeroes at the head lasting this long is a producer that died claiming. */
    private static final Duration ZERO_GAP = Duration.ofSeconds(1);
    /** The largest pid Linux gives (PID_MAX_LIMIT on 64-bit): a writer id holding a larger one is corrupt. */
    static final int PID_MAX = 1 << 22;
    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private final ShmRing ring;
    private final ShmRing.WaitStrategy wait;
    private final String description;
    private final int writerId;
    /** Writers: the identity of the ring's file, under which {@link #writerId}'s slot is held ({@link Slots}). */
    private final Object ringKey;
    /**
     * Writers: the records in the ring end inside a frame (a write, always of whole frames, put in
     * some of its records and failed): a new link with this slot would have its bytes joined to it.
     */
    private boolean inFrame;
    /** The reader's records, joined into whole frames; {@code null} for writers. */
    private final RecordStream records;
    /** Whether this is a writing end (else the reading one). */
    private final boolean writer;
    private volatile boolean closed;
    /** {@link #close} has begun (once). */
    private final AtomicBoolean closing = new AtomicBoolean();
    /** Reading end: the reading thread while it is in the ring, else {@code null}. Written by it (see the class comment). */
    private volatile Thread reading;
    private static final java.lang.invoke.VarHandle READING;
    /** Reading end: threads in {@link #wakeReader} now. */
    private final AtomicInteger waking = new AtomicInteger();

    static {
        try {
            READING = java.lang.invoke.MethodHandles.lookup().findVarHandle(ShmLink.class, "reading", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** Readers: the largest frame (kind and payload) the end accepts, which bounds a writer's unfinished frame. */
    private int maxFrame = Frame.DEFAULT_MAX_FRAME;
    /** Writers: why the reader is gone, once known. */
    private volatile String gone;
    /** Writers: whether the first write (the HELLO) was seen. */
    private boolean helloKept;
    /** Writers: until the HELLO is in the ring, the opening's deadline ({@link System#nanoTime}) and timeout. */
    private long helloDeadline;
    private Duration timeout;
    /** Writers: the largest frame the reader said it reads, 0 if it did not say. */
    private int readerMaxFrame;
    /** Readers: the identity of the ring's file if this link created it (removed if the opening fails), else {@code null}. */
    private Object created;
    /**
     * Writers: when to look at the reader's process next. Every write reads the time from the
     * {@link CoarseClock} (a volatile load, at most 2 ms stale) and looks at the reader once
     * {@link #WRITER_CHECK_NANOS} have passed: time-based, so a quiet writer learns of a dead reader
     * at its first write after the death, whatever its pace, and a busy one within 10 ms of writing.
     */
    private volatile long nextReaderCheck = System.nanoTime();
    /** A writer's looks at its reader are this far apart at least (plus the coarse clock's tick: 10 ms at most). */
    private static final long WRITER_CHECK_NANOS = CHECK_NANOS - CoarseClock.TICK_NANOS;

    /**
     * @param ringKey for a writer, the ring file's identity under which {@code slot} is held;
     *     {@code null} for the reader
     * @param slot for a writer, its slot ({@link Slots#take}); ignored for the reader
     */
    private ShmLink(ShmRing ring, ShmRing.WaitStrategy wait, Object ringKey, int slot) {
        boolean writer = ringKey != null;
        this.ring = ring;
        this.wait = wait;
        this.description = "shm:" + ring.path();
        this.ringKey = ringKey;
        this.writerId = writer ? ((ShmRing.PID & 0x7F_FFFF) << 7) | slot : 0;
        if (writer) {
            CoarseClock.acquire(); // released by close
        }
        this.writer = writer;
        this.records = writer ? null : new RecordStream();
    }

    /**
     * The reading end: creates the ring (or opens an existing one, keeping what is in it) and
     * registers this process as its reader.
     *
     * @throws IOException if another live process reads it, or the file is not a ring
     */
    static ShmLink reader(Path path, int capacity, ShmRing.WaitStrategy wait) throws IOException {
        return reader(path, capacity, wait, null, 0, false);
    }

    /**
     * {@link #reader(Path, int, ShmRing.WaitStrategy)} that also says in the ring's header what it
     * accepts, so that a writer with another codec is refused at its opening and a writer sends
     * no frame larger than {@code maxFrame}, and that makes a new ring with checksums if asked.
     *
     * @param codecId the codec's id, or {@code null} to say nothing
     * @param maxFrame the largest frame the end reads (with a codec id); a writer's frame split
     *     over records is kept until whole up to this size (the default maximum if 0)
     * @param checksum whether a ring this end creates carries a CRC32C in every record; an end
     *     that asks for it refuses a ring made without
     */
    static ShmLink reader(Path path, int capacity, ShmRing.WaitStrategy wait, String codecId, int maxFrame, boolean checksum)
            throws IOException {
        Shms.checkOwner(path);
        ShmRing ring;
        Object created = null;
        try {
            ring = ShmRing.create(path, capacity, checksum);
            created = fileKey(path);
        } catch (FileAlreadyExistsException exists) {
            ring = ShmRing.open(path);
        }
        try {
            Shms.checkOwner(path); // again: what was opened is what was checked
            refuseWithoutChecksum(ring, checksum);
            int owner = ring.consumerPid();
            if (owner != 0 && owner != ShmRing.PID && ring.consumerAlive()) { // pid and start time: not a reused pid
                throw new IOException("shm:" + path + (owner < 0
                        ? " is held by pid " + -owner + " (clearing or removing its queue: ShmQueue)"
                        : " already has a reader (pid " + owner + ")"));
            }
        } catch (IOException | RuntimeException | InternalError e) {
            ring.close();
            removeCreated(path, created);
            throw e;
        }
        try {
            if (codecId != null) {
                ring.describeConsumer(codecId, maxFrame);
            }
            ring.registerConsumer();
        } catch (RuntimeException | InternalError e) { // a damaged header: nothing of this open stays behind
            ring.close();
            removeCreated(path, created);
            throw e;
        }
        ShmLink link = new ShmLink(ring, wait, null, 0);
        link.created = created;
        if (maxFrame > 0) {
            link.maxFrame = maxFrame;
        }
        return link;
    }

    /**
     * @return the ring file's identity for {@link Slots}: its device and inode (one ring under
     *     any of its names; not reused while a link maps it), or its absolute path if unknown
     */
    private static Object ringKey(Path path) {
        Object key = fileKey(path);
        return key != null ? key : path.toAbsolutePath().normalize();
    }

    /**
     * The slots (the low 7 bits of a writer id) this process's open writer links hold, per ring
     * file: two links open to one ring at the same time never share one, so the reader, which
     * keys each writer's unfinished frame and attachment by writer id, never merges their streams.
     * Held from a writer link's opening to its close; the lowest free slot is taken. Guarded by
     * {@link #LOCK} (held for a few instructions; never {@code synchronized}).
     */
    static final class Slots {
        /** Writer links one process may have open to one ring: 2^7. */
        static final int PER_RING = 128;
        private static final java.util.concurrent.locks.ReentrantLock LOCK = new java.util.concurrent.locks.ReentrantLock();
        /** Per ring with a slot held: the slots held (bit i of word i / 64). */
        private static final Map<Object, long[]> HELD = new HashMap<>();

        private Slots() {
        }

        /** @return a free slot of the ring, now held; -1 if all {@link #PER_RING} are held */
        static int take(Object ring) {
            LOCK.lock();
            try {
                long[] held = HELD.computeIfAbsent(ring, r -> new long[PER_RING / 64]);
                for (int word = 0; word < held.length; word++) {
                    if (held[word] != -1L) {
                        int bit = Long.numberOfTrailingZeros(~held[word]);
                        held[word] |= 1L << bit;
                        return word * 64 + bit;
                    }
                }
                return -1;
            } finally {
                LOCK.unlock();
            }
        }

        /** Frees a slot {@link #take} gave (once: the link's close). */
        static void give(Object ring, int slot) {
            LOCK.lock();
            try {
                long[] held = HELD.get(ring);
                if (held != null) {
                    held[slot / 64] &= ~(1L << (slot % 64));
                    if (held[0] == 0 && held[1] == 0) {
                        HELD.remove(ring);
                    }
                }
            } finally {
                LOCK.unlock();
            }
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

    /** Removes the file at {@code path} if it is still the one whose {@link #fileKey} is {@code created} (never one made by another). */
    private static void removeCreated(Path path, Object created) {
        if (created != null && created.equals(fileKey(path))) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException ignored) {
                // best effort: a stale ring is what was left before
            }
        }
    }

    /**
     * After the open of the reading end failed past this link (no writer's HELLO within the
     * timeout, a handshake refused): removes the ring if this link created it, so a failed open
     * leaves nothing behind. The link must be closed.
     */
    void removeIfCreated() {
        removeCreated(ring.path(), created);
        created = null;
    }

    /**
     * A writing end: waits up to {@code timeout} for the ring to exist and have a live reader.
     *
     * @throws IOException if none comes within the timeout, or the file is not a ring
     */
    static ShmLink writer(Path path, ShmRing.WaitStrategy wait, Duration timeout) throws IOException {
        return writer(path, wait, timeout, null, false);
    }

    /**
     * {@link #writer(Path, ShmRing.WaitStrategy, Duration)} that refuses a reader whose codec is
     * not {@code codecId} (as its handshake would, but before any value is lost and without
     * failing the reader for everyone), and learns the largest frame it reads
     * ({@link #readerMaxFrame}).
     *
     * @param codecId this sender's codec id, or {@code null} not to check
     * @param checksum whether this end requires a ring with checksums (it refuses one without)
     * @throws ChannelProtocolException if the reader said it decodes with another codec
     */
    static ShmLink writer(Path path, ShmRing.WaitStrategy wait, Duration timeout, String codecId, boolean checksum)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Shms.checkOwner(path);
                Object key = ringKey(path);
                ShmRing ring = ShmRing.open(path);
                int slot = -1;
                try { // whatever fails past the open (a refusal, a damaged header) closes the ring and gives the slot back
                    Shms.checkOwner(path); // again: what was opened is what was checked
                    // (a file replaced while being opened: which one was mapped is unknown, so look again)
                    boolean same = key.equals(ringKey(path));
                    ShmRing.Consumer reader = same ? ring.consumer() : null;
                    if (reader != null && ring.consumerAlive() && !ring.isClosed()) {
                        if (codecId != null && reader.codec() != null && !reader.codec().equals(codecId)) {
                            throw new ChannelProtocolException("shm:" + path + ": codec mismatch: its reader (pid " + reader.pid()
                                    + ") decodes with '" + reader.codec() + "', this sender encodes with '" + codecId + "'");
                        }
                        refuseWithoutChecksum(ring, checksum);
                        slot = Slots.take(key);
                        if (slot < 0) {
                            throw new IOException("shm:" + path + ": this process already has " + Slots.PER_RING + " writer links"
                                    + " open to this ring, the most it may (" + Slots.PER_RING + " writer links per process per ring:"
                                    + " a writer id holds 7 bits for the link); close one first");
                        }
                        ShmLink link = new ShmLink(ring, wait, key, slot);
                        link.helloDeadline = deadline;
                        link.timeout = timeout;
                        link.readerMaxFrame = reader.maxFrame();
                        return link;
                    }
                } catch (IOException | RuntimeException | InternalError e) {
                    ring.close();
                    if (slot >= 0) {
                        Slots.give(key, slot);
                    }
                    throw e;
                }
                ring.close();
            } catch (NoSuchFileException | ShmRing.NotInitialisedException notYet) {
                // the reader has not created it yet, or is creating it (an empty or half-written file)
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException("shm:" + path + ": no reader within " + dev.hoare.channels.spi.Endpoint.formatDuration(timeout));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            if (Thread.interrupted()) {
                throw new java.io.InterruptedIOException("interrupted while waiting for a reader of shm:" + path);
            }
        }
    }

    /** An end that asked for checksums does not use a ring made without (the ring's header decides for all its ends). */
    private static void refuseWithoutChecksum(ShmRing ring, boolean checksum) throws IOException {
        if (checksum && !ring.checksummed()) {
            ring.close();
            throw new IOException("shm:" + ring.path() + " was made without checksums (checksum=crc32c is set when the ring"
                    + " is created, by its first reader)");
        }
    }

    /** @return a writer link's id ({@code pid << 7 | slot}); 0 for the reading end */
    int writerId() {
        return writerId;
    }

    /** @return for a writer, the largest frame its reader said it reads; 0 if it did not say */
    int readerMaxFrame() {
        return readerMaxFrame;
    }

    /**
     * Whether the reader is gone: its end released the ring (seen at once), or its process is
     * no more (looked at every 10 ms at most, whether or not the ring has room, so a writer
     * learns it within a bounded time even when it sends little). Once gone, always gone.
     *
     * @return why it is gone, or {@code null}
     */
    private String readerGone() {
        if (gone == null) {
            if (ring.isClosed()) {
                gone = "the reader released the ring";
            } else if (timeToCheckReader()) {
                ring.writerHeartbeat();
                int reader = ring.consumerPid();
                if (reader == 0 || !ring.consumerAlive()) { // pid and start time: a reused pid is not the reader
                    gone = "the reader went away" + (reader == 0 ? "" : " (pid " + reader + ")");
                }
            }
        }
        return gone;
    }

    /** Reads the coarse clock: whether the reader's process is due a look (10 ms since the last, at most). */
    private boolean timeToCheckReader() {
        long now = CoarseClock.now();
        if (now - nextReaderCheck < 0) {
            return false;
        }
        nextReaderCheck = now + WRITER_CHECK_NANOS;
        return true;
    }

    /**
     * Puts one record in, waiting for room; fails once the reader is gone or released the ring.
     *
     * @throws LinkFaultException with the ring's exception if its memory faulted or it is corrupt
     */
    private void offer(int kind, byte[] b, int off, int len) throws IOException {
        int type = writerId << 1 | kind;
        for (int tries = 0; ; tries++) {
            if (closed) {
                throw new IOException(description + ": the link is closed");
            }
            try {
                String why = readerGone();
                if (why != null) { // a reader that stopped on a corrupt ring: say so, not just "gone"
                    if (ring.foundCorrupt()) {
                        throw new ShmRing.RingCorruptException(description + ": the reader found the ring corrupt and stopped");
                    }
                    ring.checkPositions();
                    throw new IOException(description + ": " + why);
                }
                if (ring.offer(type, b, off, len)) {
                    return;
                }
            } catch (InternalError | RuntimeException e) {
                if (closed) { // closed by another thread meanwhile: the ring is unmapped
                    throw new IOException(description + ": the link is closed", e);
                }
                throw ringFailed(e);
            }
            if (timeout != null && (tries & 63) == 63 && System.nanoTime() - helloDeadline >= 0) {
                throw new IOException(description + ": the ring stayed full for " + dev.hoare.channels.spi.Endpoint.formatDuration(timeout) + ", the opening's timeout: no room"
                        + " for this sender's HELLO (its reader is alive but does not receive, or the ring's header is damaged)");
            }
            if (tries < 100) {
                Thread.onSpinWait();
            } else if (tries < 200) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(50_000);
            }
        }
    }

    /** @return whether a frame's kind byte says HELLO */
    private static boolean isHello(byte kind) {
        return (kind & 0xff) == FrameKind.HELLO.code();
    }

    @Override
    public boolean reads() {
        return !writer;
    }

    @Override
    public boolean writes() {
        return writer;
    }

    /**
     * The whole frames the records read so far hold (see {@link RecordStream}), waiting for
     * records as needed; the buffer is {@link RecordStream}'s, filled again by the next read or
     * {@link #awaitReadable}. Lengths beyond the reader's {@code maxFrame} are left to the
     * caller's decoding to refuse (a record's bytes are already in, so nothing waits for them).
     */
    @Override
    public ByteBuffer read(int maxFrame) throws IOException {
        if (writer) {
            throw new IOException(description + ": a writing end of a ring does not read");
        }
        if (!enterRead()) {
            throw new IOException(description + ": the link is closed");
        }
        try {
            return records.take();
        } finally {
            READING.setRelease(this, (Thread) null);
        }
    }

    /** Whole frames (or a length the caller refuses) are in hand from records already taken. */
    @Override
    public boolean hasFrame() {
        return !writer && records.available() > 0;
    }

    /**
     * Puts whole frames in, in records of at most {@link ShmRing#maxPayload} bytes (a larger
     * frame over several, which the reader joins), waiting for room. The first write of a link is
     * its HELLO, which the ring also keeps for readers that come later.
     */
    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (!writer) {
            throw new IOException(description + ": the reading end of a ring does not write");
        }
        if (!helloKept) { // the first write is the HELLO: kept for readers that come later
            helloKept = true;
            if (len > KIND_AT && isHello(b[off + KIND_AT])) {
                ring.keepHello(b, off, len);
            }
        }
        for (int done = 0; done < len; ) {
            int n = Math.min(len - done, ring.maxPayload());
            offer(DATA, b, off + done, n);
            done += n;
            inFrame = done < len;
        }
        timeout = null; // the HELLO is in: from now on a full ring is flow control
    }

    /** A writer's frames go straight into the ring from the sending thread when there is room. */
    @Override
    public boolean canWriteNow() {
        return writer;
    }

    /** One record, if it fits and there is room now; never blocks. */
    @Override
    public boolean writeNow(byte[] bytes, int length) {
        if (!writer || closed || length > ring.maxPayload()) {
            return false; // the writer thread reports a gone reader
        }
        try {
            return readerGone() == null && ring.offer(writerId << 1 | DATA, bytes, 0, length);
        } catch (InternalError | RuntimeException e) {
            return false; // the writer thread's write meets the same problem and reports it
        }
    }

    /**
     * A record's payload: frames up to it are never torn. (The default {@link #writeChunks}
     * writes each chunk with {@link #write}, which puts it in a record of its own.)
     */
    @Override
    public int atomicWrite() {
        return ring.maxPayload();
    }

    /** The receiving application thread may read the ring itself (the reading end). */
    @Override
    public boolean canReadNow() {
        return !writer;
    }

    /**
     * Waits with the ring's wait strategy; a DETACH record met meanwhile is taken (it only
     * updates the writers), and the end of the stream counts as readable.
     */
    @Override
    public boolean awaitReadable(long timeoutNanos) throws IOException, InterruptedException {
        if (!enterRead()) {
            return true; // closed: the read says so
        }
        try {
            return records.ready(timeoutNanos);
        } finally {
            READING.setRelease(this, (Thread) null);
        }
    }

    /** Wakes a reader sleeping on the ring's futex (a spinning one looks again by itself). */
    @Override
    public void wakeReader() {
        waking.incrementAndGet();
        try {
            if (!closed) {
                ring.signal();
            }
        } finally {
            waking.decrementAndGet();
        }
    }

    /**
     * The reading thread enters the ring; if this returns {@code true}, it leaves with a release
     * store of {@code null} to {@link #reading} when done.
     *
     * @return {@code false} if the link is closed: the ring must not be touched
     */
    private boolean enterRead() {
        reading = Thread.currentThread();
        if (closed) {
            READING.setRelease(this, (Thread) null);
            return false;
        }
        return true;
    }

    @Override
    public boolean sharedByWriters() {
        return true;
    }

    /**
     * A writer detaches (best effort, if there is room soon); a reader releases the ring (writers
     * then fail) and wakes itself if blocked. Either unmaps the ring, a reader once no other
     * thread is in it (within 10 ms: see the class comment).
     */
    @Override
    public void close() throws IOException {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        boolean detached = false;
        if (writer && timeout == null && ring.intact()) { // (a writer whose HELLO never went in has nothing to detach)
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                byte[] none = {};
                while (!ring.isClosed() && !(detached = ring.offer(writerId << 1 | DETACH, none, 0, 0))
                        && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(100_000);
                }
            } catch (InternalError | RuntimeException ignored) {
                // the ring is gone or broken: nothing to detach from
            }
        }
        closed = true;
        if (writer) {
            CoarseClock.release();
        }
        if (writer && (detached || !inFrame)) {
            // The slot is free for a later link of this process: after this DETACH in ring order (the
            // reader resets this id on it), or after records that end on a frame boundary (a new link's
            // HELLO then starts a frame of its own). A write cut inside a frame, with no DETACH after
            // it, keeps the slot: a new link's bytes would be joined to the unfinished frame.
            Slots.give(ringKey, writerId & 0x7F);
        }
        if (!writer) {
            if (ring.intact()) {
                try {
                    ring.markClosed();
                    ring.unregisterConsumer();
                    ring.signal();
                } catch (InternalError | RuntimeException ignored) {
                    // the ring's memory faulted: nobody can read the mark
                }
            }
            Thread r;
            while (((r = reading) != null && r != Thread.currentThread()) || waking.get() != 0) {
                // they see closed and leave: their waits are 10 ms at most
                LockSupport.parkNanos(50_000);
            }
        }
        ring.close(); // unmaps
    }

    @Override
    public String describe() {
        return description;
    }

    /** {@inheritDoc} A writing end's peer is the ring's reader; a reading end has no one peer. */
    @Override
    public long peerPid() {
        if (!writer) {
            return -1; // many writers may share the ring
        }
        try {
            int reader = ring.consumerPid();
            return reader > 0 ? reader : -1;
        } catch (RuntimeException unmapped) {
            return -1;
        }
    }

    /** At most this many records, and (beyond the first) this many payload bytes, per look at the ring. */
    private static final int BATCH_RECORDS = 64;
    private static final int BATCH_BYTES = 1 << 16;

    /**
     * The reader's frames: whole frames, in the order their last bytes were read, handed up as
     * they lie in {@code current} ({@link #take}: no stream of bytes, no second framing); end of
     * the stream once every writer has gone.
     *
     * <p>Invariants (one reading thread at a time, the end serialises them):
     * <ul>
     * <li>{@code current[pos, limit)} holds only whole frames, each the bytes of one writer: a
     *     read never waits in the middle of a frame, and two writers' bytes never mix.
     * <li>{@code current[0, pos)} is what {@link #take} handed up last, left alone until the next
     *     {@link #poll} (a read or a wait of the link's one reader) fills from the front again.
     * <li>A writer's bytes that do not yet make a whole frame (a frame split over records, when
     *     it is larger than a record) wait in that {@link Writer}'s partial buffer, at most a
     *     frame header plus {@link #maxFrame} bytes. A writer whose process is gone loses them
     *     once the head has passed every record it could have written: a value arrives whole or
     *     not at all, and the others go on. A writer that detaches inside a frame (it wrote half
     *     a frame and closed) loses them too, and the stream then ends with a protocol error
     *     ("truncated frame") instead of cleanly, as a byte stream cut inside a frame does.
     * <li>Fast path: a writer with nothing partial whose record holds whole frames (every
     *     record of frames up to a record's size) costs one look at each frame's length, and
     *     its bytes are copied once, from the ring to {@code current}.
     * </ul>
     */
    private final class RecordStream {
        /** Every writer met, by id; never removed (a writer's records may outlive the look that found it gone). */
        private final Map<Integer, Writer> writers = new HashMap<>();
        /** The writer of the last record read (most records come from the same writer as the one before). */
        private Writer last = new Writer(-1);
        /** How many writers are attached: seen, not detached, not found gone since. */
        private int attachedCount;
        private boolean everAttached;
        /** Why the stream ends with a protocol error rather than cleanly: a writer that detached inside a frame. */
        private String truncated;
        private byte[] current = new byte[256];
        private int pos;
        private int limit;
        private long nextCheck = System.nanoTime();
        private final ShmRing.Handler take = this::onRecord;
        /**
         * Whether nothing had been written into the ring when this reader came (a ring it made):
         * then every writer's first record begins with its HELLO, and one that does not is corrupt.
         * (A reader of a ring with records left by an earlier reader gives such a writer the kept HELLO.)
         */
        private final boolean freshRing = ring.tailPosition() == 0;

        /** Takes one record of the ring (during {@link ShmRing#read}). */
        private void onRecord(int type, ByteBuffer buffer, int offset, int length) {
            int id = type >>> 1;
            Writer w = id == last.id ? last : writer(id);
            last = w;
            if ((type & 1) == DETACH) {
                if (length != 0) {
                    throw corruptRecord(id, "a DETACH record with " + length + " bytes (a writer gives none)");
                }
                detach(w);
                w.detached = true;
                if (w.partial != null) { // a frame it left unfinished never will be: dropped, and said at the end
                    truncated = "truncated frame: a writer (id " + id + ") detached " + w.partialLength
                            + " bytes into a frame";
                    w.partial = null;
                }
                return;
            }
            if (length == 0) {
                throw corruptRecord(id, "an empty DATA record (a writer never writes one)");
            }
            if (!w.attached) { // attached (again, if the liveness look had dropped it)
                w.attached = true;
                attachedCount++;
                everAttached = true;
            }
            if (w.partial == null) {
                boolean hello = length > KIND_AT && isHello(buffer.get(offset + KIND_AT));
                if (w.detached && !hello) { // after its DETACH, a writer id comes back only as a new link
                    throw corruptRecord(id, "a record after the writer detached that does not begin with a HELLO");
                }
                w.detached = false;
                if (!w.met) {
                    w.met = true;
                    if (!hello && freshRing) {
                        throw corruptRecord(id, "the first record of a writer, in a ring new to this reader, does not begin"
                                + " with its HELLO");
                    }
                    if (!hello) {
                        // an earlier reader of this (durable) ring took this writer's HELLO: the kept one stands in
                        byte[] kept = ring.keptHello();
                        if (kept != null) {
                            append(kept, 0, kept.length);
                        }
                    }
                }
                int whole = wholeFrames(buffer, offset, length);
                appendFromRing(buffer, offset, whole);
                if (whole < length) {
                    w.keep(buffer, offset + whole, length - whole, maxFrame);
                }
            } else {
                w.keep(buffer, offset, length, maxFrame);
                int whole = wholeFrames(w.partial, w.partialLength);
                if (whole > 0) {
                    append(w.partial, 0, whole);
                    w.drop(whole);
                }
            }
        }

        private ShmRing.RingCorruptException corruptRecord(int writer, String what) {
            return new ShmRing.RingCorruptException(description + ": corrupt ring: " + what + " (writer id " + writer + ")");
        }

        /** @return the writer of this id, met now if new; a record of a writer id no process can have is corrupt */
        private Writer writer(int id) {
            Writer w = writers.get(id);
            if (w == null) {
                int pid = id >>> 7;
                if (pid <= 0 || pid > PID_MAX) {
                    throw new ShmRing.RingCorruptException(description + ": corrupt record: writer id " + id
                            + " holds pid " + pid + ", which no process can have (1 to " + PID_MAX + ")");
                }
                w = new Writer(id);
                writers.put(id, w);
            }
            return w;
        }

        private void detach(Writer w) {
            if (w.attached) {
                w.attached = false;
                attachedCount--;
            }
        }

        /**
         * @return how many bytes from {@code offset} are whole frames, or {@code length} if one
         *     announces a length the reader refuses (the frame reader then says why)
         */
        private int wholeFrames(ByteBuffer buffer, int offset, int length) {
            int p = 0;
            while (length - p >= 4) {
                int frame = buffer.getInt(offset + p);
                long size = (LITTLE_ENDIAN ? Integer.reverseBytes(frame) : frame) & 0xFFFF_FFFFL;
                if (size < 1 || size > maxFrame) {
                    return length;
                }
                if (size > length - p - 4) {
                    break;
                }
                p += 4 + (int) size;
            }
            return p;
        }

        /** {@link #wholeFrames(ByteBuffer, int, int)} of {@code bytes[0, length)}. */
        private int wholeFrames(byte[] bytes, int length) {
            int p = 0;
            while (length - p >= 4) {
                long size = ((long) (bytes[p] & 0xff) << 24) | ((bytes[p + 1] & 0xff) << 16) | ((bytes[p + 2] & 0xff) << 8)
                        | (bytes[p + 3] & 0xff);
                if (size < 1 || size > maxFrame) {
                    return length;
                }
                if (size > length - p - 4) {
                    break;
                }
                p += 4 + (int) size;
            }
            return p;
        }

        private void appendFromRing(ByteBuffer buffer, int offset, int length) {
            if (length > 0) {
                buffer.get(offset, room(length), limit, length);
                limit += length;
            }
        }

        private void append(byte[] bytes, int offset, int length) {
            System.arraycopy(bytes, offset, room(length), limit, length);
            limit += length;
        }

        /** @return {@link #current}, with room for {@code length} more bytes at {@link #limit} */
        private byte[] room(int length) {
            int end = limit + length;
            if (current.length < end) {
                current = Arrays.copyOf(current, Math.max(end, 2 * current.length));
            }
            return current;
        }

        /**
         * Hands up every whole frame joined so far ({@code current[pos, limit)}), waiting for
         * records if there are none: a view of {@link #current}, which the next {@link #poll}
         * (of a read or a wait) fills again from the front.
         *
         * @return the frames, or {@code null} at the end of the stream
         * @throws ChannelProtocolException if a writer detached inside a frame
         */
        ByteBuffer take() throws IOException {
            while (pos == limit) {
                if (!next()) {
                    if (truncated != null) {
                        throw new ChannelProtocolException(description + ": " + truncated);
                    }
                    return null;
                }
            }
            ByteBuffer frames = ByteBuffer.wrap(current, pos, limit - pos);
            pos = limit;
            return frames;
        }

        int available() {
            return limit - pos;
        }

        /**
         * Waits for the next whole frames, not giving up on an interrupt (which is kept for the
         * caller): a frame half read when an interrupt came would tear the stream.
         *
         * @return {@code false} at the end of the stream
         */
        private boolean next() throws IOException {
            boolean interrupted = false;
            try {
                while (true) {
                    int r = poll();
                    if (r != 0) {
                        return r > 0;
                    }
                    try {
                        ring.await(wait, Math.max(0, nextCheck - System.nanoTime()));
                    } catch (InterruptedException e) {
                        interrupted = true;
                    } catch (InternalError | RuntimeException e) {
                        throw ringFailed(e);
                    }
                }
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** See {@link ShmLink#awaitReadable}. */
        boolean ready(long timeoutNanos) throws IOException, InterruptedException {
            if (pos < limit || closed || poll() != 0) {
                return true; // the common case in a busy stream: no clock read
            }
            long deadline = System.nanoTime() + timeoutNanos;
            while (true) {
                if (pos < limit || closed || poll() != 0) {
                    return true;
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                try {
                    ring.await(wait, Math.min(remaining, Math.max(0, nextCheck - System.nanoTime())));
                } catch (InternalError | RuntimeException e) {
                    throw ringFailed(e);
                }
            }
        }

        /**
         * One look at the ring: takes the records published (a DETACH only updates the writers),
         * and every 10 ms beats the heart, repairs the head, and forgets writers whose process is
         * gone (and, once none of their records can be left, their unfinished frames).
         *
         * @return 1 if bytes are ready, -1 at the end of the stream, 0 if nothing yet
         * @throws LinkFaultException with the ring's exception if its memory faulted or it is corrupt
         */
        private int poll() throws IOException {
            if (closed) {
                throw new IOException(description + ": the link is closed");
            }
            if (pos == limit) {
                pos = 0;
                limit = 0;
            }
            try {
                if (ring.read(take, BATCH_RECORDS, BATCH_BYTES) > 0 && pos < limit) {
                    return 1;
                }
                long now = System.nanoTime();
                if (now - nextCheck >= 0) {
                    checkStatus();
                    ring.heartbeat();
                    ring.repair(ZERO_GAP);
                    forgetGoneWriters();
                    nextCheck = now + CHECK_NANOS;
                }
                return everAttached && attachedCount == 0 && ring.isEmpty() ? -1 : 0;
            } catch (InternalError | RuntimeException e) {
                throw ringFailed(e);
            }
        }

        /**
         * Checks what only this reader writes in the header: the ring is not marked closed, and
         * names this process as its reader (else writers would stop, and this reader wait for ever).
         *
         * @throws ShmRing.RingCorruptException if not
         */
        private void checkStatus() {
            if (ring.isClosed() && !closed) {
                throw new ShmRing.RingCorruptException(description + ": corrupt ring: it is marked closed, and only its"
                        + " reader (this one, open) marks it");
            }
            int reader = ring.consumerPid();
            if (reader != ShmRing.PID && !closed) { // (closed is set before the close unregisters: read it after the pid)
                throw new ShmRing.RingCorruptException(description + ": corrupt ring: it names pid " + reader
                        + " as its reader, and this reader (pid " + ShmRing.PID + ") is open");
            }
        }

        /** Detaches the writers whose process is gone; drops their unfinished frames once the head has passed all they wrote. */
        private void forgetGoneWriters() {
            long head = -1;
            for (Writer w : writers.values()) {
                if (w.attached && !ring.userAlive(w.id >>> 7)) { // a reused pid is not the writer
                    detach(w);
                    if (w.partial != null && w.dropAt < 0) {
                        w.dropAt = ring.tailPosition(); // every record it published or claimed lies before
                    }
                }
                if (w.dropAt >= 0) {
                    head = head < 0 ? ring.headPosition() : head;
                    if (head >= w.dropAt) {
                        w.partial = null;
                        w.dropAt = -1;
                    }
                }
            }
        }
    }

    /** A writer as the reader sees it. Read and written by the one reading thread only. */
    private static final class Writer {
        /** The writer link's id: its process's pid and a slot ({@code pid << 7 | slot}). */
        final int id;
        /** Whether the reader has had a record of it (a first record that is no HELLO is given the kept one). */
        boolean met;
        /** Whether its last record was a DETACH: a record of this id after it is a new link's, beginning with a HELLO. */
        boolean detached;
        /** Seen, and neither detached nor found gone since. */
        boolean attached;
        /** The start of a frame it has not finished: {@code partial[0, partialLength)}; {@code null} if none. */
        byte[] partial;
        int partialLength;
        /** Once found gone with a frame unfinished: the tail then; when the head passes it, nothing more of it can come. */
        long dropAt = -1;

        Writer(int id) {
            this.id = id;
        }

        /**
         * Appends a record's bytes to the unfinished frame, growing the buffer to the frame's
         * announced size once its header is whole (at most {@code maxFrame} and the header).
         */
        void keep(ByteBuffer buffer, int offset, int length, int maxFrame) {
            if (partial == null) {
                partial = new byte[Math.max(length, 64)];
                partialLength = 0;
            }
            int end = partialLength + length;
            if (partial.length < end) {
                long want = end;
                if (partialLength >= 4) {
                    long size = ((long) (partial[0] & 0xff) << 24) | ((partial[1] & 0xff) << 16) | ((partial[2] & 0xff) << 8)
                            | (partial[3] & 0xff);
                    want = Math.max(end, 4 + Math.min(size, maxFrame));
                }
                partial = Arrays.copyOf(partial, (int) Math.min(Math.max(want, 2L * partial.length), 4L + maxFrame + length));
            }
            buffer.get(offset, partial, partialLength, length);
            partialLength = end;
        }

        /** Drops the first {@code n} bytes (whole frames passed on); nothing left: no partial. */
        void drop(int n) {
            if (n == partialLength) {
                partial = null;
                partialLength = 0;
            } else {
                System.arraycopy(partial, n, partial, 0, partialLength - n);
                partialLength -= n;
            }
        }
    }

    /**
     * What a fault of the ring's memory (an {@link InternalError} from the JVM, on an access to a
     * page its file no longer has), a misaligned position (a corrupt field) or another check that
     * failed means: the ring's own exception, in a {@link LinkFaultException} so that the end
     * closes with it as the cause.
     */
    private LinkFaultException ringFailed(Throwable e) {
        RuntimeException cause;
        if (e instanceof ShmRing.RingFaultException f) {
            cause = f;
        } else if (e instanceof InternalError internal) {
            cause = ring.fault(internal);
        } else {
            cause = new ShmRing.RingCorruptException(description + ": corrupt ring: " + e, e);
        }
        if (!writer && cause instanceof ShmRing.RingCorruptException && ring.intact()) {
            try {
                ring.markCorrupt(); // writers learn why the reader stopped
            } catch (InternalError | RuntimeException ignored) {
                // the ring is past telling
            }
        }
        return new LinkFaultException(cause.getMessage(), cause);
    }
}
