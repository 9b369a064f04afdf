package dev.hoare.examples.cli;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.ShmQueue;
import dev.hoare.channels.shm.Shms;
import dev.hoare.channels.spi.Endpoint;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code hoare rm NAME|URI [--force]}: removes a FIFO (with its writers' lock file), a socket or a
 * ring (a durable queue: the values waiting in it go too, and the line says how many if any), not one in
 * use unless forced. It takes what send and recv take ({@code fifo:orders},
 * {@code shm:/dev/shm/x}, {@code uds:/tmp/x.sock}; the scheme limits the look to that transport,
 * options after {@code ?} are ignored), a plain NAME (both the FIFO and the ring of that name) or
 * an absolute path. Each file removed is one line ("removed fifo PATH", "removed shm PATH"); one
 * it may not remove fails the command (exit 1) after the others were removed. It removes only what Hoare makes: a ring whose header it
 * recognises, and a FIFO or socket that is this user's and owner-only (0600, as Hoare creates
 * them). Anything else, a regular file that is no ring or a lone {@code .lock} file among them,
 * is "not a Hoare channel; left alone", with or without {@code --force}.
 */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Removes a Hoare FIFO, socket or ring, unless it is in use.",
                "NAME: a URI as send and recv take (fifo:orders, shm:orders, uds:/tmp/app/in.sock; options after"
                        + " '?' are ignored), a name in this user's directories (both the FIFO and the ring of that"
                        + " name), or an absolute path. Says which it removed, one line each. Refuses while the owner"
                        + " is alive (a ring's reader, a process holding the FIFO or socket) unless --force. Never"
                        + " removes a file Hoare did not make: a ring it does not recognise, any other regular file,"
                        + " a FIFO or socket of another user or not owner-only."})
final class RmCommand implements Callable<Integer> {
    /** Group and other permission bits: Hoare's FIFOs and sockets have none (0600). */
    private static final int GROUP_OTHER = 0077;

    @Parameters(index = "0", paramLabel = "NAME", description = {"fifo:NAME, shm:NAME, uds:/path, ..., a name", "or an absolute path"})
    String name;

    @Option(names = "--force", description = "remove it even while its owner is alive")
    boolean force;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Set<Path> candidates = new LinkedHashSet<>(Hoare.usage(spec, () -> candidates(name))); // a bad one: nothing touched
        candidates.removeIf(p -> !Files.exists(p, LinkOption.NOFOLLOW_LINKS));
        if (candidates.isEmpty()) {
            throw new NoSuchFileException(name + " (no FIFO, socket or ring of that name)");
        }
        Procs procs = Procs.scan();
        List<String> refused = new ArrayList<>();
        for (Path p : candidates) {
            Entry e = Entry.of(p, procs);
            String foreign = e == null ? "it is not a FIFO, socket or ring" : notHoares(e);
            if (foreign != null) {
                refused.add(p + ": not a Hoare channel; left alone (" + foreign + ")");
            } else if (e.inUse() && !force) {
                refused.add(p + " is in use (" + e.kind() + ", owner " + e.ownerColumn() + "); --force removes it anyway");
            } else {
                String dropped = "";
                switch (e.kind()) {
                    case "fifo" -> Fifos.remove(p.toString()); // and its writers' lock file
                    case "shm" -> {
                        String waiting = Entry.values(p); // a durable queue's waiting values go with it: say how many
                        dropped = waiting.startsWith("0 ") || waiting.startsWith("?") ? "" : " (" + waiting + " dropped)";
                        if (!removeQueue(p, force)) {
                            refused.add(p + " is in use (a reader opened it meanwhile); --force removes it anyway");
                            continue;
                        }
                    }
                    default -> Files.delete(p);
                }
                out.println("removed " + e.kind() + " " + p + dropped);
            }
        }
        out.flush();
        if (!refused.isEmpty()) {
            throw new IOException(String.join("; ", refused));
        }
        return 0;
    }

    /**
     * Removes a ring: unless forced, as {@link ShmQueue#remove} does, holding the reader's slot so
     * that no reader registers while the file goes.
     *
     * @return {@code false} if a reader is alive (it registered after the look that found none)
     */
    private static boolean removeQueue(Path ring, boolean force) throws IOException {
        if (force) {
            Files.delete(ring);
            return true;
        }
        try (ShmQueue queue = ShmQueue.open(ring.toString())) {
            queue.remove();
            return true;
        } catch (IllegalStateException alive) {
            return false;
        }
    }

    /**
     * The files {@code arg} may name: a URI's one file, a plain name's FIFO and ring, an absolute path.
     *
     * @throws IllegalArgumentException for a bad name, a scheme without files or a relative socket path
     */
    static List<Path> candidates(String arg) throws IOException {
        java.util.regex.Matcher uri = java.util.regex.Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*):.*").matcher(arg);
        if (!uri.matches() || arg.startsWith("/")) {
            return List.of(Fifos.path(arg), Shms.path(arg)); // validates the name
        }
        Endpoint e = Endpoint.parse(URI.create(arg));
        return switch (e.scheme()) {
            case "fifo" -> List.of(Fifos.path(e.address()));
            case "shm" -> List.of(Shms.path(e.address()));
            case "uds" -> {
                Path p = Path.of(e.address());
                if (!p.isAbsolute()) {
                    throw new IllegalArgumentException("a uds: path is absolute, was " + e.address());
                }
                yield List.of(p);
            }
            default -> throw new IllegalArgumentException(
                    "'" + e.scheme() + ":' has no files to remove; rm takes fifo:, shm: and uds: URIs, names and paths");
        };
    }

    /**
     * Whether an entry is something Hoare makes.
     *
     * @return why it is not, or {@code null} if it is
     */
    static String notHoares(Entry e) throws IOException {
        switch (e.kind()) {
            case "shm":
            case "semaphore":
            case "mutex":
            case "event":
            case "data":
                return null; // its header was recognised
            case "fifo":
            case "socket":
                int uid = (Integer) Files.getAttribute(e.path(), "unix:uid", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) Files.getAttribute(e.path(), "unix:mode", LinkOption.NOFOLLOW_LINKS);
                int me = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
                if (uid != me) {
                    return "a " + e.kind() + " of uid " + uid + ", not of this user (uid " + me + ")";
                }
                if ((mode & GROUP_OTHER) != 0) {
                    return String.format("a %s with mode %04o; Hoare makes them 0600", e.kind(), mode & 07777);
                }
                return null;
            case "lock":
                return "a lock file whose FIFO is gone";
            default:
                return "a " + e.kind() + " that is no ring Hoare recognises: " + e.details();
        }
    }
}
