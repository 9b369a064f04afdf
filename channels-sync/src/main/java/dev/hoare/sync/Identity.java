package dev.hoare.sync;

import dev.hoare.channels.shm.ShmRing;

/**
 * A process's identity as the shared files record it: its pid in the low 32 bits and the low 32
 * bits of its start time ({@link ShmRing#startTime}) in the high ones, so one 64-bit
 * compare-and-set installs both, and a pid reused by a later process is not taken for the
 * holder it replaced. {@code 0} is nobody.
 */
final class Identity {
    private Identity() {
    }

    /** This process. */
    static final long SELF = of(ProcessHandle.current().pid(), ShmRing.startTime(ProcessHandle.current().pid()));

    static long of(long pid, long startTime) {
        return (startTime & 0xFFFF_FFFFL) << 32 | (pid & 0xFFFF_FFFFL);
    }

    /** @return the pid an identity carries */
    static int pid(long identity) {
        return (int) identity;
    }

    /**
     * @param identity a recorded identity, not 0
     * @return whether that process is this one or still running (its pid alive with the same
     *     start time); a process of another PID namespace looks dead
     */
    static boolean alive(long identity) {
        if (identity == SELF) {
            return true;
        }
        long now = System.nanoTime();
        Long seen = SEEN_ALIVE.get(identity);
        if (seen != null && now - seen < FRESH_NANOS) {
            return true;
        }
        long start = ShmRing.startTime(pid(identity));
        boolean alive = start >= 0 && of(pid(identity), start) == identity;
        if (alive) {
            if (SEEN_ALIVE.size() >= 4096) {
                SEEN_ALIVE.clear(); // a bound, not an eviction policy: entries are cheap to make again
            }
            SEEN_ALIVE.put(identity, now);
        } else {
            SEEN_ALIVE.remove(identity);
        }
        return alive;
    }

    /**
     * How long a look that found a process alive is trusted: looking is a read of
     * {@code /proc/PID/stat} (some 10-30 us), and a contended semaphore would otherwise look at
     * every holder on every acquire that finds no permit free. A dead process is found dead at
     * most this long after its death (and never taken for alive before it dies).
     */
    static final long FRESH_NANOS = 100_000_000L;
    /** Identities found alive, and when (nanoTime). */
    private static final java.util.concurrent.ConcurrentHashMap<Long, Long> SEEN_ALIVE = new java.util.concurrent.ConcurrentHashMap<>();
}
