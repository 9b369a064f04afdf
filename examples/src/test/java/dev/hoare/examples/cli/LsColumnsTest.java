package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.fifo.Fifos;
import dev.hoare.channels.shm.ShmRing;
import dev.hoare.sync.Mutex;
import dev.hoare.sync.Semaphore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hoare ls} sizes its columns to what it lists: a semaphore's kind does not push the rest of its line out of line. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LsColumnsTest {
    @TempDir
    Path dir;

    @Test
    void theColumnsLineUpWithASemaphoreAMutexARingAndAFifoListedTogether() throws Exception {
        try (Semaphore s = new Semaphore(dir.resolve("sem").toString(), 2); Mutex m = new Mutex(dir.resolve("lock").toString());
                ShmRing ring = ShmRing.create(dir.resolve("ring"), 4096)) {
            Fifos.create(dir.resolve("fifo").toString());
            StringWriter out = new StringWriter();
            CommandLine cl = Hoare.commandLine();
            cl.setOut(new PrintWriter(out));
            assertEquals(0, cl.execute("ls", dir.toString()), out.toString());
            List<String> lines = out.toString().lines().toList();
            assertEquals(5, lines.size(), out.toString());
            String header = lines.get(0);
            assertTrue(header.startsWith("KIND "), header);
            List<String> kinds = lines.subList(1, 5).stream().map(l -> l.substring(0, l.indexOf(' '))).sorted().toList();
            assertEquals(List.of("fifo", "mutex", "semaphore", "shm"), kinds, out.toString());
            for (String column : List.of("OWNER", "NAME", "DETAILS")) {
                int at = header.indexOf(column);
                for (String line : lines) {
                    assertTrue(line.length() > at && line.charAt(at) != ' ' && line.substring(at - 2, at).equals("  "),
                            column + " does not start at column " + at + " in:\n" + out);
                }
            }
            assertTrue(lines.stream().anyMatch(l -> l.startsWith("shm") && l.contains("0 values queued")), out.toString());
        }
    }
}
