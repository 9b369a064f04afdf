package dev.hoare.channels.contract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * What this JVM holds that a closed channel end must have given back, counted (Linux only): the
 * library's live platform threads ({@code hoare-} names; see {@link #countHoareThreads} for virtual ones), open file descriptors ({@code /proc/self/fd}), mappings of files in a
 * directory ({@code /proc/self/maps}, deleted files included), and the heap in use after a
 * garbage collection.
 *
 * @param hoareThreads live platform threads whose name starts with {@code hoare-}
 * @param descriptors open file descriptors
 * @param mappings lines of {@code /proc/self/maps} naming a file in the directory counted
 * @param heapBytes heap in use after {@link System#gc}
 */
record ProcessCounts(int hoareThreads, int descriptors, int mappings, long heapBytes) {

    /** @return whether /proc/self is there to count from */
    static boolean available() {
        return Files.isDirectory(Path.of("/proc/self/fd")) && Files.isReadable(Path.of("/proc/self/maps"));
    }

    /**
     * @param directory mappings of files in it are counted ({@code null}: none)
     * @return the counts now
     */
    static ProcessCounts now(Path directory) {
        return new ProcessCounts(countHoareThreads(), countDescriptors(), countMappings(directory), heapAfterGc());
    }

    /** @return a one-line summary, with the differences from {@code before} */
    String since(ProcessCounts before) {
        return String.format("threads %d (%+d), descriptors %d (%+d), mappings %d (%+d), heap %.1f MiB (%+.1f MiB)",
                hoareThreads, hoareThreads - before.hoareThreads, descriptors, descriptors - before.descriptors,
                mappings, mappings - before.mappings, heapBytes / 1048576.0, (heapBytes - before.heapBytes) / 1048576.0);
    }

    /**
     * Platform threads named {@code hoare-}. Virtual threads are not listed anywhere safe to ask
     * (a JSON thread dump crashed JDK 25.0.3 in {@code GetThreadSnapshotClosure} while virtual
     * threads came and went), so a test shows them gone by the ends they run for being
     * collectable: a live virtual thread is reachable (the root thread container tracks it, a
     * timed park's timer holds it) and so is the end its task refers to.
     */
    static int countHoareThreads() {
        return (int) Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("hoare-")).count();
    }

    static int countDescriptors() {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own descriptor
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int countMappings(Path directory) {
        if (directory == null) {
            return 0;
        }
        try {
            List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
            String prefix = directory.toAbsolutePath() + "/";
            return (int) maps.stream().filter(l -> l.contains(prefix)).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static long heapAfterGc() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
