package dev.hoare.examples.cli;

import dev.hoare.channels.shm.ShmQueue;
import dev.hoare.channels.shm.ShmRing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * One Hoare file as {@code hoare ls} shows it: a FIFO, a socket, a shared-memory ring or a
 * synchronization file (semaphore, mutex, event, data: module channels-sync), the
 * processes holding it, and whether its owner is alive. The owner of a ring is its reader (pid in
 * its header); of a FIFO or a socket, any process holding it.
 */
record Entry(String kind, Path path, Set<Long> holders, Long owner, boolean ownerAlive, String details) {
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFSOCK = 0140000;

    /** @return the entry, or {@code null} for a file that is none of Hoare's */
    static Entry of(Path path, Procs procs) {
        int mode;
        try {
            mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | RuntimeException e) {
            return null;
        }
        Set<Long> holders = procs.holders(path);
        String name = path.getFileName().toString();
        if (name.endsWith(".lock") && (mode & S_IFMT) != S_IFIFO) { // a FIFO's writers' lock file
            Path fifo = path.resolveSibling(name.substring(0, name.length() - ".lock".length()));
            return Files.exists(fifo, LinkOption.NOFOLLOW_LINKS) ? null
                    : new Entry("lock", path, holders, null, !holders.isEmpty(), "the writers' lock of a FIFO that is gone");
        }
        return switch (mode & S_IFMT) {
            case S_IFIFO -> new Entry("fifo", path, holders, null, !holders.isEmpty(),
                    holders.isEmpty() ? "no process has it open" : "open by " + pids(holders));
            case S_IFSOCK -> new Entry("socket", path, holders, null, !holders.isEmpty(),
                    holders.isEmpty() ? "no process listens" : "held by " + pids(holders));
            default -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS) ? ring(path, holders) : null;
        };
    }

    private static Entry ring(Path path, Set<Long> holders) {
        try {
            var sync = dev.hoare.sync.SyncFiles.describe(path); // a Semaphore, Mutex, Event or SharedData
            if (sync.isPresent()) {
                var d = sync.get();
                return new Entry(d.kind(), path, holders, d.ownerPid() == 0 ? null : d.ownerPid(), d.ownerAlive(), d.details());
            }
        } catch (IOException | RuntimeException e) {
            return new Entry("file", path, holders, null, false, Hoare.oneLine(e));
        }
        try (ShmRing ring = ShmRing.open(path)) {
            int slot = ring.consumerPid();
            long reader = Math.abs((long) slot); // negative: a process holding the slot to clear the queue
            boolean alive = ring.consumerAlive(); // its pid and start time: a reused pid is not the reader
            String heartbeat = ago(ring.lastHeartbeat());
            String writersBeat = ago(ring.lastWriterHeartbeat());
            Set<Long> writers = holders.stream().filter(p -> p != reader).collect(Collectors.toCollection(java.util.TreeSet::new));
            String details = String.format("%s ring, %s queued (%s, %.1f%%), heartbeats: reader %s, writers %s; %s%s%s",
                    bytes(ring.capacity()), values(path), bytes(ring.depth()), 100.0 * ring.depth() / ring.capacity(), heartbeat,
                    writersBeat, writers.isEmpty() ? "no writer" : "writers " + pids(writers), ring.isClosed() ? ", closed" : "",
                    slot < 0 ? ", being cleared" : "");
            return new Entry("shm", path, holders, reader == 0 ? null : reader, alive, details);
        } catch (IOException | RuntimeException e) {
            return new Entry("file", path, holders, null, false, Hoare.oneLine(e));
        }
    }

    /** @return how many values wait in a ring ({@link ShmQueue#size}: "1 value", "3 values"), or "? values" if it cannot tell */
    static String values(Path ring) {
        try (ShmQueue queue = ShmQueue.open(ring.toString())) {
            long n = queue.size();
            return n + (n == 1 ? " value" : " values");
        } catch (IOException | RuntimeException e) {
            return "? values";
        }
    }

    /** @return whether some process still uses it (its owner is alive, or, with no owner known, a holder exists) */
    boolean inUse() {
        return ownerAlive || (owner == null && !holders.isEmpty());
    }

    String ownerColumn() {
        if (owner != null) {
            return owner + (ownerAlive ? " alive" : " dead");
        }
        return holders.isEmpty() ? "- stale" : pids(holders) + " alive";
    }

    private static String pids(Set<Long> pids) {
        return pids.stream().map(String::valueOf).collect(Collectors.joining(","));
    }

    /** @return how long ago a heartbeat (milliseconds since the epoch, 0: none) was */
    private static String ago(long epochMillis) {
        if (epochMillis == 0) {
            return "never";
        }
        Duration d = Duration.between(Instant.ofEpochMilli(epochMillis), Instant.now());
        return d.toMillis() < 10_000 ? String.format("%.1f s ago", d.toMillis() / 1000.0) : d.toSeconds() + " s ago";
    }

    static String bytes(long n) {
        return n >= 1 << 20 && n % (1 << 20) == 0 ? n / (1 << 20) + " MiB"
                : n >= 1 << 10 && n % (1 << 10) == 0 ? n / (1 << 10) + " KiB" : n + " B";
    }
}
