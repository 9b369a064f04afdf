package dev.hoare.channels.shm;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.spi.Link;
import dev.hoare.channels.spi.LinkStreams;
import dev.hoare.channels.wire.FrameKind;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One end of a {@link ShmRing} as a one-way {@link Link}: writers put chunks of whole frames into
 * records (a record is all-or-nothing, so frames of writers killed at any moment never tear,
 * unless one frame is larger than a record), the one reader reads them back as a byte stream.
 *
 * <p>Each writer link has an id, made of its process's pid and a counter, in every record's type
 * ({@code id << 1 | kind}); closing says DETACH. The reader's stream ends when the ring is empty
 * and every writer it has seen has detached or its process is gone (as a FIFO's reader sees end
 * of stream when the last writer has gone). A writer sees the reader gone as an
 * {@link IOException} on a write: a released end at once, a dead process within 10 ms of
 * writing (it looks at the reader's pid that often whether or not the ring has room).
 *
 * <p>Closing unmaps the ring ({@link ShmRing#close}), and no thread may be in it then: unmapping
 * under a thread makes the JDK fail that thread's next access and set its interrupt status (to
 * wake it), which would reach the application as a spurious interrupt. So on the reading end
 * the reading thread (one at a time, as {@link Link} requires) says it is in the ring for each
 * {@link #awaitReadable} and read of {@link #in()} ({@link #reading}: a volatile store in, a
 * release store out), other threads waking it count themselves in {@link #waking}, and each
 * touches the ring only if {@link #closed} is not set after it said so. The close sets
 * {@code closed}, wakes the reader, waits until nobody is in the ring, and unmaps. (Entering
 * writes its flag before it reads {@code closed}, closing writes {@code closed} before it reads
 * the flags, all volatile: of a racing entry and close, at least one sees the other; the release
 * store on leaving orders the thread's accesses before the unmapping.) The wait is short: every
 * wait in the ring looks at {@code closed} at least every 10 ms, and the close wakes a sleeper.
 * A writing end touches its ring only from the thread writing it at the time, which is also the
 * one that closes it.
 */
final class ShmLink implements Link {
    private static final int DATA = 0;
    /** A frame's kind is its fifth byte (docs/wire-format.md). */
    private static final int KIND_AT = 4;
    private static final int DETACH = 1;
    private static final AtomicInteger WRITERS = new AtomicInteger();
    /** How often a waiting end looks at its peer's liveness, and the reader beats its heart. */
    private static final long CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** A gap of zeroes at the head lasting this long is a producer that died claiming. */
    private static final Duration ZERO_GAP = Duration.ofSeconds(1);

    private final ShmRing ring;
    private final ShmRing.WaitStrategy wait;
    private final String description;
    private final int writerId;
    private final InputStream in;
    /** The reader's stream itself ({@link #in} is it behind the count of threads in the ring); {@code null} for writers. */
    private final RecordStream records;
    private final OutputStream out;
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
     * Writers: when to look at the reader's process next. Every write reads the clock (a vDSO
     * call, some 20 ns) and looks at the reader when 10 ms have passed: time-based, so a quiet
     * writer learns of a dead reader at its first write after the death, whatever its pace.
     */
    private volatile long nextReaderCheck = System.nanoTime();

    private ShmLink(ShmRing ring, ShmRing.WaitStrategy wait, boolean writer) {
        this.ring = ring;
        this.wait = wait;
        this.description = "shm:" + ring.path();
        this.writerId = writer ? ((ShmRing.PID & 0x7F_FFFF) << 7) | (WRITERS.getAndIncrement() & 0x7F) : 0;
        this.records = writer ? null : new RecordStream();
        this.in = writer ? null : new LinkStreams.In() {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (!enterRead()) {
                    throw new IOException(description + ": the link is closed");
                }
                try {
                    return records.read(b, off, len);
                } finally {
                    READING.setRelease(ShmLink.this, (Thread) null);
                }
            }

            @Override
            public int available() {
                return records.available();
            }
        };
        this.out = writer ? new LinkStreams.Out() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
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
                }
                timeout = null; // the HELLO is in: from now on a full ring is flow control
            }

            @Override
            public void close() throws IOException {
                ShmLink.this.close();
            }
        } : null;
    }

    /**
     * The reading end: creates the ring (or opens an existing one, keeping what is in it) and
     * registers this process as its reader.
     *
     * @throws IOException if another live process reads it, or the file is not a ring
     */
    static ShmLink reader(Path path, int capacity, ShmRing.WaitStrategy wait) throws IOException {
        return reader(path, capacity, wait, null, 0);
    }

    /**
     * {@link #reader(Path, int, ShmRing.WaitStrategy)} that also says in the ring's header what it
     * accepts, so that a writer with another codec is refused at its opening and a writer sends
     * no frame larger than {@code maxFrame}.
     *
     * @param codecId the codec's id, or {@code null} to say nothing
     * @param maxFrame the largest frame the end reads (with a codec id)
     */
    static ShmLink reader(Path path, int capacity, ShmRing.WaitStrategy wait, String codecId, int maxFrame) throws IOException {
        Shms.checkOwner(path);
        ShmRing ring;
        Object created = null;
        try {
            ring = ShmRing.create(path, capacity);
            created = fileKey(path);
        } catch (FileAlreadyExistsException exists) {
            ring = ShmRing.open(path);
        }
        try {
            Shms.checkOwner(path); // again: what was opened is what was checked
            int owner = ring.consumerPid();
            if (owner != 0 && owner != ShmRing.PID && ring.consumerAlive()) { // pid and start time: not a reused pid
                throw new IOException("shm:" + path + " already has a reader (pid " + owner + ")");
            }
        } catch (IOException | RuntimeException e) {
            ring.close();
            removeCreated(path, created);
            throw e;
        }
        if (codecId != null) {
            ring.describeConsumer(codecId, maxFrame);
        }
        ring.registerConsumer();
        ShmLink link = new ShmLink(ring, wait, false);
        link.created = created;
        return link;
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
        return writer(path, wait, timeout, null);
    }

    /**
     * {@link #writer(Path, ShmRing.WaitStrategy, Duration)} that refuses a reader whose codec is
     * not {@code codecId} (as its handshake would, but before any value is lost and without
     * failing the reader for everyone), and learns the largest frame it reads
     * ({@link #readerMaxFrame}).
     *
     * @param codecId this sender's codec id, or {@code null} not to check
     * @throws ChannelProtocolException if the reader said it decodes with another codec
     */
    static ShmLink writer(Path path, ShmRing.WaitStrategy wait, Duration timeout, String codecId) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                Shms.checkOwner(path);
                ShmRing ring = ShmRing.open(path);
                try {
                    Shms.checkOwner(path); // again: what was opened is what was checked
                } catch (IOException e) {
                    ring.close();
                    throw e;
                }
                ShmRing.Consumer reader = ring.consumer();
                if (reader != null && ring.consumerAlive() && !ring.isClosed()) {
                    if (codecId != null && reader.codec() != null && !reader.codec().equals(codecId)) {
                        ring.close();
                        throw new ChannelProtocolException("shm:" + path + ": codec mismatch: its reader (pid " + reader.pid()
                                + ") decodes with '" + reader.codec() + "', this sender encodes with '" + codecId + "'");
                    }
                    ShmLink link = new ShmLink(ring, wait, true);
                    link.helloDeadline = deadline;
                    link.timeout = timeout;
                    link.readerMaxFrame = reader.maxFrame();
                    return link;
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

    /** Reads the clock: whether the reader's process is due a look (10 ms since the last). */
    private boolean timeToCheckReader() {
        long now = System.nanoTime();
        if (now - nextReaderCheck < 0) {
            return false;
        }
        nextReaderCheck = now + CHECK_NANOS;
        return true;
    }

    /** Puts one record in, waiting for room; fails once the reader is gone or released the ring. */
    private void offer(int kind, byte[] b, int off, int len) throws IOException {
        int type = writerId << 1 | kind;
        for (int tries = 0; ; tries++) {
            if (closed) {
                throw new IOException(description + ": the link is closed");
            }
            String why = readerGone();
            if (why != null) {
                throw new IOException(description + ": " + why);
            }
            try {
                if (ring.offer(type, b, off, len)) {
                    return;
                }
            } catch (ShmRing.RingFaultException | ShmRing.RingCorruptException e) {
                throw new IOException(e.getMessage(), e);
            } catch (IllegalStateException e) {
                if (closed) { // closed by another thread meanwhile: the ring is unmapped
                    throw new IOException(description + ": the link is closed", e);
                }
                throw e;
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
    public InputStream in() {
        return in;
    }

    @Override
    public OutputStream out() {
        return out;
    }

    /** A writer's frames go straight into the ring from the sending thread when there is room. */
    @Override
    public boolean canWriteNow() {
        return out != null;
    }

    /** One record, if it fits and there is room now; never blocks. */
    @Override
    public boolean writeNow(byte[] bytes, int length) {
        if (out == null || closed || length > ring.maxPayload() || readerGone() != null) {
            return false; // the writer thread reports a gone reader
        }
        try {
            return ring.offer(writerId << 1 | DATA, bytes, 0, length);
        } catch (RuntimeException e) {
            return false; // the writer thread's write meets the same problem and reports it
        }
    }

    /**
     * A record's payload: frames up to it are never torn. (The default {@link #writeChunks}
     * writes each chunk to {@link #out()}, which puts it in a record of its own.)
     */
    @Override
    public int atomicWrite() {
        return ring.maxPayload();
    }

    /** The receiving application thread may read the ring itself (the reading end). */
    @Override
    public boolean canReadNow() {
        return in != null;
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
        if (out != null && timeout == null) { // (a writer whose HELLO never went in has nothing to detach)
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
                byte[] none = {};
                while (!ring.isClosed() && !ring.offer(writerId << 1 | DETACH, none, 0, 0) && System.nanoTime() < deadline) {
                    LockSupport.parkNanos(100_000);
                }
            } catch (RuntimeException ignored) {
                // the ring is gone: nothing to detach from
            }
        }
        closed = true;
        if (in != null) {
            ring.markClosed();
            ring.unregisterConsumer();
            ring.signal();
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

    /** At most this many records, and (beyond the first) this many payload bytes, per look at the ring. */
    private static final int BATCH_RECORDS = 64;
    private static final int BATCH_BYTES = 1 << 16;

    /** The reader's byte stream: record payloads in order; end of stream once every writer has gone. */
    private final class RecordStream extends LinkStreams.In {
        private final Set<Integer> attached = new HashSet<>();
        private boolean everAttached;
        private byte[] current = new byte[256];
        private int pos;
        private int limit;
        private long nextCheck = System.nanoTime();
        /** Writers met by this reader: a writer's first record here starts with its HELLO, or is given one. */
        private final Set<Integer> met = new HashSet<>();
        /** The writer of the last record read (most records come from the same writer as the one before). */
        private int lastWriter = -1;
        private final ShmRing.Handler take = (type, buffer, offset, length) -> {
            int writer = type >>> 1;
            if ((type & 1) == DETACH) {
                attached.remove(writer);
                lastWriter = -1;
                return;
            }
            byte[] hello = null;
            if (writer != lastWriter && firstFrom(writer) && (length <= KIND_AT || !isHello(buffer.get(offset + KIND_AT)))) {
                // an earlier reader of this (durable) ring took this writer's HELLO: the kept one stands in
                hello = ring.keptHello();
            }
            int before = hello == null ? 0 : hello.length;
            int end = limit + before + length;
            if (current.length < end) {
                current = java.util.Arrays.copyOf(current, Math.max(end, 2 * current.length));
            }
            if (hello != null) {
                System.arraycopy(hello, 0, current, limit, before);
            }
            buffer.get(offset, current, limit + before, length);
            limit = end; // appended: one read takes a batch of records
        };

        /** A writer's record: it is attached (again, if the liveness look had dropped it). @return whether this reader never met it before */
        private boolean firstFrom(int writer) {
            lastWriter = writer;
            everAttached |= attached.add(writer);
            return met.add(writer);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == limit) {
                if (!next()) {
                    return -1;
                }
            }
            int n = Math.min(len, limit - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return limit - pos;
        }

        /**
         * Waits for the next record with payload, not giving up on an interrupt (which is kept
         * for the caller): a frame half read when an interrupt came would tear the stream.
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
                ring.await(wait, Math.min(remaining, Math.max(0, nextCheck - System.nanoTime())));
            }
        }

        /**
         * One look at the ring: takes the next record if one is published (a DETACH only updates
         * the writers), and every 10 ms beats the heart, repairs the head, and forgets writers
         * whose process is gone.
         *
         * @return 1 if bytes are ready, -1 at the end of the stream, 0 if nothing yet
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
            } catch (ShmRing.RingFaultException | ShmRing.RingCorruptException e) {
                throw new IOException(e.getMessage(), e);
            }
            long now = System.nanoTime();
            if (now - nextCheck >= 0) {
                ring.heartbeat();
                ring.repair(ZERO_GAP);
                attached.removeIf(writer -> !ring.userAlive(writer >>> 7)); // a reused pid is not the writer
                lastWriter = -1;
                nextCheck = now + CHECK_NANOS;
            }
            return everAttached && attached.isEmpty() && ring.isEmpty() ? -1 : 0;
        }
    }
}
