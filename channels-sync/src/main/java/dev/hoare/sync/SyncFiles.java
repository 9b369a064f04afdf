package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.DATA_LENGTH_OFFSET;
import static dev.hoare.sync.SyncLayout.HOLDERS;
import static dev.hoare.sync.SyncLayout.HOLDERS_OFFSET;
import static dev.hoare.sync.SyncLayout.HOLDER_COUNT;
import static dev.hoare.sync.SyncLayout.HOLDER_IDENTITY;
import static dev.hoare.sync.SyncLayout.HOLDER_SIZE;
import static dev.hoare.sync.SyncLayout.KIND_OFFSET;
import static dev.hoare.sync.SyncLayout.LOCK_OWNER_OFFSET;
import static dev.hoare.sync.SyncLayout.LOCK_WAITERS_OFFSET;
import static dev.hoare.sync.SyncLayout.MAGIC;
import static dev.hoare.sync.SyncLayout.MAGIC_OFFSET;
import static dev.hoare.sync.SyncLayout.PARAM_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_SEQ_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_WAITERS_OFFSET;
import static dev.hoare.sync.SyncLayout.VERSION;
import static dev.hoare.sync.SyncLayout.VERSION_OFFSET;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What a tool ({@code hoare ls}, {@code hoare rm}) may know of a synchronization file without
 * opening it as a primitive: its kind and state, read once (a snapshot, not under any lock).
 */
public final class SyncFiles {
    private SyncFiles() {
    }

    /**
     * A synchronization file's kind and state.
     *
     * @param kind {@code semaphore}, {@code mutex}, {@code event} or {@code data}
     * @param ownerPid a mutex's (or a map's lock's) owner, 0 if none
     * @param ownerAlive whether that owner's process is running (pid and start time)
     * @param details the state in words (permits free and held by whom, set or clear, entries)
     * @param inUse a semaphore's permits taken, a mutex's 1 if locked (else 0); {@code -1} for the others
     * @param capacity a semaphore's permits, a mutex's 1; {@code -1} for the others
     * @param waiting the threads (of every process) waiting in it now: acquirers, lockers,
     *     awaiters of an event, watchers of shared data; a snapshot that a wait beginning or ending
     *     changes at once
     */
    public record Description(String kind, long ownerPid, boolean ownerAlive, String details, long inUse, long capacity,
            int waiting) {
    }

    /**
     * @param path a file
     * @return its description, or empty if it is not a synchronization file of this layout version
     * @throws IOException if it cannot be read
     */
    public static Optional<Description> describe(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SyncLayout.SEMAPHORE_SIZE).order(ByteOrder.nativeOrder());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            while (b.hasRemaining() && ch.read(b) > 0) {
                // the header, the state and (for a semaphore) the holders, or as much as the file has
            }
        }
        if (b.position() < 192 || b.getInt(MAGIC_OFFSET) != MAGIC || b.getInt(VERSION_OFFSET) != VERSION) {
            return Optional.empty();
        }
        SyncLayout.Kind kind = SyncLayout.Kind.of(b.getInt(KIND_OFFSET));
        if (kind == null) {
            return Optional.empty();
        }
        long owner = b.getLong(LOCK_OWNER_OFFSET);
        long ownerPid = owner == 0 ? 0 : Identity.pid(owner);
        boolean ownerAlive = owner != 0 && Identity.alive(owner);
        return Optional.of(switch (kind) {
            case SEMAPHORE -> {
                int permits = b.getInt(PARAM_OFFSET);
                TreeSet<String> holders = new TreeSet<>();
                for (int i = 0; i < HOLDERS && HOLDERS_OFFSET + (i + 1) * HOLDER_SIZE <= b.position(); i++) {
                    long id = b.getLong(HOLDERS_OFFSET + i * HOLDER_SIZE + HOLDER_IDENTITY);
                    int count = b.getInt(HOLDERS_OFFSET + i * HOLDER_SIZE + HOLDER_COUNT);
                    if (id != 0 && count > 0) {
                        holders.add(Identity.pid(id) + (Identity.alive(id) ? "" : " (dead)") + " x" + count);
                    }
                }
                int free = b.getInt(STATE_OFFSET);
                yield new Description("semaphore", 0, false, free + " of " + permits + " permits free; "
                        + (holders.isEmpty() ? "no holder" : "held by " + String.join(", ", holders)), permits - free, permits,
                        b.getInt(STATE_WAITERS_OFFSET));
            }
            case MUTEX -> new Description("mutex", ownerPid, ownerAlive,
                    owner == 0 ? "unlocked" : "locked by " + ownerPid + (ownerAlive ? "" : " (dead: the next locker takes it over)"),
                    owner == 0 ? 0 : 1, 1, b.getInt(LOCK_WAITERS_OFFSET));
            case EVENT -> new Description("event", 0, false, b.getInt(STATE_OFFSET) != 0 ? "set" : "clear", -1, -1,
                    b.getInt(STATE_WAITERS_OFFSET));
            case SHARED_DATA -> new Description("data", ownerPid, ownerAlive, "shared map, version " + b.getInt(STATE_SEQ_OFFSET)
                    + ", " + b.getInt(DATA_LENGTH_OFFSET + 4 * (b.getInt(STATE_OFFSET) & 1)) + " B encoded of "
                    + b.getInt(PARAM_OFFSET) + " B", -1, -1, b.getInt(STATE_WAITERS_OFFSET));
        });
    }
}
