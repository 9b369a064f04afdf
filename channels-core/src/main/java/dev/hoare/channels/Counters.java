package dev.hoare.channels;

import dev.hoare.channels.internal.Counted;
import dev.hoare.channels.internal.CountersRegistry;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Counters files: a process's named channel ends ({@code Channel.builder().name(...)}, remote ends)
 * published in a memory-mapped file that other processes of the same user read, like Aeron's
 * counters file. A process publishes once it calls {@link #publish()} or, with the system property
 * {@code hoare.counters=true}, once it makes its first named end. {@link #read()} lists every
 * process's file of this user. docs/observability.md documents the layout; this class is its one
 * writer and reader.
 *
 * <pre>{@code
 * Channel<Order> orders = Channel.<Order>builder().capacity(64).name("orders").build();
 * Counters.publish();                                  // or -Dhoare.counters=true
 * // in any process of the same user:
 * for (Counters.Process p : Counters.read())
 *     for (ChannelStats s : p.channels()) System.out.println(p.pid() + " " + s.name() + " " + s.depth());
 * }</pre>
 *
 * <h2>Layout (version 1, little-endian)</h2>
 * <pre>
 * header, 128 bytes:
 *   0  long  magic        0x544E434552414F48 ("HOARECNT" as bytes)
 *   8  int   version      1
 *  12  int   slot size    256
 *  16  int   slot count
 *  20  int   unpublished  named ends that found no free slot at the last publish
 *  24  long  pid
 *  32  long  start time   the process's start, epoch milliseconds (0 if unknown)
 *  40  long  heartbeat    epoch milliseconds of the last publish
 *  48  long  interval     milliseconds between publishes
 * slot i at 128 + 256 * i:
 *   0  long  sequence     odd while the writer changes the slot, even when it is stable
 *   8  int   used         1: the slot holds an end; 0: free
 *  16  long  x 16         sent, received, depth, capacity, blockedSenders, blockedReceivers,
 *                         sendBlockedNanos, receiveBlockedNanos, framesOut, framesIn, bytesOut,
 *                         bytesIn, credits, peerPid, peerAlive, links  (ChannelStats order; -1 unknown)
 * 144  byte + 15          transport: length, then UTF-8
 * 160  short + 94         name: length, then UTF-8 (cut at 94 bytes)
 * </pre>
 * A reader never sees a torn slot: the writer makes the sequence odd, writes, makes it even again
 * (release stores); the reader reads the sequence (acquire), the slot, the sequence again, and
 * retries while they differ or are odd.
 *
 * <h2>Liveness</h2>
 * A file is its process's only while the process lives: the pid in the header must be alive with
 * the same start time (a reused pid is another process). A clean exit deletes the file (shutdown
 * hook); a killed process leaves it, readers report it dead, and {@link #cleanUp} (run when a
 * process starts publishing, and by {@code hoare top}) deletes it.
 */
public final class Counters {
    static final long MAGIC = 0x544E434552414F48L; // "HOARECNT" in little-endian bytes
    static final int VERSION = 1;
    static final int HEADER = 128;
    static final int SLOT = 256;
    static final int DEFAULT_SLOTS = 1024;
    static final long INTERVAL_MILLIS = 200;
    /** A heartbeat older than this many intervals marks a file stale (its process stopped publishing). */
    static final int STALE_INTERVALS = 25;
    private static final int FIELDS = 16;
    private static final int OFF_FIELDS = 16;
    private static final int OFF_TRANSPORT = 144;
    private static final int TRANSPORT_MAX = 15;
    private static final int OFF_NAME = 160;
    private static final int NAME_MAX = 94;

    /** Sequence words are 8-byte aligned (header and slots are multiples of 8), so they can be accessed atomically. */
    private static final VarHandle SEQ = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_ONLY_FILE = PosixFilePermissions.fromString("rw-------");

    private static final ReentrantLock START_LOCK = new ReentrantLock(); // start-up only
    private static volatile Counters published;

    private final Path path;
    private final ByteBuffer map;
    private final int slots;
    /** How many slots the previous publish used: the rest are already free. Publisher thread only. */
    private int usedBefore;

    private Counters(Path path, ByteBuffer map, int slots) {
        this.path = path;
        this.map = map;
        this.slots = slots;
    }

    // ---------------------------------------------------------------- directory

    /**
     * @return the per-user directory of counters files, made 0700 if missing: {@code hoare/counters}
     *     in {@code $XDG_RUNTIME_DIR}, else {@code hoare-<uid>/counters} in the temporary directory
     *     (the FIFO directory's rule)
     * @throws IOException if it cannot be made, or is not a private directory of this user
     */
    public static Path directory() throws IOException {
        long uid = uid();
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path base = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime, "hoare")
                : Path.of(System.getProperty("java.io.tmpdir"), "hoare-" + uid);
        privateDirectory(base, uid);
        return privateDirectory(base.resolve("counters"), uid);
    }

    private static Path privateDirectory(Path dir, long uid) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } catch (FileAlreadyExistsException raced) {
                // made meanwhile: checked below
            }
        }
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException(dir + " is not a directory; refusing to use it for counters files");
        }
        long owner = ((Number) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        if (owner != uid) {
            throw new IOException(dir + " belongs to uid " + owner + ", not to this user (" + uid + "); refusing it");
        }
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0077) != 0) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
        }
        return dir;
    }

    /** @return this process's effective uid (the owner of {@code /proc/self}) */
    private static long uid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    }

    // ---------------------------------------------------------------- publishing

    /**
     * Starts publishing this process's named ends (idempotent): makes the file, cleans up dead
     * processes' files, and starts the daemon thread {@code hoare-counters} that rewrites the slots
     * and the heartbeat every 200 ms.
     *
     * @return the file
     * @throws IOException if the directory or the file cannot be made
     */
    public static Path publish() throws IOException {
        Counters f = published;
        if (f != null) {
            return f.path;
        }
        START_LOCK.lock();
        try {
            if (published == null) {
                cleanUp();
                Counters file = create(directory(), Integer.getInteger("hoare.counters.slots", DEFAULT_SLOTS));
                file.publishOnce();
                published = file;
                Thread t = Thread.ofPlatform().daemon().name("hoare-counters").unstarted(file::run);
                t.start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        Files.deleteIfExists(file.path);
                    } catch (IOException ignored) {
                        // the next run's cleanUp removes it
                    }
                }, "hoare-counters-cleanup"));
            }
            return published.path;
        } finally {
            START_LOCK.unlock();
        }
    }

    /** @return the file this process publishes, if it does */
    public static Optional<Path> publishedFile() {
        Counters f = published;
        return f == null ? Optional.empty() : Optional.of(f.path);
    }

    private static Counters create(Path dir, int slots) throws IOException {
        long pid = ProcessHandle.current().pid();
        Path path = dir.resolve(pid + ".counters");
        Files.deleteIfExists(path); // a dead process with our pid left it (cleanUp judged it by start time)
        long size = HEADER + (long) SLOT * slots;
        try (FileChannel ch = FileChannel.open(path, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))) {
            MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_WRITE, 0, size); // a new file: zeros
            map.order(ByteOrder.LITTLE_ENDIAN);
            map.putInt(8, VERSION);
            map.putInt(12, SLOT);
            map.putInt(16, slots);
            map.putLong(24, pid);
            map.putLong(32, startMillis(ProcessHandle.current()));
            map.putLong(40, System.currentTimeMillis());
            map.putLong(48, INTERVAL_MILLIS);
            SEQ.setRelease(map, 0, MAGIC); // last: a reader that sees the magic sees the header
            return new Counters(path, map, slots);
        }
    }

    private void run() {
        for (;;) {
            try {
                Thread.sleep(INTERVAL_MILLIS);
                publishOnce();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.getLogger("dev.hoare.channels").log(System.Logger.Level.WARNING, "hoare-counters: publish failed", e);
            }
        }
    }

    /** Writes every live named end into the slots, in registry order, frees the rest, and beats. Publisher only. */
    void publishOnce() {
        List<Counted> ends = CountersRegistry.live();
        int n = Math.min(ends.size(), slots);
        for (int i = 0; i < n; i++) {
            writeSlot(i, ends.get(i).stats());
        }
        for (int i = n; i < usedBefore; i++) {
            freeSlot(i);
        }
        usedBefore = n;
        map.putInt(20, ends.size() - n);
        map.putLong(40, System.currentTimeMillis());
    }

    private void writeSlot(int i, ChannelStats s) {
        int base = HEADER + SLOT * i;
        long seq = (long) SEQ.getAcquire(map, base);
        SEQ.setRelease(map, base, seq + 1); // odd: being written
        VarHandle.storeStoreFence();
        map.putInt(base + 8, 1);
        long[] v = values(s);
        for (int f = 0; f < FIELDS; f++) {
            map.putLong(base + OFF_FIELDS + 8 * f, v[f]);
        }
        putString(base + OFF_TRANSPORT, s.transport(), TRANSPORT_MAX, false);
        putString(base + OFF_NAME, s.name(), NAME_MAX, true);
        SEQ.setRelease(map, base, seq + 2); // even: stable
    }

    private void freeSlot(int i) {
        int base = HEADER + SLOT * i;
        long seq = (long) SEQ.getAcquire(map, base);
        SEQ.setRelease(map, base, seq + 1);
        VarHandle.storeStoreFence();
        map.putInt(base + 8, 0);
        SEQ.setRelease(map, base, seq + 2);
    }

    private static long[] values(ChannelStats s) {
        return new long[] {s.sent(), s.received(), s.depth(), s.capacity(), s.blockedSenders(), s.blockedReceivers(),
                s.sendBlockedNanos(), s.receiveBlockedNanos(), s.framesOut(), s.framesIn(), s.bytesOut(), s.bytesIn(),
                s.credits(), s.peerPid(), s.peerAlive(), s.links()};
    }

    private void putString(int at, String s, int max, boolean shortLength) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        int len = Math.min(b.length, max);
        while (len > 0 && len < b.length && (b[len] & 0xC0) == 0x80) {
            len--; // do not cut a UTF-8 sequence
        }
        if (shortLength) {
            map.putShort(at, (short) len);
            map.put(at + 2, b, 0, len);
        } else {
            map.put(at, (byte) len);
            map.put(at + 1, b, 0, len);
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads every counters file of this user ({@link #directory()}), live and dead.
     *
     * @return one entry per file, by pid
     * @throws IOException if the directory cannot be made or listed
     */
    public static List<Process> read() throws IOException {
        return read(directory());
    }

    /**
     * One process's counters file as read now.
     *
     * @param file          the file
     * @param pid           the publishing process
     * @param startMillis   its start time (epoch milliseconds; 0 unknown)
     * @param heartbeat     the last publish (epoch milliseconds)
     * @param alive         whether that process (same pid and start time) is alive
     * @param stale         whether its heartbeat is older than 25 intervals (5 s)
     * @param unpublished   named ends that found no slot
     * @param channels      the ends, in slot order
     */
    public record Process(Path file, long pid, long startMillis, long heartbeat, boolean alive, boolean stale,
            int unpublished, List<ChannelStats> channels) {
        public Process {
            channels = List.copyOf(channels);
        }
    }

    /**
     * Reads every counters file in {@code dir} (files that are not counters files are skipped).
     *
     * @param dir a directory of counters files
     * @return one entry per file, by pid
     * @throws IOException if the directory cannot be listed
     */
    public static List<Process> read(Path dir) throws IOException {
        List<Process> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(p -> p.getFileName().toString().endsWith(".counters")).sorted().toList()) {
                try {
                    readFile(p).ifPresent(out::add);
                } catch (NoSuchFileException gone) {
                    // its process exited meanwhile
                } catch (IOException | RuntimeException unreadable) {
                    // not a counters file (or one being made): skip it
                }
            }
        }
        out.sort(java.util.Comparator.comparingLong(Process::pid));
        return out;
    }

    /**
     * Reads one counters file.
     *
     * @param file a counters file
     * @return its content, or empty if it is not (yet) a counters file of this version
     * @throws IOException if it cannot be read
     */
    public static Optional<Process> readFile(Path file) throws IOException {
        ByteBuffer map;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < HEADER || size > Integer.MAX_VALUE) {
                return Optional.empty();
            }
            map = ch.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN); // unmapped by the GC
        }
        if ((long) SEQ.getAcquire(map, 0) != MAGIC || map.getInt(8) != VERSION || map.getInt(12) != SLOT) {
            return Optional.empty();
        }
        int slots = map.getInt(16);
        if (slots < 0 || HEADER + (long) SLOT * slots > map.capacity()) {
            return Optional.empty();
        }
        long pid = map.getLong(24);
        long start = map.getLong(32);
        long interval = Math.max(1, map.getLong(48));
        List<ChannelStats> channels = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            ChannelStats s = readSlot(map, HEADER + SLOT * i);
            if (s != null) {
                channels.add(s);
            }
        }
        long heartbeat = map.getLong(40);
        boolean stale = System.currentTimeMillis() - heartbeat > STALE_INTERVALS * interval;
        return Optional.of(new Process(file, pid, start, heartbeat, alive(pid, start), stale, map.getInt(20), channels));
    }

    /** @return the slot's end, or {@code null} if free; retries while the writer is in it */
    private static ChannelStats readSlot(ByteBuffer map, int base) {
        for (int attempt = 0; ; attempt++) {
            long s1 = (long) SEQ.getAcquire(map, base);
            if ((s1 & 1) == 0) {
                boolean used = map.getInt(base + 8) == 1;
                long[] v = new long[FIELDS];
                String transport = "";
                String name = "";
                if (used) {
                    for (int f = 0; f < FIELDS; f++) {
                        v[f] = map.getLong(base + OFF_FIELDS + 8 * f);
                    }
                    transport = getString(map, base + OFF_TRANSPORT, TRANSPORT_MAX, false);
                    name = getString(map, base + OFF_NAME, NAME_MAX, true);
                }
                VarHandle.loadLoadFence();
                if ((long) SEQ.getAcquire(map, base) == s1) {
                    return used ? new ChannelStats(name, transport, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8],
                            v[9], v[10], v[11], v[12], v[13], v[14], v[15]) : null;
                }
            }
            if (attempt > 100) {
                Thread.yield(); // the writer was descheduled mid-slot
            } else {
                Thread.onSpinWait();
            }
        }
    }

    private static String getString(ByteBuffer map, int at, int max, boolean shortLength) {
        int len = shortLength ? map.getShort(at) & 0xFFFF : map.get(at) & 0xFF;
        len = Math.min(len, max);
        byte[] b = new byte[len];
        map.get(at + (shortLength ? 2 : 1), b, 0, len);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** @return whether {@code pid} is alive and started at {@code startMillis} (within a second; 0: not checked) */
    static boolean alive(long pid, long startMillis) {
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return false;
        }
        long start = startMillis(p.get());
        return startMillis == 0 || start == 0 || Math.abs(start - startMillis) < 1000;
    }

    private static long startMillis(ProcessHandle p) {
        return p.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    /**
     * Deletes the counters files of processes that are dead (by pid and start time) in this user's
     * directory.
     *
     * @return the files deleted
     * @throws IOException if the directory cannot be listed
     */
    public static List<Path> cleanUp() throws IOException {
        List<Path> deleted = new ArrayList<>();
        for (Process s : read(directory())) {
            if (!s.alive() && Files.deleteIfExists(s.file())) {
                deleted.add(s.file());
            }
        }
        return deleted;
    }
}
