package dev.hoare.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pid file for a program that must run once: {@link #acquire} makes this process the running
 * instance, or reports the pid of the one that is.
 *
 * <pre>{@code
 * try (PidFile pid = PidFile.acquire(Path.of("/run/user/1000/indexer.pid"))) {
 *     runTheIndexer();
 * } catch (PidFile.AlreadyRunningException e) {
 *     System.err.println("already running as pid " + e.pid());
 * }
 * }</pre>
 *
 * <p><b>Who runs.</b> The running instance is the process holding an exclusive lock
 * ({@code fcntl}, {@link FileChannel#lock}) on the file; the file also holds its pid in decimal
 * and a newline, for scripts ({@code kill $(cat indexer.pid)}). The kernel drops the lock when
 * its process dies, however it dies, so a dead owner's file is taken over by the next
 * {@link #acquire} (and its pid replaced) with no liveness guess and no race between two
 * newcomers: the lock decides. A taker checks, once it holds the lock and has written its pid,
 * that the path still names the file it locked (the owner may have removed it meanwhile, and a
 * newcomer made another), and starts again if not.
 *
 * <p><b>At exit.</b> {@link #close} removes the file, then releases the lock; a shutdown hook
 * does the same at a normal exit (or a SIGTERM/SIGINT). A SIGKILL leaves the file, with a pid
 * that is no longer running and no lock: the next instance takes it over.
 *
 * <p><b>Do not open the pid file in the process that holds it</b> (to read it, say): closing any
 * descriptor of a file drops every {@code fcntl} lock the process holds on it, and the next
 * instance would then start. {@link #running} and {@link #acquire} know this JVM's own pid files
 * and do not open them.
 *
 * <p>Local file systems only: {@code fcntl} locks over NFS depend on its lock daemon. The file is
 * made with mode 0600 (0644 would let other users read the pid; give the directory the access
 * you want).
 */
public final class PidFile implements AutoCloseable {
    /** Another live process is the running instance. */
    public static final class AlreadyRunningException extends IOException {
        private static final long serialVersionUID = 1L;
        private final long pid;

        AlreadyRunningException(Path path, long pid) {
            super(path + ": already running as pid " + (pid > 0 ? Long.toString(pid) : "(unknown: its file is empty)"));
            this.pid = pid;
        }

        /** @return the running instance's pid, or 0 if its file does not say (yet) */
        public long pid() {
            return pid;
        }
    }

    /**
     * Serializes this JVM's {@link #acquire}, {@link #running} and {@link #close}, and guards
     * {@link #HELD}: the pid files this JVM holds, which it must never open again (closing a
     * second descriptor would drop the lock).
     */
    private static final ReentrantLock JVM = new ReentrantLock();
    private static final Set<Path> HELD = new HashSet<>();

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;
    private final Thread hook;
    private boolean closed;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
        this.hook = new Thread(this::close, "hoare-pidfile-" + path.getFileName());
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Makes this process the running instance: takes the file's lock and writes this pid.
     *
     * @param path the pid file
     * @return the held pid file; close it (or exit) to remove it
     * @throws AlreadyRunningException if a live process holds it (this one included, through
     *     another {@code PidFile})
     * @throws IOException if the file cannot be made, opened or written
     */
    public static PidFile acquire(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        path = path.toAbsolutePath().normalize();
        JVM.lock();
        try {
            if (HELD.contains(path)) {
                throw new AlreadyRunningException(path, ProcessHandle.current().pid());
            }
            PidFile held = take(path);
            HELD.add(path);
            return held;
        } finally {
            JVM.unlock();
        }
    }

    /** Takes the file's lock and writes this pid; must be called holding {@link #JVM}, for a path this JVM does not hold. */
    private static PidFile take(Path path) throws IOException {
        for (;;) {
            FileChannel channel = FileChannel.open(path, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException thisProcess) {
                channel.close();
                throw new AlreadyRunningException(path, ProcessHandle.current().pid());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            if (lock == null) {
                long pid = readPid(channel);
                channel.close();
                throw new AlreadyRunningException(path, pid);
            }
            try {
                byte[] line = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
                channel.truncate(0);
                channel.write(ByteBuffer.wrap(line), 0);
                channel.force(false);
                if (!stillNamed(path)) { // removed by its closing owner after our open: try again
                    channel.close();
                    continue;
                }
                return new PidFile(path, channel, lock);
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        }
    }

    /**
     * @param path a pid file
     * @return the pid of the live process holding it, or empty if none does (no file, or its
     *     owner is dead); the pid may be unknown (0) for the instant between a taker's lock and
     *     its write
     * @throws IOException if the file cannot be read
     */
    public static OptionalLong running(Path path) throws IOException {
        path = path.toAbsolutePath().normalize();
        JVM.lock();
        try {
            return HELD.contains(path) ? OptionalLong.of(ProcessHandle.current().pid()) : look(path);
        } finally {
            JVM.unlock();
        }
    }

    private static OptionalLong look(Path path) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException none) {
            return OptionalLong.empty();
        }
        try (channel) {
            FileLock probe;
            try {
                probe = channel.tryLock();
            } catch (OverlappingFileLockException thisProcess) {
                return OptionalLong.of(ProcessHandle.current().pid());
            }
            if (probe != null) {
                probe.release();
                return OptionalLong.empty();
            }
            return OptionalLong.of(readPid(channel));
        }
    }

    /**
     * Reads the holder's pid; it writes it right after taking the lock, so an empty file is
     * looked at again for up to a second.
     */
    private static long readPid(FileChannel channel) throws IOException {
        long deadline = System.nanoTime() + 1_000_000_000L;
        while (true) {
            ByteBuffer b = ByteBuffer.allocate(32);
            int n = channel.read(b, 0);
            String s = n <= 0 ? "" : new String(b.array(), 0, n, StandardCharsets.US_ASCII);
            int nl = s.indexOf('\n');
            if (nl > 0) {
                try {
                    return Long.parseLong(s.substring(0, nl).trim());
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                return 0;
            }
            LockSupport.parkNanos(1_000_000L);
        }
    }

    /**
     * Whether the path still names a file this process has open, that is the one it just
     * locked: an owner that closed meanwhile removed the file we opened, and a newcomer may have
     * made another under the name. Looks with {@code stat} at the path and at this process's
     * open files ({@code /proc/self/fd}), never opening the file: closing any descriptor of a
     * file drops every {@code fcntl} lock this process holds on it. Where there is no
     * {@code /proc}, it cannot tell and says yes.
     */
    private static boolean stillNamed(Path path) throws IOException {
        Object key;
        try {
            key = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
        } catch (NoSuchFileException gone) {
            return false;
        }
        Path fds = Path.of("/proc/self/fd");
        if (key == null || !Files.isDirectory(fds)) {
            return true;
        }
        try (var open = Files.list(fds)) {
            return open.anyMatch(fd -> {
                try {
                    return key.equals(Files.readAttributes(fd, BasicFileAttributes.class).fileKey());
                } catch (IOException | RuntimeException closedMeanwhile) {
                    return false;
                }
            });
        }
    }

    /** @return the pid file's path */
    public Path path() {
        return path;
    }

    /** Removes the file, then releases the lock (in that order, so that no newcomer locks a file about to go); idempotent. */
    @Override
    public void close() {
        JVM.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            release();
            HELD.remove(path);
        } finally {
            JVM.unlock();
        }
    }

    private void release() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException exiting) {
            // called by the hook itself, or during shutdown
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // leave it: the next instance takes it over, the lock being gone
        }
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // the process's exit releases it anyway
        }
    }
}
