package dev.hoare.channels.shm;

import static dev.hoare.channels.shm.RingLayout.ALIGNMENT;
import static dev.hoare.channels.shm.RingLayout.CAPACITY_OFFSET;
import static dev.hoare.channels.shm.RingLayout.CHECKSUM;
import static dev.hoare.channels.shm.RingLayout.CLOSED_OFFSET;
import static dev.hoare.channels.shm.RingLayout.CONSUMER_PID_OFFSET;
import static dev.hoare.channels.shm.RingLayout.CONSUMER_START_OFFSET;
import static dev.hoare.channels.shm.RingLayout.FLAGS_OFFSET;
import static dev.hoare.channels.shm.RingLayout.FLAG_CRC32C;
import static dev.hoare.channels.shm.RingLayout.HEADER_LENGTH;
import static dev.hoare.channels.shm.RingLayout.HEAD_CACHE_OFFSET;
import static dev.hoare.channels.shm.RingLayout.HEAD_OFFSET;
import static dev.hoare.channels.shm.RingLayout.HEARTBEAT_OFFSET;
import static dev.hoare.channels.shm.RingLayout.HELLO_LENGTH_OFFSET;
import static dev.hoare.channels.shm.RingLayout.HELLO_MAX;
import static dev.hoare.channels.shm.RingLayout.HELLO_OFFSET;
import static dev.hoare.channels.shm.RingLayout.MAGIC;
import static dev.hoare.channels.shm.RingLayout.MAGIC_OFFSET;
import static dev.hoare.channels.shm.RingLayout.MAX_RECORD_OFFSET;
import static dev.hoare.channels.shm.RingLayout.PADDING;
import static dev.hoare.channels.shm.RingLayout.READER_CODEC_LENGTH_OFFSET;
import static dev.hoare.channels.shm.RingLayout.READER_CODEC_MAX;
import static dev.hoare.channels.shm.RingLayout.READER_CODEC_OFFSET;
import static dev.hoare.channels.shm.RingLayout.READER_MAX_FRAME_OFFSET;
import static dev.hoare.channels.shm.RingLayout.RECORD_HEADER;
import static dev.hoare.channels.shm.RingLayout.SIGNAL_OFFSET;
import static dev.hoare.channels.shm.RingLayout.TAIL_OFFSET;
import static dev.hoare.channels.shm.RingLayout.VERSION;
import static dev.hoare.channels.shm.RingLayout.VERSION_OFFSET;
import static dev.hoare.channels.shm.RingLayout.WAITERS_OFFSET;
import static dev.hoare.channels.shm.RingLayout.WRITER_HEARTBEAT_OFFSET;
import static dev.hoare.channels.shm.RingLayout.align;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;
import jnr.ffi.Pointer;

/**
 * A many-producers, one-consumer ring of records in a memory-mapped file ({@link RingLayout}):
 * any number of threads and processes may {@link #offer} records, one thread of one process
 * {@link #read}s them. Producers claim space by compare-and-set on the tail and publish a record
 * by writing its length last, so the consumer never sees a torn record; the consumer zeroes what
 * it has read before giving the space back.
 *
 * <p>A producer killed after claiming space and before publishing leaves a claimed record; the
 * consumer {@linkplain #repair repairs} it into padding once its writer's process is gone (the
 * claim carries the writer's pid), so a killed producer never wedges the ring and every record
 * published before it died is still read. A producer killed in the few instructions between its
 * claim and the claim's header leaves only zeroes; the consumer pads that gap once it has been
 * stuck for longer than a timeout.
 *
 * <p>The consumer checks, before it hands anything of a record on, every invariant of the
 * layout it can see ({@link RingLayout}: the head is where it left it, positions aligned and
 * ordered, a header all zero, a plausible claim or a record within the ring's end, its record
 * limit and the tail; on a ring {@linkplain #checksummed with checksums}, the record's CRC32C);
 * producers check the tail (aligned, never behind their own last claim) and the head they look
 * at. A ring that breaks one throws {@link RingCorruptException}; memory that faults (the file
 * shrunk), {@link RingFaultException}. Neither a stall nor a record read outside the ring.
 *
 * <p>Not thread-safe for reading: one reading thread at a time. Offering is thread-safe.
 */
