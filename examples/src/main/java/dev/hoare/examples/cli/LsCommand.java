package dev.hoare.examples.cli;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoare ls [DIR]}: Hoare's FIFOs, sockets and rings, like {@code ipcs}. */
@Command(name = "ls", mixinStandardHelpOptions = true,
        description = {"Lists Hoare's FIFOs, sockets and shared-memory rings, like ipcs.",
                "In DIR, or in this user's directories of named FIFOs and rings. OWNER: a ring's reader (pid, alive"
                        + " or dead), or the processes holding a FIFO or socket ('stale': none). Rings also show their"
                        + " capacity, the values queued (a durable ring keeps them when its processes are gone) and"
                        + " their bytes, the reader's heartbeat, the writers mapping them and whether closed."})
final class LsCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = {"a directory (default: the per-user FIFO and", "ring directories)"})
    Path dir;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Set<Path> dirs = dir == null ? defaultDirectories() : Set.of(dir);
        List<Entry> entries = list(dirs);
        if (entries.isEmpty()) {
            out.println("no Hoare FIFOs, sockets or rings in " + (dir == null ? dirs : dir));
            return 0;
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"KIND", "OWNER", "NAME", "DETAILS"});
        for (Entry e : entries) {
            Path shown = dir == null ? e.path().getFileName() : e.path();
            rows.add(new String[] {e.kind(), e.ownerColumn(), shown.toString(), e.details()});
        }
        for (String line : columns(rows)) {
            out.println(line);
        }
        out.flush();
        return 0;
    }

    /**
     * Lays rows out in columns two spaces apart, each as wide as its widest cell (the last column
     * unpadded), so that every column starts at the same place on every line.
     *
     * @param rows the cells, the same number in each row
     * @return the lines
     */
    static List<String> columns(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length - 1; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        List<String> lines = new ArrayList<>();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length - 1; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            lines.add(line.append(row[row.length - 1]).toString());
        }
        return lines;
    }

    static Set<Path> defaultDirectories() throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        dirs.add(Fifos.directory());
        dirs.add(Shms.directory());
        return dirs;
    }

    static List<Entry> list(Set<Path> dirs) throws IOException {
        Procs procs = Procs.scan();
        List<Entry> entries = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isDirectory(d)) {
                throw new NoSuchFileException(d + " (not a directory)");
            }
            try (Stream<Path> files = Files.list(d)) {
                for (Path p : files.sorted().toList()) {
                    Entry e = Entry.of(p, procs);
                    if (e != null) {
                        entries.add(e);
                    }
                }
            }
        }
        return entries;
    }
}
