package dev.hoare.channels.shm;

/**
 * The layout of a ring file: where every field of the header lives and how a record is framed.
 * This class is the one description of the format; {@link ShmRing} only reads it from here.
 *
 * <pre>
 *  offset 0                       128                      256                      384                 512
 *         +------------------------+------------------------+------------------------+-------------------+----------------------+
 *         | META (written once)    | PRODUCERS' LINE        | CONSUMER'S LINE        | STATUS            | RECORDS              |
 *         |  0 magic   u32 "HRNG"  |  128 tail      i64     |  256 head      i64     |  384 closed   i32 |  capacity bytes,     |
 *         |  4 version u32         |  136 headCache i64     |                        |  388 pid      i32 |  a power of two      |
 *         |  8 capacity u32        |                        |                        |  392 heartbeat i64|                      |
 *         | 12 maxRecord u32       |                        |                        |  400 signal   i32 |                      |
 *         | 16 flags u32           |                        |                        |  404 waiters  i32 |                      |
 *         | 20 helloLength i32     |                        |                        |  408 writers' heartbeat i64              |
 *         | 24 hello (104 bytes)   |                        |                        |  416 (free, 16 bytes)                    |
 *         |                        |                        |                        |  432 reader's codec id (64 bytes)        |
 *         |                        |                        |                        |  496 codec id length i32                 |
 *         |                        |                        |                        |  500 reader's maxFrame i32               |
 *         |                        |                        |                        |  504 reader's start time i64             |
 *         +------------------------+------------------------+------------------------+-------------------+----------------------+
 *           each group on its own two cache lines (128 bytes), so producers and the consumer never share one
 *
 *  A record, 8-byte aligned, inside RECORDS (its position is a counter; the index is position &amp; (capacity - 1)):
 *
 *         +-------------------+-------------------+----------------+--------------------------+---------+
 *         | length  i32       | type  i32         | crc32c  u32    | payload                  | to 8    |
 *         +-------------------+-------------------+----------------+--------------------------+---------+
 *           crc32c only if the header's flags say FLAG_CRC32C (not in padding): the CRC32C of the payload
 *             xor a mix of the record's position, length and type (ShmRing.checksum); the payload is then
 *             length - 8 - 4 bytes
 *           length and type are written together, as one 8-byte store, and read as one 8-byte load
 *           length  0: nothing here yet (the consumer zeroes what it has read)
 *           length &lt; 0: claimed, being written; type holds the writer's pid until the commit
 *           length &gt; 0: committed (written last, with release semantics): type and payload are whole
 *           type PADDING: skip to the end of the ring (a record never wraps)
 * </pre>
 *
 * <p>What a reader checks of every header (a ring that breaks it is corrupt, not waited on):
 * length 0 with type 0 (nothing yet); length &lt; 0 a claim of 8 to {@link #maxRecord} bytes,
 * aligned, fitting before the ring's end, type a pid (1 to 2^22); length &gt; 0 fitting before the
 * ring's end and the tail, type &gt;= 0 with at most {@link #maxRecord} bytes, or PADDING aligned.
 * {@code head} and {@code tail} are aligned, {@code head <= tail <= head + capacity}, and only the
 * reader moves {@code head}.
 *
 * <p>Numbers are in the platform's byte order (the file is shared by processes on one machine,
 * never sent elsewhere). {@code tail} and {@code head} count bytes since the ring was created
 * and only grow; {@code tail - head} is the space in use.
 */
final class RingLayout {
    private RingLayout() {
    }

    /** "HRNG" as a u32. */
    static final int MAGIC = 0x48524E47;
    /**
     * Bumped on any change to this layout; a file of another version is refused. Version 3 added
     * the reader's start time and what it accepts (codec id, maxFrame) at the end of STATUS;
     * version 4 the flags (checksums) in META, the HELLO moving 4 bytes on.
     */
    static final int VERSION = 4;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int CAPACITY_OFFSET = 8;
    static final int MAX_RECORD_OFFSET = 12;
    /** Options of the ring, fixed by its creator (written with the META, before the magic): {@link #FLAG_CRC32C}. */
    static final int FLAGS_OFFSET = 16;
    /** Every record carries a CRC32C after its header: set by {@code ?checksum=crc32c} on the creating end. */
    static final int FLAG_CRC32C = 1;
    /** The checksum's bytes in a record of a {@link #FLAG_CRC32C} ring. */
    static final int CHECKSUM = 4;

