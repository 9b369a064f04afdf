package dev.hoare.examples.cli;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoare rm NAME [--force]}: removes a FIFO, socket or ring, not one in use unless forced. */
@Command(name = "rm", mixinStandardHelpOptions = true,
        description = {"Removes a Hoare FIFO, socket or ring, unless it is in use.",
                "NAME: a name in this user's directories (as in fifo:NAME and shm:NAME), or an absolute",
                "path. Refuses while its owner is alive (a ring's reader, a process holding the FIFO or",
                "socket) unless --force."})
final class RmCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "a logical name or an absolute path")
    String name;

    @Option(names = "--force", description = "remove it even while its owner is alive")
    boolean force;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        Set<Path> candidates = new LinkedHashSet<>();
        candidates.add(Fifos.path(name)); // validates the name: a bad one is refused, nothing touched
        candidates.add(Shms.path(name));
        candidates.removeIf(p -> !Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        if (candidates.isEmpty()) {
            throw new NoSuchFileException(name + " (no FIFO, socket or ring of that name)");
        }
        Procs procs = Procs.scan();
        for (Path p : candidates) {
            Entry e = Entry.of(p, procs);
            if (e == null) {
                throw new IOException(p + " is not a FIFO, socket or ring; left alone");
            }
            if (e.inUse() && !force) {
                throw new IOException(p + " is in use (" + e.kind() + ", owner " + e.ownerColumn() + "); --force removes it anyway");
            }
            switch (e.kind()) {
                case "fifo" -> Fifos.remove(p.toString()); // and its writers' lock file
                default -> Files.delete(p);
            }
            out.println("removed " + e.kind() + " " + p);
        }
        out.flush();
        return 0;
    }
}
