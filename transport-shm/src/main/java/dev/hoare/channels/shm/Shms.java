package dev.hoare.channels.shm;

import dev.hoare.channels.link.LocalNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import jnr.posix.FileStat;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * Where {@code shm:} rings live, and removing them. A logical name ({@code shm:prices}) is a file
 * in the per-user directory {@code /dev/shm/hoare-<uid>} (memory, gone at reboot), or
 * {@code hoare-shm-<uid>} in the system temporary directory where there is no {@code /dev/shm};
 * the directory is created 0700 and must be this user's with no group or other access. Names
 * are 1-100 characters of {@code [A-Za-z0-9._-]} starting with a letter or digit. An absolute
 * path puts a ring anywhere this user trusts, such as on a disk (see the durable mode in
 * docs/shm.md): {@link #checkOwner} says which.
 */
public final class Shms {
    private static final POSIX POSIX = POSIXFactory.getNativePOSIX();

    private Shms() {
    }

    /**
     * @return the per-user directory of named rings (created 0700 if missing)
     * @throws IOException if it cannot be created, or is not this user's private directory
     */
    public static Path directory() throws IOException {
        int uid = POSIX.geteuid();
        Path dir = Files.isDirectory(Path.of("/dev/shm")) ? Path.of("/dev/shm", "hoare-" + uid)
                : Path.of(System.getProperty("java.io.tmpdir"), "hoare-shm-" + uid);
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            try {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException raced) {
                // made meanwhile by another process: checked below
            }
        }
        FileStat st = POSIX.lstat(dir.toString());
        if (!st.isDirectory() || st.uid() != uid || (st.mode() & 0077) != 0) {
            throw new IOException(dir + " is not a private directory of this user (uid " + uid + "); refusing to put rings there");
        }
        return dir;
    }

    /**
     * @param name a logical name, or an absolute path
     * @return the ring's file
     * @throws IllegalArgumentException for an invalid name (nothing is created)
     * @throws IOException if the directory cannot be made
     */
    public static Path path(String name) throws IOException {
        return LocalNames.resolve("shm", name, Shms::directory);
    }

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_ISVTX = 01000;

    /**
     * Refuses a ring this user must not trust: a file there that is not a regular file (a FIFO,
     * a device, a symbolic link) or belongs to another uid, or a directory that belongs to
     * another uid than this user's or root's, or that others may write to without the sticky bit
     * (they could swap the ring under us). Called before a ring is created or opened, and again
     * after it is opened. A missing file is fine (it is about to be created, in a checked
     * directory).
     *
     * @param ring the ring's file
     * @throws IOException saying what is refused and why
     */
    public static void checkOwner(Path ring) throws IOException {
        int uid = POSIX.geteuid();
        Path dir = ring.toAbsolutePath().getParent();
        if (dir != null) {
            FileStat d = POSIX.allocateStat();
            if (POSIX.lstat(dir.toString(), d) == 0) { // a missing directory fails later, at the open
                if (d.uid() != uid && d.uid() != 0) {
                    throw new IOException("shm:" + ring + ": its directory " + dir + " belongs to uid " + d.uid()
                            + ", not to this user (" + uid + ") nor root; refusing it");
                }
                if ((d.mode() & 0022) != 0 && (d.mode() & S_ISVTX) == 0 && d.uid() != uid) {
                    throw new IOException(String.format("shm:%s: its directory %s has mode %04o: others may replace the ring;"
                            + " refusing it", ring, dir, d.mode() & 07777));
                }
            }
        }
        FileStat st = POSIX.allocateStat();
        if (POSIX.lstat(ring.toString(), st) != 0) {
            return;
        }
        if ((st.mode() & S_IFMT) != S_IFREG) {
            throw new IOException("shm:" + ring + " exists and is not a regular file (a ring is one); refusing it");
        }
        if (st.uid() != uid) {
            throw new IOException("shm:" + ring + " belongs to uid " + st.uid() + ", not to this user (" + uid + "); refusing it");
        }
    }

    /**
     * Opens the durable queue of an existing ring, to count, drop or remove the values waiting in
     * it without being its reader: {@link ShmQueue#open}.
     *
     * @param name a logical name or an absolute path
     * @return the queue's handle (close it)
     * @throws IllegalArgumentException for an invalid name
     * @throws java.nio.file.NoSuchFileException if there is no ring of that name
     * @throws IOException if the file is not a ring this library reads, or not this user's
     */
    public static ShmQueue queue(String name) throws IOException {
        return ShmQueue.open(name);
    }

    /**
     * Removes a ring's file (a stale one, left by processes that are gone) whatever uses it; see
     * {@link ShmQueue#remove} for a removal refused while a reader is alive.
     *
     * @param name a logical name or an absolute path
     * @return whether there was one
     * @throws IOException if it cannot be removed
     */
    public static boolean remove(String name) throws IOException {
        return Files.deleteIfExists(path(name));
    }
}