    /**
     * The length of the first writer's HELLO frame kept at {@link #HELLO_OFFSET}: 0 if none,
     * -1 while being written. A reader that opens the ring later, meeting a writer whose HELLO
     * an earlier reader took, is handed this one in its place (durable rings).
     */
    static final int HELLO_LENGTH_OFFSET = 20;
    static final int HELLO_OFFSET = 24;
    /** The longest HELLO kept: the rest of the META lines (a codec id of up to 80 bytes: a HELLO is 24 bytes and its codec id). */
    static final int HELLO_MAX = 128 - HELLO_OFFSET;

    /** Position of the next claim; producers move it with compare-and-set. */
    static final int TAIL_OFFSET = 128;
    /** The producers' last look at {@code head}, so they read the consumer's line only when the ring looks full. */
    static final int HEAD_CACHE_OFFSET = 136;

    /** Position of the next record to read; only the consumer writes it, after zeroing what it read. */
    static final int HEAD_OFFSET = 256;

    /** 1 once either side closed the ring. */
    static final int CLOSED_OFFSET = 384;
    /** The consumer's pid, 0 if none. */
    static final int CONSUMER_PID_OFFSET = 388;
    /** The consumer's last sign of life, in milliseconds since the epoch. */
    static final int HEARTBEAT_OFFSET = 392;

    /** The futex word: producers add one to it (and wake its sleepers) after publishing, when {@link #WAITERS_OFFSET} is not 0. */
    static final int SIGNAL_OFFSET = 400;
    /** How many consumers are (about to be) asleep on {@link #SIGNAL_OFFSET}: producers skip the wake system call when 0. */
    static final int WAITERS_OFFSET = 404;

    /** The last sign of life of any writer, in milliseconds since the epoch (beaten at most every 10 ms by each). */
    static final int WRITER_HEARTBEAT_OFFSET = 408;

    /**
     * What the registered reader decodes with, so that a writer whose codec differs is refused at
     * its opening rather than after its first values are lost: the codec id's UTF-8 bytes
     * ({@link #READER_CODEC_MAX} at most), their length at {@link #READER_CODEC_LENGTH_OFFSET}
     * (0: none registered; -1: an id too long to keep, not checked by writers), and the reader's
     * largest frame at {@link #READER_MAX_FRAME_OFFSET} (writers do not send larger ones). The
     * reader writes them before its pid; a writer reads its pid and start time before and after
     * them, and trusts them only if neither moved.
     */
    static final int READER_CODEC_OFFSET = 432;
    static final int READER_CODEC_MAX = 64;
    static final int READER_CODEC_LENGTH_OFFSET = 496;
    static final int READER_MAX_FRAME_OFFSET = 500;
    /**
     * The reader's process start time (on Linux, clock ticks since boot: /proc/PID/stat field 22),
     * written before its pid: the pid and this together name a process, so a pid reused by
     * another process is not taken for the reader.
     */
    static final int CONSUMER_START_OFFSET = 504;

    /** Where the records begin: the header's length. */
    static final int HEADER_LENGTH = 512;

    /** A record's header: length and type. */
    static final int RECORD_HEADER = 8;
    static final int ALIGNMENT = 8;
    /** The type of a record that only fills the ring's end. */
    static final int PADDING = -1;

    /** The smallest records area. */
    static final int MIN_CAPACITY = 1024;

    /** @return the largest record (header included) a ring of this capacity takes: an eighth of it */
    static int maxRecord(int capacity) {
        return capacity / 8;
    }

    /** @return {@code length} rounded up to the alignment */
    static int align(int length) {
        return (length + ALIGNMENT - 1) & -ALIGNMENT;
    }
}
