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
        long start = ShmRing.startTime(pid(identity));
        return start >= 0 && of(pid(identity), start) == identity;
    }
}
