package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.shm.Shms;
import dev.hoare.sync.Event;
import dev.hoare.sync.Mutex;
import dev.hoare.sync.Semaphore;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/** {@code hoare ls} shows semaphores, mutexes and events with their state; {@code hoare rm} removes them when unused. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LsSyncFilesTest {
    private static String run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Hoare.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return code + "\n" + out + err;
    }

    @Test
    void lsShowsTheStateOfSynchronizationFilesAndRmRemovesThemOnceUnused() throws Exception {
        String suffix = Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        String sem = "ls-sem-" + suffix;
        String mutex = "ls-mutex-" + suffix;
        String event = "ls-event-" + suffix;
        long pid = ProcessHandle.current().pid();
        try (Semaphore s = new Semaphore(sem, 2); Mutex m = new Mutex(mutex); Event e = new Event(event)) {
            s.acquire();
            m.lock();
            e.set();
            String ls = run("ls");
            assertTrue(ls.lines().anyMatch(l -> l.startsWith("semaphore") && l.contains(sem)
                    && l.contains("1 of 2 permits free; held by " + pid + " x1")), ls);
            assertTrue(ls.lines().anyMatch(l -> l.startsWith("mutex") && l.contains(mutex) && l.contains(pid + " alive")
                    && l.contains("locked by " + pid)), ls);
            assertTrue(ls.lines().anyMatch(l -> l.startsWith("event") && l.contains(event) && l.endsWith("set")), ls);
            String refused = run("rm", mutex);
            assertNotEquals('0', refused.charAt(0), refused);
            assertTrue(refused.contains("in use"), refused);
            m.unlock();
        }
        for (String name : new String[] {sem, mutex, event}) {
            // closed handles unmap at once on Java 22+, so nobody uses the files; on 21 the mapping waits for the GC
            String removed = dev.hoare.channels.shm.RingMapping.unmapsOnClose() ? run("rm", name) : run("rm", "--force", name);
            assertEquals('0', removed.charAt(0), removed);
            assertFalse(Files.exists(Shms.path(name)), removed);
        }
    }
}
