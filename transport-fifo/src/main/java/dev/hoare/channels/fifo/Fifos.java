package dev.hoare.channels.fifo;

import dev.hoare.channels.link.LocalNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import jnr.posix.FileStat;

/**
 * Named pipes for {@code fifo:} channels: where they live, and creating and removing them.
 *
 * <p>A logical name ({@code fifo:orders}) lives in the per-user directory
 * {@code $XDG_RUNTIME_DIR/hoare}, or {@code hoare-<uid>} in the system temporary directory,
 * created with mode 0700 (an existing one must be a directory of this user with no group or
 * other access). Names are 1-100 characters of {@code [A-Za-z0-9._-]} starting with a letter or
 * digit: no {@code /}, no {@code ..}, no NUL. A FIFO is created with mode 0600; an existing file
 * that is not a FIFO, belongs to another user, or is open to group or others, is refused.
 */
public final class Fifos {
    private static final Set<PosixFilePermission> OWNER_ONLY_DIR = PosixFilePermissions.fromString("rwx------");
    private static final int S_IFMT = 0170000;
    private static final int S_IFIFO = 0010000;

    private Fifos() {
    }

    /**
     * @return the per-user directory of named FIFOs (created 0700 if missing)
     * @throws IOException if it cannot be created, or exists but is not this user's private directory
     */
    public static Path directory() throws IOException {
        String runtime = System.getenv("XDG_RUNTIME_DIR");
        Path dir = runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))
                ? Path.of(runtime, "hoare")
                : Path.of(System.getProperty("java.io.tmpdir"), "hoare-" + Posix.euid());
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // another process made it: checked below
            }
        }
        FileStat st = Posix.lstat(dir);
        if (st == null || !st.isDirectory()) {
            throw new IOException(dir + " is not a directory; refusing to use it for FIFOs");
        }
        if (st.uid() != Posix.euid()) {
            throw new IOException(dir + " belongs to uid " + st.uid() + ", not to this user (" + Posix.euid() + "); refusing it");
        }
        if ((st.mode() & 0077) != 0) {
            Files.setPosixFilePermissions(dir, OWNER_ONLY_DIR);
        }
        return dir;
    }

    /**
     * @param name a logical name, or an absolute path
     * @return where the FIFO is: the path itself, or the name in {@link #directory()}
     * @throws IllegalArgumentException for a name that is not valid (nothing is created)
     * @throws IOException if the directory cannot be made
     */
    public static Path path(String name) throws IOException {
        return LocalNames.resolve("FIFO", name, Fifos::directory);
    }

    /**
     * @param name a logical FIFO name
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static void validate(String name) {
        LocalNames.validate("FIFO", name);
    }

    /**
     * Creates the FIFO for a name (or absolute path) if it does not exist, mode 0600.
     *
     * @param name a logical name or an absolute path
     * @return its path
     * @throws IllegalArgumentException for an invalid name
     * @throws IOException if it cannot be created, or what exists there is refused (see the class comment)
     */
    public static Path create(String name) throws IOException {
        Path p = path(name);
        Posix.mkfifo(p);
        check(p);
        return p;
    }

    /**
     * Removes the FIFO of a name (or absolute path), and its writers' lock file.
     *
     * @param name a logical name or an absolute path
     * @return {@code true} if there was one
     * @throws IllegalArgumentException for an invalid name
     * @throws IOException if what is there is not a FIFO of this user (it is left alone)
     */
    public static boolean remove(String name) throws IOException {
        Path p = path(name);
        if (Posix.lstat(p) == null) {
            Files.deleteIfExists(FifoLink.lockFile(p));
            return false;
        }
        check(p);
        Files.deleteIfExists(FifoLink.lockFile(p));
        return Files.deleteIfExists(p);
    }

    /** Refuses a path that is not a FIFO of this user, private to it. */
    static void check(Path p) throws IOException {
        FileStat st = Posix.lstat(p);
        if (st == null) {
            throw new java.nio.file.NoSuchFileException(p.toString(), null, "no FIFO there");
        }
        if ((st.mode() & S_IFMT) != S_IFIFO) {
            throw new IOException(p + " exists and is not a FIFO; refusing it");
        }
        if (st.uid() != Posix.euid()) {
            throw new IOException("FIFO " + p + " belongs to uid " + st.uid() + ", not to this user (" + Posix.euid() + "); refusing it");
        }
        if ((st.mode() & 0077) != 0) {
            throw new IOException(String.format("FIFO %s has mode %04o: open to group or others; refusing it (Hoare uses 0600)",
                    p, st.mode() & 07777));
        }
    }
}
