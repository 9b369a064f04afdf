package dev.hoare.sync;

import static dev.hoare.sync.SyncLayout.DATA_LENGTH_OFFSET;
import static dev.hoare.sync.SyncLayout.DATA_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_SEQ_OFFSET;
import static dev.hoare.sync.SyncLayout.STATE_WAITERS_OFFSET;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ReceiveChannel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A small map of strings to strings shared by the processes of one user on one host, named as
 * {@code shm:} channels are, updated atomically, kept in its file, and watched through a channel
 * of changes.
 *
 * <pre>{@code
 * try (SharedData config = new SharedData("config")) {
 *     config.put("mode", "fast");
 *     config.update("runs", n -> n == null ? "1" : Integer.toString(Integer.parseInt(n) + 1));
 *     ReceiveChannel<SharedData.Change> changes = config.watch();
 *     SharedData.Change c = changes.receive();   // made by any process
 * }
 * }</pre>
 *
 * <p><b>Atomic updates.</b> Every change takes the map's cross-process lock (a robust lock, as
 * {@link Mutex}'s), encodes the whole new map into the file's spare area, then publishes it by
 * flipping the active area and moving the version, and releases the lock. A process killed in
 * the middle leaves the active area as it was: the next taker of the lock finds the map whole,
 * without the unfinished change. Readers take the lock too, but only when the version moved since
 * their last look; otherwise they answer from this handle's copy.
 *
 * <p><b>Persisted</b> in its file for as long as the file lives: a named map is in the per-user
 * directory in memory ({@code /dev/shm}) and survives every process but not a reboot; a map
 * given an absolute path on a disk survives a reboot once its pages are written back, which
 * {@link #flush} forces.
 *
 * <p><b>Watching.</b> {@link #watch} returns a channel of {@link Change}s, fed by a platform
 * daemon thread ({@code hoare-sync-watch-NAME}) that sleeps on the version word (a futex, 100 ms
 * at most at a time) and, each time it moved, compares the map with the one it saw before. A
 * watcher thus sees every key's latest value, in order, but not values that came and went between
 * two of its looks; while its channel is full the thread waits, and the changes since are
 * coalesced the same way. Cancelling the channel or closing the handle stops the thread.
 *
 * <p>Capacity: each of the two areas holds {@code capacityBytes} (64 KiB by default) of encoded
 * map (per entry 8 bytes plus the UTF-8 key and value); a change that would not fit throws
 * {@link IllegalStateException} and changes nothing. Thread-safe.
 */
public final class SharedData implements AutoCloseable {
    /** The default capacity of each area, in bytes. */
    public static final int DEFAULT_CAPACITY = 64 * 1024;

    /**
     * A change of one key, as a watcher sees it.
     *
     * @param key the key
     * @param oldValue its value before, or {@code null} if it had none
     * @param newValue its value now, or {@code null} if it was removed
     */
    public record Change(String key, String oldValue, String newValue) {
    }

    private final SyncFile file;
    private final RobustLock lock;
    private final int capacity;
    /** Guards {@link #cached} and {@link #cachedVersion}: this handle's copy of the map. */
    private final ReentrantLock local = new ReentrantLock();
    private Map<String, String> cached = Map.of();
    private int cachedVersion;
    private boolean cachedValid;

    /**
     * Opens the map with the default capacity, making it (empty) if it does not exist.
     *
     * @param name a logical name, a file of the per-user {@code shm:} directory; or an absolute path
     * @throws IllegalArgumentException for an invalid name, or an existing map of another capacity
     * @throws IOException if the file cannot be made or opened, is another user's, or is not a map
     */
    public SharedData(String name) throws IOException {
        this(name, DEFAULT_CAPACITY);
    }

    /**
     * Opens the map, making it (empty) if it does not exist.
     *
     * @param name a logical name, a file of the per-user {@code shm:} directory; or an absolute path
     * @param capacityBytes the bytes of encoded map it holds (4 to 64 MiB); an existing map must have as many
     * @throws IllegalArgumentException for an invalid name or capacity, or an existing map of another capacity
     * @throws IOException if the file cannot be made or opened, is another user's, or is not a map
     */
    public SharedData(String name, int capacityBytes) throws IOException {
        if (capacityBytes < 4 || capacityBytes > 64 << 20) {
            throw new IllegalArgumentException("capacityBytes must be 4 to 64 MiB, was " + capacityBytes);
        }
        this.capacity = capacityBytes;
        this.file = SyncFile.open(name, SyncLayout.Kind.SHARED_DATA, capacityBytes, DATA_OFFSET + 2 * capacityBytes, b -> {
            b.putInt(DATA_LENGTH_OFFSET, 4); // area 0: an empty map (a count of 0)
            b.putInt(DATA_LENGTH_OFFSET + 4, 4);
        });
        this.lock = new RobustLock(file);
    }

    /** @return the value of {@code key}, if it has one */
    public Optional<String> get(String key) throws InterruptedException {
        return Optional.ofNullable(snapshot().get(Objects.requireNonNull(key, "key")));
    }

    /** @return the keys now, sorted */
    public Set<String> keys() throws InterruptedException {
        return snapshot().keySet();
    }

    /** @return a copy of the whole map now, sorted by key */
    public Map<String, String> snapshot() throws InterruptedException {
        local.lock();
        try {
            if (cachedValid && file.getInt(STATE_SEQ_OFFSET) == cachedVersion) {
                return cached;
            }
            takeLock();
            try {
                cachedVersion = file.getInt(STATE_SEQ_OFFSET);
                cached = Collections.unmodifiableMap(decode(file.getInt(STATE_OFFSET)));
                cachedValid = true;
                return cached;
            } finally {
                lock.unlock();
            }
        } finally {
            local.unlock();
        }
    }

    /**
     * Sets {@code key} to {@code value}.
     *
     * @return its value before, if it had one
     * @throws IllegalStateException if the map would not fit its capacity (nothing changes)
     */
    public Optional<String> put(String key, String value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        String[] before = new String[1];
        update(key, old -> {
            before[0] = old;
            return value;
        });
        return Optional.ofNullable(before[0]);
    }

    /** Removes {@code key}; @return its value before, if it had one */
    public Optional<String> remove(String key) throws InterruptedException {
        String[] before = new String[1];
        update(key, old -> {
            before[0] = old;
            return null;
        });
        return Optional.ofNullable(before[0]);
    }

    /**
     * Changes {@code key} atomically across processes: {@code fn} gets its value ({@code null}
     * if none) and returns the new one ({@code null} removes it). {@code fn} runs while the map's
     * cross-process lock is held: keep it short, and do not use this map from it. If it throws,
     * nothing changes.
     *
     * @return the new value ({@code null} if none)
     * @throws IllegalStateException if the map would not fit its capacity (nothing changes)
     */
    public String update(String key, UnaryOperator<String> fn) throws InterruptedException {
        Objects.requireNonNull(key, "key");
        checkOpen();
        takeLock();
        String now;
        boolean changed;
        try {
            int active = file.getInt(STATE_OFFSET);
            Map<String, String> map = decode(active);
            String old = map.get(key);
            now = fn.apply(old);
            changed = !Objects.equals(old, now);
            if (changed) {
                if (now == null) {
                    map.remove(key);
                } else {
                    map.put(key, now);
                }
                byte[] encoded = encode(map);
                if (encoded.length > capacity) {
                    throw new IllegalStateException(SyncFile.describe(file.name) + ": the map would take " + encoded.length
                            + " bytes, more than its capacity of " + capacity);
                }
                int spare = 1 - active;
                file.write(DATA_OFFSET + spare * capacity, encoded);
                file.setInt(DATA_LENGTH_OFFSET + 4 * spare, encoded.length);
                file.setInt(STATE_OFFSET, spare); // publish: the map is whole in either area at every instant
                file.addInt(STATE_SEQ_OFFSET, 1);
            }
        } finally {
            lock.unlock();
        }
        if (changed && file.getInt(STATE_WAITERS_OFFSET) != 0) {
            file.wakeAll(STATE_SEQ_OFFSET);
        }
        return now;
    }

    /** Writes the map's file to its storage ({@code msync}): for a map on a disk, to survive a reboot. */
    public void flush() {
        checkOpen();
        file.force();
    }

    /**
     * Starts watching: a channel of every change made from now on, by any process (see the class
     * comment for what is coalesced). Cancel it to stop watching.
     *
     * @return the changes, in the order seen; closed when this handle closes
     */
    public ReceiveChannel<Change> watch() throws InterruptedException {
        checkOpen();
        Channel<Change> changes = Channel.buffered(256);
        Map<String, String> start = snapshot();
        int version = cachedVersionNow();
        Thread.ofPlatform().daemon().name("hoare-sync-watch-" + file.path.getFileName()).start(() -> feed(changes, start, version));
        return changes;
    }

    private int cachedVersionNow() {
        local.lock();
        try {
            return cachedVersion;
        } finally {
            local.unlock();
        }
    }

    /** The watching thread: sends the difference each time the version moves, until the channel or the handle closes. */
    private void feed(Channel<Change> changes, Map<String, String> seen, int version) {
        try {
            while (!changes.isClosedForSend() && !file.isClosed()) {
                if (file.getInt(STATE_SEQ_OFFSET) == version) {
                    file.addInt(STATE_WAITERS_OFFSET, 1);
                    try {
                        if (file.getInt(STATE_SEQ_OFFSET) == version) {
                            file.await(STATE_SEQ_OFFSET, version, Sleepers.MAX_SLEEP_NANOS);
                        }
                    } finally {
                        file.addInt(STATE_WAITERS_OFFSET, -1);
                    }
                    continue;
                }
                Map<String, String> now;
                takeLock();
                try {
                    version = file.getInt(STATE_SEQ_OFFSET);
                    now = decode(file.getInt(STATE_OFFSET));
                } finally {
                    lock.unlock();
                }
                for (Map.Entry<String, String> e : now.entrySet()) {
                    String old = seen.get(e.getKey());
                    if (!e.getValue().equals(old)) {
                        changes.send(new Change(e.getKey(), old, e.getValue()));
                    }
                }
                for (Map.Entry<String, String> e : seen.entrySet()) {
                    if (!now.containsKey(e.getKey())) {
                        changes.send(new Change(e.getKey(), e.getValue(), null));
                    }
                }
                seen = now;
            }
            changes.close();
        } catch (ChannelClosedException | InterruptedException cancelled) {
            changes.close();
        } catch (IllegalStateException e) {
            if (file.isClosed()) {
                changes.close(); // the handle closed: its mapping is gone
            } else {
                changes.close(e); // a corrupt map: the watcher learns why its changes end
            }
        }
    }

    /** @return the name or path this map was opened by */
    public String name() {
        return file.name;
    }

    /** Unmaps the file (the map stays in it for the others) and ends this handle's watchers; idempotent. */
    @Override
    public void close() {
        file.close();
    }

    /**
     * Removes a map's file, and with it the map.
     *
     * @param name its name or path
     * @return whether there was one
     * @throws IOException if it cannot be removed
     */
    public static boolean removeFile(String name) throws IOException {
        return dev.hoare.channels.shm.Shms.remove(name);
    }

    // --- under the lock ---

    /** Takes the lock; a dead owner leaves nothing to repair (the active area is whole). */
    private void takeLock() throws InterruptedException {
        lock.lock(Long.MAX_VALUE);
    }

    /** @return the map in area {@code area}; must be called with the lock held */
    private Map<String, String> decode(int area) {
        int length = file.getInt(DATA_LENGTH_OFFSET + 4 * area);
        if (length < 4 || length > capacity) {
            throw new IllegalStateException(SyncFile.describe(file.name) + ": corrupt map (area length " + length + ")");
        }
        ByteBuffer b = ByteBuffer.wrap(file.read(DATA_OFFSET + area * capacity, length));
        int count = b.getInt();
        Map<String, String> map = new TreeMap<>();
        for (int i = 0; i < count; i++) {
            String k = string(b);
            map.put(k, string(b));
        }
        return map;
    }

    private String string(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || n > b.remaining()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + ": corrupt map (string length " + n + ")");
        }
        String s = new String(b.array(), b.position(), n, StandardCharsets.UTF_8);
        b.position(b.position() + n);
        return s;
    }

    private static byte[] encode(Map<String, String> map) {
        Map<byte[], byte[]> bytes = new LinkedHashMap<>();
        int size = 4;
        for (Map.Entry<String, String> e : map.entrySet()) {
            byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
            byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
            bytes.put(k, v);
            size += 8 + k.length + v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(size).putInt(map.size());
        bytes.forEach((k, v) -> b.putInt(k.length).put(k).putInt(v.length).put(v));
        return b.array();
    }

    private void checkOpen() {
        if (file.isClosed()) {
            throw new IllegalStateException(SyncFile.describe(file.name) + " is closed");
        }
    }

    @Override
    public String toString() {
        return "SharedData[" + SyncFile.describe(file.name) + (file.isClosed() ? ", closed]" : ", version " + file.getInt(STATE_SEQ_OFFSET) + "]");
    }
}
