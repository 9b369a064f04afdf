package dev.hoare.channels.fifo;

import java.io.IOException;
import java.nio.file.Path;
import jnr.constants.platform.Errno;
import jnr.constants.platform.OpenFlags;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/** The few POSIX calls the JDK lacks (mkfifo, a non-blocking open, kill 0), through JNR-POSIX. */
final class Posix {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private Posix() {
    }

    /** mkfifo(2) with mode 0600; {@code false} if something already exists at the path. */
    static boolean mkfifo(Path path) throws IOException {
        if (POSIX.mkfifo(path.toString(), 0600) == 0) {
            return true;
        }
        int errno = POSIX.errno();
        if (errno == Errno.EEXIST.intValue()) {
            return false;
        }
        throw new IOException("mkfifo " + path + " failed: " + describe(errno));
    }

    /** lstat(2), or {@code null} if nothing is there. */
    static FileStat lstat(Path path) throws IOException {
        FileStat stat = POSIX.allocateStat();
        if (POSIX.lstat(path.toString(), stat) == 0) {
            return stat;
        }
        int errno = POSIX.errno();
        if (errno == Errno.ENOENT.intValue()) {
            return null;
        }
        throw new IOException("lstat " + path + " failed: " + describe(errno));
    }

    static int euid() {
        return POSIX.geteuid();
    }

    /**
     * Opens a FIFO without blocking and closes it again at once: wakes a thread of this process
     * blocked opening the other end (its partner has arrived).
     *
     * @param write open the writing end (the blocked thread opens for reading), else the reading end
     */
    static void touchOtherEnd(Path fifo, boolean write) {
        int flags = (write ? OpenFlags.O_WRONLY.intValue() : OpenFlags.O_RDONLY.intValue()) | OpenFlags.O_NONBLOCK.intValue();
        int fd = POSIX.open(fifo.toString(), flags, 0);
        if (fd >= 0) {
            POSIX.close(fd);
        }
    }

    /** @return whether a process with this pid exists (kill 0; EPERM means it exists) */
    static boolean alive(long pid) {
        return POSIX.kill(pid, 0) == 0 || POSIX.errno() == Errno.EPERM.intValue();
    }

    private static String describe(int errno) {
        Errno e = Errno.valueOf(errno);
        return e == null ? "errno " + errno : e.name() + " (" + e.description() + ")";
    }
}
