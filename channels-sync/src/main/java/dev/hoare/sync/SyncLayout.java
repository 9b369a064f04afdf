package dev.hoare.sync;

/**
 * The layout of a synchronization file, shared by every primitive: the descriptor of where each
 * word sits. All words are in the machine's native byte order and naturally aligned.
 *
 * <pre>
 *  0               8               16              64
 *  +-------+-------+-------+-------+- ... ---------+
 *  | magic |version| kind  | param |   (unused)    |   header: written once, before the file
 *  +-------+-------+-------+-------+- ... ---------+   is linked under its name
 *  64              72      76      80              128
 *  +---------------+-------+-------+- ... ---------+
 *  |  lock owner   |lockSeq|lockWtr|   (unused)    |   the robust lock (RobustLock): the
 *  +---------------+-------+-------+- ... ---------+   mutex itself, or a semaphore's guard
 *  128     132     136     140                     192
 *  +-------+-------+-------+- ... -----------------+
 *  | state | seq   |waiters|   (unused)            |   semaphore: free permits; event: set
 *  +-------+-------+-------+- ... -----------------+
 *  (shared data: state = the active area, 0 or 1; seq = the version; then at 144 and 148
 *  each area's length, and at 256 two areas of param bytes each)
 *  192: HOLDERS slots of 16 bytes (semaphore only)
 *  +---------------+-------+-------+
 *  |   identity    | count | spare |   a handle's slot: its process (pid and start time,
 *  +---------------+-------+-------+   {@link Identity}) and the permits it holds
 * </pre>
 *
 * <p>The lock and the state sit on cache lines of their own: waiters read the state's sequence
 * while the lock's owner changes, and neither should invalidate the other. A file is made
 * complete in a temporary file and only then linked under its name, so no process ever maps a
 * half-written header.
 *
 * <p>Sequences ({@code lockSeq}, {@code seq}) are the futex words: a changer stores its change,
 * then increments the sequence, then wakes the sleepers if the waiter count is not zero; a
 * waiter increments the count, reads the sequence, re-checks its condition, and sleeps only
 * while the sequence still has the value it read. Every one of these is a volatile (sequentially
 * consistent) access, so either the waiter sees the change, or the changer sees the waiter and
 * the sequence it sleeps on has moved: no wake-up is lost.
 */
final class SyncLayout {
    private SyncLayout() {
    }

    /** {@code "HSYN"}. */
    static final int MAGIC = 0x4853_594E;
    static final int VERSION = 1;

    static final int MAGIC_OFFSET = 0;
    static final int VERSION_OFFSET = 4;
    static final int KIND_OFFSET = 8;
    /** A semaphore's number of permits; 0 for the others. */
    static final int PARAM_OFFSET = 12;

    static final int LOCK_OWNER_OFFSET = 64;
    static final int LOCK_SEQ_OFFSET = 72;
    static final int LOCK_WAITERS_OFFSET = 76;

    /** A semaphore's free permits, an event's flag (1 set, 0 clear). */
    static final int STATE_OFFSET = 128;
    static final int STATE_SEQ_OFFSET = 132;
    static final int STATE_WAITERS_OFFSET = 136;

    static final int HOLDERS_OFFSET = 192;
    static final int HOLDER_SIZE = 16;
    static final int HOLDER_IDENTITY = 0;
    static final int HOLDER_COUNT = 8;
    /** How many handles may have a semaphore open at once, all processes together. */
    static final int HOLDERS = 256;

    /** Shared data: the length of each of the two areas' encoded maps. */
    static final int DATA_LENGTH_OFFSET = 144;
    /** Shared data: where the first area starts (the second follows it). */
    static final int DATA_OFFSET = 256;

    /** The size of a mutex's or an event's file. */
    static final int SMALL_SIZE = 4096;
    /** The size of a semaphore's file. */
    static final int SEMAPHORE_SIZE = HOLDERS_OFFSET + HOLDERS * HOLDER_SIZE;

    /** The kinds, as the header names them. */
    enum Kind {
        SEMAPHORE(1), MUTEX(2), EVENT(3), SHARED_DATA(4);

        final int code;

        Kind(int code) {
            this.code = code;
        }

        static Kind of(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            return null;
        }

        String title() {
            return this == SHARED_DATA ? "shared data map" : name().toLowerCase(java.util.Locale.ROOT);
        }

        /** What the header's param holds, for messages. */
        String param() {
            return this == SHARED_DATA ? "bytes of capacity" : "permits";
        }
    }
}
