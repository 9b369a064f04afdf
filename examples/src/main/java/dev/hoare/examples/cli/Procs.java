package dev.hoare.examples.cli;

import dev.hoare.channels.uds.UnixChannels;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which processes hold a file, as {@code lsof} finds out on Linux: open descriptors
 * ({@code /proc/PID/fd}), mappings ({@code /proc/PID/maps}) and Unix sockets' inodes
 * ({@code /proc/net/unix}). Processes this user may not look into are left out.
 */
final class Procs {
    /** What each open descriptor of each process points to: a path, or {@code socket:[INODE]}. */
    private final Map<String, Set<Long>> open = new HashMap<>();
    private final Map<String, Set<Long>> mapped = new HashMap<>();
    /** A bound Unix socket's path, to its inode's {@code socket:[INODE]} names. */
    private final Map<String, Set<String>> sockets = new HashMap<>();

    private Procs() {
    }

    /** @return a look at every process now */
    static Procs scan() {
        Procs p = new Procs();
        try (DirectoryStream<Path> all = Files.newDirectoryStream(Path.of("/proc"), d -> d.getFileName().toString().matches("\\d+"))) {
            for (Path proc : all) {
                long pid = Long.parseLong(proc.getFileName().toString());
                p.readFds(proc, pid);
                p.readMaps(proc, pid);
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux): nothing known
        }
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/unix"));
            for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) { // after the heading
                String[] f = line.trim().split("\\s+");
                if (f.length >= 8) {
                    p.sockets.computeIfAbsent(f[7], k -> new TreeSet<>()).add("socket:[" + f[6] + "]");
                }
            }
        } catch (IOException | RuntimeException e) {
            // no such file (not Linux): no sockets known
        }
        return p;
    }

    private void readFds(Path proc, long pid) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve("fd"))) {
            for (Path fd : fds) {
                try {
                    open.computeIfAbsent(Files.readSymbolicLink(fd).toString(), k -> new TreeSet<>()).add(pid);
                } catch (IOException | RuntimeException closedMeanwhile) {
                    // the descriptor went away while we looked
                }
            }
        } catch (IOException | RuntimeException notOurs) {
            // another user's process, or gone
        }
    }

    private void readMaps(Path proc, long pid) {
        try {
            List<String> lines = Files.readAllLines(proc.resolve("maps"));
            for (String line : lines) {
                int slash = line.indexOf('/');
                if (slash > 0) {
                    mapped.computeIfAbsent(line.substring(slash), k -> new TreeSet<>()).add(pid);
                }
            }
        } catch (IOException | RuntimeException notOurs) {
            // another user's process, or gone
        }
    }

    /** @return the processes that have {@code file} open or mapped (a FIFO, a ring), or a socket bound at it */
    Set<Long> holders(Path file) {
        String path = file.toAbsolutePath().toString();
        Set<Long> pids = new TreeSet<>();
        pids.addAll(open.getOrDefault(path, Set.of()));
        pids.addAll(mapped.getOrDefault(path, Set.of()));
        for (String socket : sockets.getOrDefault(path, Set.of())) {
            pids.addAll(open.getOrDefault(socket, Set.of()));
        }
        if (pids.isEmpty() && !sockets.isEmpty()) { // a socket a Hoare server renamed into place
            java.util.regex.Pattern boundAt = UnixChannels.boundAt(file);
            sockets.forEach((bound, inodes) -> {
                if (boundAt.matcher(bound).matches()) {
                    inodes.forEach(socket -> pids.addAll(open.getOrDefault(socket, Set.of())));
                }
            });
        }
        return pids;
    }
}