public final class ShmRing implements AutoCloseable {
    private static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());
    private static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    /** This process's id, as claims and the reader's slot in the header carry it. */
    static final int PID = (int) ProcessHandle.current().pid();
    /** Whether processes can be looked at in /proc (Linux). */
    private static final boolean PROC = Files.isDirectory(Path.of("/proc/self"));
    /** This process's start time, as {@link #startTime} gives it. */
    static final long START = startTime(PID);
    private static final int MAX_CAPACITY = 1 << 30;
    private static final byte[] ZEROES = new byte[1 << 16];

    /** Receives records from {@link #read}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * @param type the record's type (as offered, {@code >= 0})
         * @param buffer the ring's memory: read {@code length} bytes at {@code offset}, during this call only
         * @param offset where the payload starts
         * @param length the payload's length
         */
        void onRecord(int type, ByteBuffer buffer, int offset, int length);
    }

    /** The ring's file; {@code null} for a ring {@linkplain #over over plain memory}. */
    private final Path path;
    private final FileChannel file;
    /** The file's mapping, released by {@link #close}; {@code null} for plain memory. */
    private final RingMapping mapping;
    /** The file's mapping, or the plain memory: a direct buffer either way (atomic access needs one). */
    private final ByteBuffer buffer;
    /**
     * {@link #close} was called: the mapping is released (or about to be), so the futex word's
     * address may no longer be mapped, or be another mapping's. Futex calls look at it first.
     */
    private volatile boolean closed;
    private final int capacity;
    private final int mask;
    private final int maxPayload;
    /** Whether every record carries a CRC32C ({@link RingLayout#FLAG_CRC32C}), as the ring's header says. */
    private final boolean checksummed;
    /** A data record's bytes before its payload: the header, and the checksum on a checksummed ring. */
    private final int overhead;
    /** The mapping's address, for futexes; {@code null} where they are not available. */
    private final Pointer address;
    /** The file's inode (0 if unknown): a process that maps it is a user of this ring. */
    private final long inode;
    /**
     * Processes found to map this ring ({@link #userAlive}), by pid, with their start time then:
     * while a pid still has that start time, it is the same process and needs no second look.
     */
    private final java.util.Map<Integer, Long> users = new java.util.concurrent.ConcurrentHashMap<>();
    /** Consumer only: the position it found stuck on a zeroed claim, and since when. */
    private long stuckAt = -1;
    private long stuckSince;
    /** Consumer only: the head as this consumer left it, {@code -1} before its first read (only the consumer moves it). */
    private long ownHead = -1;
    /** Consumer only: the tail as last read; a record that seems to end beyond it makes the consumer read it again. */
    private long seenTail;
    /** Consumer only, on a checksummed ring: its checksum, and a view of the ring to feed it. */
    private final CRC32C crc;
    private final ByteBuffer view;

    /** @throws RingCorruptException if the header's flags hold a bit this library does not know */
    private ShmRing(Path path, FileChannel file, RingMapping mapping, ByteBuffer buffer, int capacity) {
        this.path = path;
        this.file = file;
        this.mapping = mapping;
        this.buffer = buffer;
        this.capacity = capacity;
        this.mask = capacity - 1;
        int flags = buffer.getInt(FLAGS_OFFSET);
        if ((flags & ~FLAG_CRC32C) != 0) {
            throw new RingCorruptException(path + ": unknown flags 0x" + Integer.toHexString(flags) + " in the ring's header");
        }
        this.checksummed = (flags & FLAG_CRC32C) != 0;
        this.overhead = RECORD_HEADER + (checksummed ? CHECKSUM : 0);
        this.maxPayload = RingLayout.maxRecord(capacity) - overhead;
        this.crc = checksummed ? new CRC32C() : null;
        this.view = checksummed ? buffer.duplicate() : null;
        this.address = Futex.AVAILABLE ? Futex.address(buffer) : null;
        long ino = 0;
        if (path != null) {
            try {
                ino = ((Number) Files.getAttribute(path, "unix:ino")).longValue();
            } catch (IOException | RuntimeException unknown) {
                // no inode: users are judged by pid and start time alone
            }
        }
        this.inode = ino;
    }

    /**
     * How a consumer waits for records: spin (fastest to react, burns a core), then yield the
     * CPU, then sleep on a futex in the mapping (costs no CPU; a producer then pays a wake
     * system call, only while someone sleeps).
     *
     * @param spins how many times to look while spinning
     * @param yields how many times to look, yielding the CPU between looks, before sleeping
     */
    public record WaitStrategy(int spins, int yields) {
        /** Never sleeps: the lowest latency, a core busy while waiting. */
        public static final WaitStrategy SPIN = new WaitStrategy(Integer.MAX_VALUE, 0);
        /**
         * Never sleeps, but after a short spin yields the CPU between looks: nearly spin's
         * latency, and other threads that need the core (the application's, on a machine with
         * few cores) still get it at once.
         */
        public static final WaitStrategy YIELD = new WaitStrategy(1_000, Integer.MAX_VALUE);
        /** Spins briefly, yields briefly, then sleeps: the default. */
        public static final WaitStrategy BACKOFF = new WaitStrategy(1_000, 100);
        /** Sleeps at once: no CPU while waiting, a wake-up's latency on every record that finds it asleep. */
        public static final WaitStrategy BLOCK = new WaitStrategy(0, 0);

        /** @throws IllegalArgumentException for negative counts */
        public WaitStrategy {
            if (spins < 0 || yields < 0) {
                throw new IllegalArgumentException("spins and yields must be >= 0, were " + spins + " and " + yields);
            }
        }
    }

    /**
     * Creates a ring file (mode 0600), writing every byte of it first so that a full
     * {@code /dev/shm} fails here with an {@link IOException} rather than later with a fault on a
     * page that cannot be allocated.
     *
     * @param path where; must not exist
     * @param capacity the records area in bytes: a power of two from 1024 to 2^30
     * @return the ring, mapped
     * @throws IllegalArgumentException for a bad capacity
     * @throws FileAlreadyExistsException if the file exists
     * @throws IOException if it cannot be written
     */
    public static ShmRing create(Path path, int capacity) throws IOException {
        return create(path, capacity, false);
    }

    /**
     * {@link #create(Path, int)}, with a CRC32C in every record if {@code checksummed}: the
     * header records it, so every end that opens the ring writes and checks them, and a record
     * changed by anything but its writer is found ({@link RingCorruptException}) before it is
     * read. It costs four bytes a record and a checksum of each payload on both sides.
     *
     * @param path where; must not exist
     * @param capacity the records area in bytes: a power of two from 1024 to 2^30
     * @param checksummed whether records carry a CRC32C
     * @return the ring, mapped
     * @throws IllegalArgumentException for a bad capacity
     * @throws FileAlreadyExistsException if the file exists
     * @throws IOException if it cannot be written
     */
    public static ShmRing create(Path path, int capacity, boolean checksummed) throws IOException {
        if (capacity < RingLayout.MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two from " + RingLayout.MIN_CAPACITY
                    + " to " + MAX_CAPACITY + " bytes, was " + capacity);
        }
        FileChannel file = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            long size = (long) HEADER_LENGTH + capacity;
            ByteBuffer zeroes = ByteBuffer.allocate(1 << 16);
            for (long at = 0; at < size; ) {
                zeroes.clear().limit((int) Math.min(zeroes.capacity(), size - at));
                at += file.write(zeroes, at);
            }
            RingMapping mapping = RingMapping.map(file, size);
            ByteBuffer buffer = mapping.buffer.order(ByteOrder.nativeOrder());
            writeMeta(buffer, capacity, checksummed ? FLAG_CRC32C : 0);
            return new ShmRing(path, file, mapping, buffer, capacity);
        } catch (IOException | RuntimeException e) {
            file.close();
            Files.deleteIfExists(path);
            throw e;
        }
    }

    /** Writes the META group of a new ring (its memory all zeroes), the magic last: an opener that sees it sees the rest. */
    private static void writeMeta(ByteBuffer buffer, int capacity, int flags) {
        buffer.putInt(VERSION_OFFSET, VERSION);
        buffer.putInt(FLAGS_OFFSET, flags);
        buffer.putInt(CAPACITY_OFFSET, capacity);
        buffer.putInt(MAX_RECORD_OFFSET, RingLayout.maxRecord(capacity));
        INT.setRelease(buffer, MAGIC_OFFSET, MAGIC);
    }

    /**
     * Makes a new ring in plain memory, without a file: for tests that need many small rings
     * cheaply (the jcstress tests of the publication protocol, module {@code jcstress}). The ring
     * behaves as one {@linkplain #create created} in a file — the same layout, claims,
     * publication and reading — except that {@link #path} is {@code null}, {@link #force} and
     * {@link #close} do nothing, and only threads of this process can reach it.
     *
     * @param memory a direct buffer of {@link RingLayout#HEADER_LENGTH} + capacity bytes, all
     *     zeroes (as {@link ByteBuffer#allocateDirect} gives), the capacity a power of two from
     *     1024 to 2^30; its byte order is set to the platform's, and the ring's META written
     * @return the ring
     * @throws IllegalArgumentException for a heap buffer (atomic access needs a direct one) or a bad size
     */
    static ShmRing over(ByteBuffer memory) {
        int capacity = memory.capacity() - HEADER_LENGTH;
        if (!memory.isDirect()) {
            throw new IllegalArgumentException("a ring needs a direct buffer: atomic access is not supported on a heap buffer");
        }
        if (capacity < RingLayout.MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("the buffer must hold the " + HEADER_LENGTH + "-byte header and a power of two"
                    + " from " + RingLayout.MIN_CAPACITY + " to " + MAX_CAPACITY + " bytes, was " + memory.capacity());
        }
        memory.order(ByteOrder.nativeOrder());
        writeMeta(memory, capacity, 0);
        return new ShmRing(null, null, null, memory, capacity);
    }

    /**
     * Opens an existing ring file, checking that it is one, of this version, and whole.
     *
     * @param path the file
     * @return the ring, mapped
     * @throws IOException if it cannot be opened, or it is not a ring this library reads (the
     *     message says why: too short, wrong magic, wrong version, size not matching its header)
     */
    public static ShmRing open(Path path) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            // The META fields first, the size after them: the creator writes the magic only once
            // the file has its full size, so a magic seen here means the size read next is final
            // (read the other way round, an opener racing the creator saw a half-written size and
            // then a whole header, and refused a good ring).
            ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.nativeOrder());
            while (header.hasRemaining() && file.read(header, header.position()) > 0) {
                // read the meta fields
            }
            long size = file.size();
            if (header.hasRemaining() || size < HEADER_LENGTH) {
                throw new NotInitialisedException(path + ": not a Hoare ring: " + size + " bytes, shorter than its " + HEADER_LENGTH
                        + "-byte header (truncated, or not initialised)");
            }
            int magic = header.getInt(MAGIC_OFFSET);
            if (magic == 0) {
                throw new NotInitialisedException(path + ": not a Hoare ring yet (no magic: being created, or not a ring)");
            }
            if (magic != MAGIC) {
                throw new IOException(path + ": not a Hoare ring (magic 0x" + Integer.toHexString(magic) + ", expected 0x"
                        + Integer.toHexString(MAGIC) + ")");
            }
            int version = header.getInt(VERSION_OFFSET);
            if (version != VERSION) {
                throw new IOException(path + ": a Hoare ring of layout version " + version + "; this library reads version "
                        + VERSION + (version < VERSION ? " (made by an older Hoare: when no process uses it any more, remove"
                        + " it (hoare rm, Shms.remove) and let the reader create it again)" : " (made by a newer Hoare)"));
            }
            int capacity = header.getInt(CAPACITY_OFFSET);
            if (capacity < RingLayout.MIN_CAPACITY || capacity > MAX_CAPACITY || Integer.bitCount(capacity) != 1
                    || header.getInt(MAX_RECORD_OFFSET) != RingLayout.maxRecord(capacity)) {
                throw new IOException(path + ": corrupt ring header (capacity " + capacity + ", max record "
                        + header.getInt(MAX_RECORD_OFFSET) + ")");
            }
            if (size != (long) HEADER_LENGTH + capacity) {
                throw new IOException(path + ": the file has " + size + " bytes but its header says " + HEADER_LENGTH + " + "
                        + capacity + " (truncated or extended)");
            }
            RingMapping mapping = RingMapping.map(file, size);
            return new ShmRing(path, file, mapping, mapping.buffer.order(ByteOrder.nativeOrder()), capacity);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** A file that may still become a ring: too short for a header, or no magic yet (its creator is writing it). */
    static final class NotInitialisedException extends IOException {
        NotInitialisedException(String message) {
            super(message);
        }
    }

    /**
     * The ring cannot be used any more: its memory faulted, because its file was shrunk (or its
     * memory taken away) under this process, or (the subclass {@link RingCorruptException}) its
     * contents break the layout's invariants. The JVM turns a fault into an error on the access
     * that met it; the ring turns that into this, saying what happened. A channel end over the
     * ring closes with this exception (or the subclass) as its cause; the ring is unusable after it.
     */
    public static sealed class RingFaultException extends IllegalStateException permits RingCorruptException {
        RingFaultException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * The ring's contents break an invariant of its layout ({@link RingLayout}) that an end
     * checks: a position misaligned, behind the head or beyond the tail; a record's length
     * beyond the ring's end, its record limit or what was claimed; a type no writer gives; a
     * header half zero; or, on a ring made with checksums, a record whose CRC32C does not match.
     * Only a process writing over the shared mapping makes one (a bug, a stray write, or a
     * hostile process of the same user: docs/security.md says what is and is not detected); the
     * end stops there instead of reading outside the ring, skipping records or waiting for ever.
     * The ring is unusable after it.
     */
    public static final class RingCorruptException extends RingFaultException {
        RingCorruptException(String message) {
            super(message, null);
        }

        RingCorruptException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * Whether the ring's memory is all there: no fault was met, and its file still has the size
     * it had. An end that met a fault or a corruption asks this before the writes its close
     * makes: HotSpot turns a fault on a plain read or write of a mapping into an
     * {@link InternalError}, but a fault inside a compare-and-set that the interpreter runs
     * (not yet compiled) kills the JVM. (A shrink between this look and the access is not covered.)
     *
     * @return {@code false} once a fault was met or the file is shorter than the ring
     */
    boolean intact() {
        if (faulted) {
            return false;
        }
        try {
            return file == null || file.size() >= HEADER_LENGTH + (long) capacity;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** Set once a fault was met ({@link #fault}). */
    private volatile boolean faulted;

    /** @return the exception that says the ring's memory faulted ({@code e}, the JVM's error on the access, its cause) */
    RingFaultException fault(InternalError e) {
        faulted = true;
        String size;
        try {
            size = file == null ? "no file" : Long.toString(file.size());
        } catch (IOException | RuntimeException unknown) {
            size = "unknown";
        }
        return new RingFaultException(path + ": the ring's memory faulted: its file was shrunk or taken away under this process"
                + " (now " + size + " bytes, the ring needs " + (HEADER_LENGTH + (long) capacity) + ")", e);
    }

    /** @return the records area in bytes */
    public int capacity() {
        return capacity;
    }

    /** @return the largest payload one record takes: an eighth of the capacity, less the record header (and checksum) */
    public int maxPayload() {
        return maxPayload;
    }

    /** @return whether every record carries a CRC32C, as the ring's header says ({@link #create(Path, int, boolean)}) */
    public boolean checksummed() {
        return checksummed;
    }

    /** @return the file ({@code null} for a ring over plain memory, which only tests make) */
    public Path path() {
        return path;
    }

    // ---------------------------------------------------------------- producers

    /**
     * Publishes a record if there is room.
     *
     * @param type the record's type, {@code >= 0}
     * @param src the payload's bytes
     * @param offset where the payload starts in {@code src}
     * @param length the payload's length, at most {@link #maxPayload}
     * @return {@code false} if the ring is full
     * @throws IllegalArgumentException for a negative type or a payload over {@link #maxPayload}
     * @throws RingFaultException if the ring's file was shrunk under this process
     */
    public boolean offer(int type, byte[] src, int offset, int length) {
        if (type < 0) {
            throw new IllegalArgumentException("record types are >= 0, was " + type);
        }
        if (length > maxPayload) {
            throw new IllegalArgumentException("a record of " + length + " bytes does not fit this ring: at most "
                    + maxPayload + " bytes (an eighth of its " + capacity + "-byte capacity, less the header)");
        }
        java.util.Objects.checkFromIndexSize(offset, length, src.length);
        try {
            return publish(type, src, offset, length);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    private boolean publish(int type, byte[] src, int offset, int length) {
        int recordLength = overhead + length;
        long position = claimPosition(align(recordLength));
        if (position < 0) {
            return false;
        }
        int at = HEADER_LENGTH + ((int) position & mask);
        buffer.put(at + overhead, src, offset, length);
        if (checksummed) {
            CRC32C sum = new CRC32C();
            sum.update(src, offset, length);
            buffer.putInt(at + RECORD_HEADER, checksum(sum, position, recordLength, type));
        }
        // publish: length and type in one store, so the claim's pid is never replaced before the
        // length says committed (volatile: ordered before the look at the waiters)
        LONG.setVolatile(buffer, at, header(recordLength, type));
        if ((int) INT.getVolatile(buffer, WAITERS_OFFSET) != 0) {
            signal();
        }
        return true;
    }

    /**
     * Keeps a writer's HELLO frame in the header, if none is kept yet and it fits
     * ({@link RingLayout#HELLO_MAX} bytes), for readers that open the ring later.
     *
     * @param frame the frame's bytes
     * @param offset where it starts
     * @param length its length
     */
    public void keepHello(byte[] frame, int offset, int length) {
        if (length <= 0 || length > HELLO_MAX || (int) INT.getAcquire(buffer, HELLO_LENGTH_OFFSET) != 0
                || !INT.compareAndSet(buffer, HELLO_LENGTH_OFFSET, 0, -1)) {
            return;
        }
        buffer.put(HELLO_OFFSET, frame, offset, length);
        INT.setRelease(buffer, HELLO_LENGTH_OFFSET, length);
    }

    /** @return the HELLO frame {@link #keepHello} kept, or {@code null} */
    public byte[] keptHello() {
        int length = (int) INT.getAcquire(buffer, HELLO_LENGTH_OFFSET);
        if (length <= 0 || length > HELLO_MAX) {
            return null;
        }
        byte[] frame = new byte[length];
        buffer.get(HELLO_OFFSET, frame);
        return frame;
    }

    /** Wakes sleeping consumers (after a publish, or a close). */
    public void signal() {
        INT.getAndAdd(buffer, SIGNAL_OFFSET, 1);
        if (address != null && !closed) {
            Futex.wakeAll(address, SIGNAL_OFFSET);
        }
    }

    /**
     * Claims {@code required} bytes (aligned) at the tail, padding the ring's end first if they do
     * not fit before it, and marks the claim with this process's pid.
     *
     * @return the claimed record's offset in the buffer, or -1 if the ring is full
     */
    int claim(int required) {
        long position = claimPosition(required);
        return position < 0 ? -1 : HEADER_LENGTH + ((int) position & mask);
    }

    /**
     * The tail's least value, as far as this process knows: the end of a claim it made. Read
     * before the tail, so a tail read after it is never lower unless something wrote over it
     * (a tail moved back would make producers overwrite records not yet read). Racy between
     * threads (a thread may store an older end): it only ever misses a check, never fails a good one.
     */
    private final java.util.concurrent.atomic.AtomicLong tailFloor = new java.util.concurrent.atomic.AtomicLong();

    /** {@link #claim}, giving the record's position (-1 if the ring is full). */
    private long claimPosition(int required) {
        long head = (long) LONG.getOpaque(buffer, HEAD_CACHE_OFFSET);
        while (true) {
            long floor = tailFloor.getAcquire();
            long tail = (long) LONG.getVolatile(buffer, TAIL_OFFSET);
            if ((tail & (ALIGNMENT - 1)) != 0 || tail < floor) {
                throw corrupt("the tail " + tail + (tail < floor ? " went back behind " + floor + ", where this process"
                        + " claimed" : " is not " + ALIGNMENT + "-byte aligned"));
            }
            int index = (int) tail & mask;
            int toEnd = capacity - index;
            int padding = required > toEnd ? toEnd : 0;
            long needed = tail + padding + required;
            if (needed > head + capacity || head > tail) { // (a cached head beyond the tail is corrupt: look at the real one)
                head = (long) LONG.getVolatile(buffer, HEAD_OFFSET);
                if (!positionsPlausible(head, tail)) {
                    if ((long) LONG.getVolatile(buffer, TAIL_OFFSET) != tail) {
                        continue; // the tail moved before the head was read: look again
                    }
                    throw corrupt(positions(head, tail));
                }
                if (needed > head + capacity) {
                    return -1;
                }
                LONG.setOpaque(buffer, HEAD_CACHE_OFFSET, head);
            }
            if (LONG.compareAndSet(buffer, TAIL_OFFSET, tail, needed)) {
                tailFloor.setRelease(needed);
                if (padding != 0) {
                    LONG.setRelease(buffer, HEADER_LENGTH + index, header(padding, PADDING));
                    index = 0;
                }
                LONG.setRelease(buffer, HEADER_LENGTH + index, header(-required, PID));
                return tail + padding;
            }
        }
    }

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    /** @return a record header as one long: the int at its offset is {@code length}, the next one {@code type} */
    private static long header(int length, int type) {
        return LITTLE_ENDIAN ? ((long) type << 32) | (length & 0xFFFF_FFFFL) : ((long) length << 32) | (type & 0xFFFF_FFFFL);
    }

    /** @return the length in a record header read as one long */
    private static int lengthOf(long header) {
        return LITTLE_ENDIAN ? (int) header : (int) (header >>> 32);
    }

    /** @return the type in a record header read as one long */
    private static int typeOf(long header) {
        return LITTLE_ENDIAN ? (int) (header >>> 32) : (int) header;
    }

    /**
     * @return a record's checksum: the CRC32C of its payload ({@code sum}, fed it already) xor a
     *     64-bit mix of its position, length and type, so that a record written where it does not
     *     belong fails it, as does a changed header (one multiply-xorshift round instead of 16
     *     one-byte CRC updates: the fixed cost per record is most of the checksum's cost on small ones)
     */
    private static int checksum(CRC32C sum, long position, int length, int type) {
        long h = (position * 0x9E37_79B9_7F4A_7C15L) ^ (((long) length << 32) | (type & 0xFFFF_FFFFL));
        h = (h ^ (h >>> 32)) * 0xD6E8_FEB8_6659_FD93L;
        h ^= h >>> 32;
        return (int) sum.getValue() ^ (int) h;
    }

    private RingCorruptException corrupt(String what) {
        return new RingCorruptException(path + ": corrupt ring: " + what);
    }

    /**
     * @return whether two positions are as they can be: both aligned, the head not beyond the
     *     tail, and no more than a capacity between them (the head read after the tail)
     */
    private boolean positionsPlausible(long head, long tail) {
        return ((head | tail) & (ALIGNMENT - 1)) == 0 && head <= tail && tail - head <= capacity;
    }

    private String positions(long head, long tail) {
        return "head " + head + " and tail " + tail + " (both " + ALIGNMENT + "-byte aligned, the head at most a capacity of "
                + capacity + " behind the tail)";
    }

    /**
     * Checks the positions in the header now ({@link #positionsPlausible}), for an end that
     * stopped and wants to know whether the ring is to blame.
     *
     * @throws RingCorruptException if they break it
     */
    void checkPositions() {
        while (true) {
            long tail = (long) LONG.getVolatile(buffer, TAIL_OFFSET);
            long head = (long) LONG.getVolatile(buffer, HEAD_OFFSET);
            if (positionsPlausible(head, tail)) {
                return;
            }
            if ((long) LONG.getVolatile(buffer, TAIL_OFFSET) == tail) {
                throw corrupt(positions(head, tail));
            }
        }
    }

    /** @return the head's position (bytes read since the ring was made) */
    long headPosition() {
        return (long) LONG.getVolatile(buffer, HEAD_OFFSET);
    }

    /** @return the tail's position (bytes claimed since the ring was made) */
    long tailPosition() {
        return (long) LONG.getVolatile(buffer, TAIL_OFFSET);
    }

    // ---------------------------------------------------------------- the consumer

    /**
     * Reads published records in order, up to {@code limit}, handing each to {@code handler},
     * then zeroes their space and gives it back to the producers.
     *
     * @return how many records were read (padding not counted); 0 if none was published at the
     *     head (call {@link #repair} if that lasts while {@link #isEmpty} says otherwise)
     * @throws RingFaultException if the ring's file was shrunk under this process
     */
    public int read(Handler handler, int limit) {
        return read(handler, limit, Integer.MAX_VALUE);
    }

    /**
     * {@link #read(Handler, int)} that also stops before a record whose payload would take the
     * payloads read in this call beyond {@code maxBytes} (the first record is always read).
     *
     * @return how many records were read (padding not counted)
     * @throws RingFaultException if the ring's file was shrunk under this process
     */
    public int read(Handler handler, int limit, int maxBytes) {
        try {
            return readRecords(handler, limit, maxBytes);
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /**
     * Reads records from the head, checking every invariant of the layout the consumer can see
     * (the class comment of {@link RingLayout}): the head is where this consumer left it and
     * aligned; a header is all zero (nothing yet), a plausible claim (a length of 8 to a record's
     * most, a pid), or a committed record whose length fits the ring's end, the record limit and
     * the tail, and whose type is {@code >= 0} or padding; on a checksummed ring, each record's
     * CRC32C matches. A header that breaks one throws {@link RingCorruptException} before
     * anything of the record is handed on.
     */
    private int readRecords(Handler handler, int limit, int maxBytes) {
        long head = buffer.getLong(HEAD_OFFSET);
        if (head != ownHead && ownHead >= 0) {
            throw corrupt("the head moved from " + ownHead + " to " + head + ", and only this reader moves it");
        }
        if ((head & (ALIGNMENT - 1)) != 0) {
            throw corrupt("the head " + head + " is not " + ALIGNMENT + "-byte aligned");
        }
        ownHead = head;
        int recordMax = maxPayload + overhead;
        long pos = head;
        int count = 0;
        int bytes = 0;
        try {
            while (count < limit && pos - head < capacity) {
                int index = (int) pos & mask;
                int at = HEADER_LENGTH + index;
                long word = (long) LONG.getAcquire(buffer, at); // length and type, as written: in one load
                int length = lengthOf(word);
                int type = typeOf(word);
                if (length <= 0) {
                    if (length == 0 ? type != 0 : (-length & (ALIGNMENT - 1)) != 0 || -length < RECORD_HEADER
                            || -length > Math.min(recordMax, capacity - index) || type <= 0 || type > ShmLink.PID_MAX) {
                        throw corrupt("record header at position " + pos + ": length " + length + ", type " + type
                                + " (neither nothing yet, nor a writer's claim)");
                    }
                    break; // nothing published here yet
                }
                boolean padding = type == PADDING;
                if (length > capacity - index || (padding ? length < RECORD_HEADER || (length & (ALIGNMENT - 1)) != 0
                        : type < 0 || length < overhead || length > recordMax)) {
                    throw corrupt("record at position " + pos + ": length " + length + ", type " + type + " (a record takes "
                            + overhead + " to " + recordMax + " bytes within the ring's " + capacity + ", its type >= 0)");
                }
                long end = pos + align(length);
                if (end - seenTail > 0) {
                    seenTail = (long) LONG.getVolatile(buffer, TAIL_OFFSET); // published records lie before it
                    if (end - seenTail > 0) {
                        throw corrupt("record at position " + pos + " of " + length + " bytes ends beyond the tail " + seenTail);
                    }
                }
                if (padding) {
                    pos = end;
                    continue;
                }
                if (count > 0 && (long) bytes + length - overhead > maxBytes) {
                    break; // the caller's batch is full: this record waits for the next read
                }
                if (checksummed) {
                    verify(at, length, type, pos);
                }
                bytes += length - overhead;
                count++;
                pos = end;
                handler.onRecord(type, buffer, at + overhead, length - overhead);
            }
            if (pos == head) {
                long tail = (long) LONG.getVolatile(buffer, TAIL_OFFSET);
                if (!positionsPlausible(head, tail)) { // nothing at the head: is the tail where it can be?
                    throw corrupt(positions(head, tail));
                }
                seenTail = tail;
            }
        } finally {
            if (pos != head) {
                zero(head, pos);
                ownHead = pos;
                LONG.setRelease(buffer, HEAD_OFFSET, pos);
            }
        }
        return count;
    }

    /**
     * Walks the records from position {@code from} towards the tail without taking or changing
     * anything, handing each published record to {@code handler}: what a reader opening now
     * would read ({@link ShmQueue#size}). A claim whose writer is gone is skipped, as the reader
     * would pad it; so is a gap of zeroes (a claimer that died before marking its claim, or one
     * about to mark it). A reader may take and zero records meanwhile: the caller compares the
     * head before and after, and looks again if it moved.
     *
     * @param from where to begin: the head, as read by the caller
     * @param handler receives each published record (the buffer is the ring's memory, which a
     *     live reader may be zeroing: parse defensively)
     * @return where it stopped: the tail, or a record a live writer has claimed and not yet
     *     published; {@code -1} if what it saw is not a ring's content (a reader moved the head
     *     meanwhile, or the ring is corrupt)
     * @throws RingFaultException if the ring's file was shrunk under this process
     */
    long peek(long from, Handler handler) {
        try {
            long tail = (long) LONG.getVolatile(buffer, TAIL_OFFSET);
            if (!positionsPlausible(from, tail)) {
                return -1;
            }
            int recordMax = maxPayload + overhead;
            long pos = from;
            while (pos < tail) {
                int index = (int) pos & mask;
                int at = HEADER_LENGTH + index;
                long word = (long) LONG.getAcquire(buffer, at);
                int length = lengthOf(word);
                int type = typeOf(word);
                if (length < 0) { // a claim: its writer is writing it, or died doing so
                    if (-length < RECORD_HEADER || (-length & (ALIGNMENT - 1)) != 0 || -length > Math.min(recordMax, capacity - index)) {
                        return -1;
                    }
                    if (type <= 0 || type > ShmLink.PID_MAX) {
                        return -1;
                    }
                    if (userAlive(type)) {
                        return pos;
                    }
                    pos += -length;
                    continue;
                }
                if (length == 0) { // zeroes up to the next header: what the reader pads
                    int limit = (int) Math.min(tail - pos, capacity - index);
                    int gap = ALIGNMENT;
                    while (gap < limit && (long) LONG.getVolatile(buffer, at + gap) == 0) {
                        gap += ALIGNMENT;
                    }
                    pos += gap;
                    continue;
                }
                boolean padding = type == PADDING;
                if (length > capacity - index || pos + align(length) > tail || (padding ? length < RECORD_HEADER
                        || (length & (ALIGNMENT - 1)) != 0 : type < 0 || length < overhead || length > recordMax)) {
                    return -1;
                }
                if (!padding) {
                    handler.onRecord(type, buffer, at + overhead, length - overhead);
                }
                pos += align(length);
            }
            return pos;
        } catch (InternalError e) {
            throw fault(e);
        }
    }

    /** Checks a committed record's CRC32C (checksummed rings). @throws RingCorruptException if it does not match */
    private void verify(int at, int length, int type, long pos) {
        crc.reset();
        view.limit(at + length).position(at + overhead);
        crc.update(view);
        int expected = buffer.getInt(at + RECORD_HEADER);
        int actual = checksum(crc, pos, length, type);
        if (actual != expected) {
            throw corrupt("record at position " + pos + " (length " + length + ", type " + type + ") fails its checksum:"
                    + " CRC32C 0x" + Integer.toHexString(actual) + ", recorded 0x" + Integer.toHexString(expected));
        }
    }

    /** Zeroes the records area from position {@code from} to {@code to} (less than a capacity apart). */
    private void zero(long from, long to) {
        for (long p = from; p < to; ) {
            int index = (int) p & mask;
            int length = (int) Math.min(Math.min(capacity - index, to - p), ZEROES.length);
            buffer.put(HEADER_LENGTH + index, ZEROES, 0, length);
            p += length;
        }
    }

    /** @return whether the record at the head is published, so that {@link #read} will return it */
    public boolean isReadable() {
        long head = buffer.getLong(HEAD_OFFSET);
        return (int) INT.getAcquire(buffer, HEADER_LENGTH + ((int) head & mask)) > 0;
    }

    /** The longest one sleep lasts: a sleeping consumer notices an interrupt within it. */
    private static final long MAX_SLEEP_NANOS = 50_000_000L;

    /**
     * The consumer waits until the record at the head is published ({@link #isReadable}), as
     * {@code strategy} says, for at most {@code timeoutNanos}. A claimed record whose writer died
     * is not readable: call {@link #repair} when this keeps returning {@code false} while
     * {@link #isEmpty} does too.
     *
     * @return whether a record is readable
     * @throws InterruptedException if interrupted while waiting (noticed within 50 ms when asleep)
     */
    public boolean await(WaitStrategy strategy, long timeoutNanos) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int i = 0; i < strategy.spins(); i++) {
            if (isReadable()) {
                return true;
            }
            if ((i & 1023) == 1023 && (Thread.currentThread().isInterrupted() || System.nanoTime() - deadline >= 0)) {
                break;
            }
            Thread.onSpinWait();
        }
        for (int i = 0; i < strategy.yields(); i++) {
            if (isReadable()) {
                return true;
            }
            if ((i & 63) == 63 && (Thread.currentThread().isInterrupted() || System.nanoTime() - deadline >= 0)) {
                break;
            }
            Thread.yield();
        }
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            if (isReadable()) {
                return true;
            }
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) {
                return false;
            }
            INT.getAndAdd(buffer, WAITERS_OFFSET, 1);
            try {
                int signal = (int) INT.getVolatile(buffer, SIGNAL_OFFSET);
                if (isReadable()) { // published before the producer could see us waiting
                    return true;
                }
                long sleep = Math.min(remaining, MAX_SLEEP_NANOS);
                if (address != null && !closed) {
                    Futex.await(address, SIGNAL_OFFSET, signal, sleep);
                } else {
                    LockSupport.parkNanos(Math.min(sleep, 1_000_000L));
                }
            } finally {
                INT.getAndAdd(buffer, WAITERS_OFFSET, -1);
            }
        }
    }

    /** @return the bytes claimed or published beyond the head: records not yet read, with their headers and padding */
    public long depth() {
        return (long) LONG.getVolatile(buffer, TAIL_OFFSET) - (long) LONG.getVolatile(buffer, HEAD_OFFSET);
    }

    /** @return whether nothing is claimed or published beyond the head */
    public boolean isEmpty() {
        return (long) LONG.getVolatile(buffer, TAIL_OFFSET) == (long) LONG.getVolatile(buffer, HEAD_OFFSET);
    }

    /**
     * The consumer's remedy when the head does not move although something is claimed: if the
     * claim at the head belongs to a process that is gone, it becomes padding; if the head is a
     * gap of zeroes (a producer died between claiming and marking its claim) that has lasted
     * {@code zeroGapTimeout}, the gap up to the next claim becomes padding.
     *
     * @param zeroGapTimeout how long a gap of zeroes at the head may last before it is taken as
     *     dead; a live producer fills it within nanoseconds unless descheduled, so make it generous
     * @return whether the head was repaired ({@link #read} then moves on)
     */
    public boolean repair(Duration zeroGapTimeout) {
        long head = buffer.getLong(HEAD_OFFSET);
        long tail = (long) LONG.getVolatile(buffer, TAIL_OFFSET);
        int index = (int) head & mask;
        int at = HEADER_LENGTH + index;
        int length = tail == head ? 0 : (int) INT.getVolatile(buffer, at);
        if (tail == head || length > 0) {
            stuckAt = -1;
            return false;
        }
        if (length < 0) {
            int owner = buffer.getInt(at + 4);
            if (userAlive(owner)) {
                return false;
            }
            return LONG.compareAndSet(buffer, at, header(length, owner), header(align(-length), PADDING));
        }
        long now = System.nanoTime();
        if (stuckAt != head) {
            stuckAt = head;
            stuckSince = now;
            return false;
        }
        if (now - stuckSince < zeroGapTimeout.toNanos()) {
            return false;
        }
        int limit = (int) Math.min(tail - head, capacity - index);
        int gap = ALIGNMENT;
        while (gap < limit && (long) LONG.getVolatile(buffer, at + gap) == 0) { // a dead claimer's gap is zeroes throughout
            gap += ALIGNMENT; // (it ends at the next header; anything else there, the next read finds corrupt)
        }
        stuckAt = -1;
        return LONG.compareAndSet(buffer, at, 0L, header(gap, PADDING));
    }

    /** @return whether the process {@code pid} is this one or still running (a pid of another PID namespace looks dead) */
    static boolean alive(int pid) {
        return pid == PID || startTime(pid) >= 0;
    }

    /**
     * A process's start time: on Linux the clock ticks since boot at which it started
     * ({@code /proc/PID/stat} field 22: exact, and the same whoever reads it, unlike a wall-clock
     * time derived from it), elsewhere its start instant in milliseconds, or 0 if unknown. A pid
     * and its start time name one process: a reused pid comes with another start time.
     *
     * @param pid the process id
     * @return the start time, or -1 if there is no such process (or only a zombie of it)
     */
    public static long startTime(long pid) {
        if (pid <= 0) {
            return -1;
        }
        if (PROC) {
            try {
                String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                if (fields[0].equals("Z") || fields[0].equals("X")) {
                    return -1; // dead, not yet reaped by its parent
                }
                return Long.parseLong(fields[19]); // field 3 is fields[0], so field 22 is fields[19]
            } catch (IOException | RuntimeException gone) {
                return -1;
            }
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .map(h -> h.info().startInstant().map(java.time.Instant::toEpochMilli).orElse(0L)).orElse(-1L);
    }

    /**
     * Whether the process {@code pid}, which claimed a record or wrote records here, is still
     * running and is a user of this ring: on Linux, it maps the ring's file (looked at once in
     * {@code /proc/PID/maps}, then remembered with its start time), so a pid reused by an
     * unrelated process, or by one of another user whose maps cannot be read, is taken for dead
     * and does not wedge the ring. Where it cannot tell, it judges by pid alone.
     *
     * @param pid the process id a claim or a writer id carries
     * @return whether it is this process, or alive and mapping this ring
     */
    boolean userAlive(int pid) {
        if (pid == PID) {
            return true;
        }
        long start = startTime(pid);
        if (start < 0) {
            users.remove(pid);
            return false;
        }
        Long known = users.get(pid);
        if (known != null && known == start) {
            return true;
        }
        if (!mapsThisRing(pid)) {
            return false;
        }
        users.put(pid, start);
        return true;
    }

    /** @return whether {@code pid}'s memory maps include this ring's file (or this cannot be looked at) */
    private boolean mapsThisRing(int pid) {
        if (!PROC || inode == 0) {
            return true;
        }
        String ino = Long.toString(inode);
        try (var lines = Files.lines(Path.of("/proc", Integer.toString(pid), "maps"))) {
            return lines.anyMatch(line -> {
                String[] f = line.trim().split("\\s+", 6); // address perms offset device inode path
                return f.length >= 5 && f[4].equals(ino);
            });
        } catch (IOException | java.io.UncheckedIOException | SecurityException e) {
            return false; // gone, or another user's process: not a user of this ring
        }
    }

    // ---------------------------------------------------------------- status

    /** Marks the ring closed, for the other side to see (a ring {@linkplain #markCorrupt found corrupt} stays so). */
    public void markClosed() {
        if ((int) INT.getAcquire(buffer, CLOSED_OFFSET) == 0) { // only the reader writes it (no compare-and-set: see intact())
            INT.setRelease(buffer, CLOSED_OFFSET, CLOSED);
        }
    }

    private static final int CLOSED = 1;
    private static final int CLOSED_CORRUPT = 2;

    /** The reader marks the ring closed because it found it corrupt: writers then say so instead of "released". */
    void markCorrupt() {
        INT.setRelease(buffer, CLOSED_OFFSET, CLOSED_CORRUPT);
    }

    /** @return whether the reader closed the ring because it found it corrupt ({@link #markCorrupt}) */
    boolean foundCorrupt() {
        return (int) INT.getAcquire(buffer, CLOSED_OFFSET) == CLOSED_CORRUPT;
    }

    /** @return whether either side marked the ring closed */
    public boolean isClosed() {
        return (int) INT.getAcquire(buffer, CLOSED_OFFSET) != 0;
    }

    /**
     * Records this process (pid and start time) as the consumer and its first heartbeat, and
     * opens the ring again if a consumer had closed it. The consumer's slot is taken atomically
     * ({@link #hold}: a compare-and-set from no consumer or a dead one to {@code -pid}, then the
     * start time, then the pid), so of two processes registering, or one registering while
     * another clears the queue ({@link ShmQueue#clear}), one fails here.
     *
     * @throws IllegalStateException if another live process holds the slot (a reader, or a process
     *     clearing the queue)
     */
    public void registerConsumer() {
        int holder = hold(true);
        if (holder != 0) {
            throw new IllegalStateException("shm:" + path + " already has a reader (" + describeHolder(holder) + ")");
        }
        heartbeat();
        LONG.setRelease(buffer, CONSUMER_START_OFFSET, START);
        INT.setRelease(buffer, CONSUMER_PID_OFFSET, PID);
        INT.setRelease(buffer, CLOSED_OFFSET, 0);
    }

    /**
     * Takes the consumer's slot for this process as {@code -pid} (a slot "being taken" or "held
     * for clearing"): by compare-and-set from 0, from a consumer whose process is gone, or from
     * this process's own registration. While it is negative, {@link #consumer} is {@code null}
     * (writers opening wait), {@link #consumerAlive} judges the holder by its pid alone, and a
     * reader opening elsewhere is refused.
     *
     * @param overOwn whether a registration of this process may be taken over (a reader
     *     reopening); if not, this process's live registration is a holder like any other
     * @return 0 once taken; else the slot's live holder (a reader's pid, or {@code -pid} of a
     *     process holding it)
     */
    int hold(boolean overOwn) {
        while (true) {
            int current = consumerPid();
            if (current != 0 && (current != PID || !overOwn) && consumerAlive()) {
                if (consumerPid() != current) {
                    continue; // changed while looked at
                }
                return current;
            }
            if (INT.compareAndSet(buffer, CONSUMER_PID_OFFSET, current, -PID)) {
                return 0;
            }
        }
    }

    /** Gives back the slot {@link #hold} took without registering: no consumer then. */
    void unhold() {
        INT.compareAndSet(buffer, CONSUMER_PID_OFFSET, -PID, 0);
    }

    /** @return a holder as {@link #hold} returns it, in words */
    static String describeHolder(int holder) {
        return holder < 0 ? "pid " + -holder + ", clearing or registering" : "pid " + holder;
    }

    /**
     * Says what the consumer about to {@linkplain #registerConsumer register} accepts, for writers
     * to check at their opening ({@link #reader}); call before registering.
     *
     * @param codecId its codec's id
     * @param maxFrame the largest frame it reads
     */
    void describeConsumer(String codecId, int maxFrame) {
        byte[] id = codecId.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        if (id.length <= READER_CODEC_MAX) {
            buffer.put(READER_CODEC_OFFSET, id);
        }
        buffer.putInt(READER_MAX_FRAME_OFFSET, maxFrame);
        INT.setRelease(buffer, READER_CODEC_LENGTH_OFFSET, id.length <= READER_CODEC_MAX ? id.length : -1);
    }

    /**
     * The registered consumer as a writer sees it.
     *
     * @param pid its pid
     * @param start its start time ({@link #startTime})
     * @param codec its codec's id, or {@code null} if it did not say (or the id is too long to keep)
     * @param maxFrame the largest frame it reads, 0 if it did not say
     */
    record Consumer(int pid, long start, String codec, int maxFrame) {
    }

    /**
     * @return the registered consumer, or {@code null} if none is, or one is registering at this
     *     moment (look again)
     */
    Consumer consumer() {
        int pid = (int) INT.getAcquire(buffer, CONSUMER_PID_OFFSET);
        long start = (long) LONG.getAcquire(buffer, CONSUMER_START_OFFSET);
        int length = (int) INT.getAcquire(buffer, READER_CODEC_LENGTH_OFFSET);
        String codec = null;
        if (length > 0 && length <= READER_CODEC_MAX) {
            byte[] id = new byte[length];
            buffer.get(READER_CODEC_OFFSET, id);
            codec = new String(id, java.nio.charset.StandardCharsets.UTF_8);
        }
        int maxFrame = buffer.getInt(READER_MAX_FRAME_OFFSET);
        VarHandle.acquireFence();
        if (pid <= 0 || pid != (int) INT.getAcquire(buffer, CONSUMER_PID_OFFSET)
                || start != (long) LONG.getAcquire(buffer, CONSUMER_START_OFFSET)) {
            return null;
        }
        return new Consumer(pid, start, codec, maxFrame);
    }

    /** @return the registered consumer's start time ({@link #startTime}); meaningful while {@link #consumerPid} is not 0 */
    public long consumerStartTime() {
        return (long) LONG.getAcquire(buffer, CONSUMER_START_OFFSET);
    }

    /**
     * @return whether a consumer is registered and its process still runs: the process with its
     *     pid has the start time it registered with (a reused pid is not taken for it); for a slot
     *     {@linkplain #hold held} ({@code -pid}: being taken, or held while a queue is cleared, for
     *     milliseconds), whether that process runs
     */
    public boolean consumerAlive() {
        int pid = consumerPid();
        if (pid == 0) {
            return false;
        }
        if (pid < 0) {
            return alive(-pid);
        }
        long start = consumerStartTime();
        return pid == PID ? start == START : startTime(pid) == start;
    }

    /** The consumer leaves: no process reads the ring until one registers again. */
    public void unregisterConsumer() {
        INT.setRelease(buffer, CONSUMER_PID_OFFSET, 0);
    }

    /** The consumer's sign of life: the time now. */
    public void heartbeat() {
        LONG.setRelease(buffer, HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    /**
     * @return the consumer's pid, 0 if none registered; {@code -pid} while the process {@code pid}
     *     holds the slot for a moment (registering, or clearing the queue: {@link ShmQueue#clear})
     */
    public int consumerPid() {
        return (int) INT.getAcquire(buffer, CONSUMER_PID_OFFSET);
    }

    /** @return the consumer's last heartbeat, milliseconds since the epoch */
    public long lastHeartbeat() {
        return (long) LONG.getAcquire(buffer, HEARTBEAT_OFFSET);
    }

    /** A writer's sign of life: the time now (writers beat at most every 10 ms, when they look at the reader). */
    public void writerHeartbeat() {
        LONG.setRelease(buffer, WRITER_HEARTBEAT_OFFSET, System.currentTimeMillis());
    }

    /** @return the last sign of life of any writer, in milliseconds since the epoch; 0 if none yet */
    public long lastWriterHeartbeat() {
        return (long) LONG.getAcquire(buffer, WRITER_HEARTBEAT_OFFSET);
    }

    /**
     * Writes the ring's pages to its file's storage ({@code msync}): for a ring on a disk (not
     * {@code /dev/shm}), what was published before survives the machine going down, not only
     * the processes. Not needed for the processes dying: the pages belong to the file, and the
     * next process to open it reads what is left.
     */
    public void force() {
        if (mapping != null) {
            mapping.force();
        }
    }

    /**
     * Unmaps the ring and closes its file, so that it holds neither a descriptor nor memory
     * (on Java 21 the mapping goes only when the garbage collector drops the ring: see
     * {@link RingMapping}). Another thread still in the ring meanwhile (a reader woken by the
     * close) gets an {@link IllegalStateException} from its next access, never a fault; a
     * sleeping reader wakes within its longest sleep. Idempotent.
     */
    @Override
    public void close() throws IOException {
        closed = true;
        if (mapping != null) {
            mapping.close();
        }
        if (file != null) {
            file.close();
        }
    }

    @Override
    public String toString() {
        return "ShmRing[" + path + ", " + capacity + " bytes]";
    }
}
