package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.CountersChild;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The counters file: published, read by another process while it changes, recognised dead after SIGKILL. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CountersFileTest {

    /** The process's row for {@code name} in its counters file, read now. */
    static Optional<ChannelStats> row(long pid, String name) throws Exception {
        for (Counters.Process p : Counters.read()) {
            if (p.pid() == pid) {
                return p.channels().stream().filter(s -> s.name().equals(name)).findFirst();
            }
        }
        return Optional.empty();
    }

    static Counters.Process process(long pid) throws Exception {
        return Counters.read().stream().filter(p -> p.pid() == pid).findFirst().orElseThrow();
    }

    static ChannelStats awaitRow(long pid, String name, java.util.function.Predicate<ChannelStats> until) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            Optional<ChannelStats> s = row(pid, name);
            if (s.isPresent() && until.test(s.get())) {
                return s.get();
            }
            if (System.nanoTime() > deadline) {
                fail("row " + name + " of " + pid + " never reached the state: " + s);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void thisProcessPublishesItsNamedChannelsAndNotTheUnnamedOnes() throws Exception {
        String name = "cf-own-" + System.nanoTime();
        Channel<Integer> named = Channel.<Integer>builder().capacity(16).name(name).build();
        Channel<Integer> unnamed = Channel.buffered(16);
        Path file = Counters.publish();
        assertEquals(file, Counters.publish(), "idempotent");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        for (int i = 0; i < 10; i++) {
            named.send(i);
            unnamed.send(i);
        }
        named.receive();
        long pid = ProcessHandle.current().pid();
        ChannelStats s = awaitRow(pid, name, r -> r.sent() == 10 && r.received() == 1);
        assertEquals(new ChannelStats(name, "inproc", 10, 1, 9, 16, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1), s);
        Counters.Process me = process(pid);
        assertTrue(me.alive());
        assertFalse(me.stale());
        assertTrue(me.channels().stream().allMatch(c -> !c.name().isEmpty()), "only named ends: " + me.channels());
        named.close();
        while (!named.isClosedForReceive()) {
            named.tryReceive(); // drain: a closed and drained channel leaves the file
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (row(pid, name).isPresent()) {
            assertTrue(System.nanoTime() < deadline, "a finished channel leaves the file");
            Thread.sleep(20);
        }
    }

    @Test
    void anotherJvmReadsTheCountersOfAStreamingJvm() throws Exception {
        String name = "cf-stream-" + System.nanoTime();
        try (ChildJvm child = ChildJvm.start(CountersChild.class, "stream", name)) {
            long pid = Long.parseLong(child.expect("READY ").split(" ")[1]);
            ChannelStats first = awaitRow(pid, name, r -> r.sent() > 0);
            ChannelStats later = awaitRow(pid, name, r -> r.sent() > first.sent() + 1000);
            assertTrue(later.received() >= first.received(), later + " after " + first);
            assertTrue(later.sent() - later.received() <= 8 + 1, "at most the capacity in flight: " + later);
            assertEquals(8, later.capacity());
            assertEquals("inproc", later.transport());
            assertTrue(process(pid).alive());
            child.tell("stop");
            assertEquals(0, child.exitCode());
            assertTrue(Counters.read().stream().noneMatch(p -> p.pid() == pid), "a clean exit deletes its file");
        }
    }

    @Test
    void theSystemPropertyPublishesFromTheFirstNamedChannel() throws Exception {
        String name = "cf-prop-" + System.nanoTime();
        try (ChildJvm child = ChildJvm.start(CountersChild.class, List.of("-Dhoare.counters=true"), "stream", name)) {
            assertEquals("PUBLISHING-BEFORE true", child.expect("PUBLISHING-BEFORE "));
            long pid = Long.parseLong(child.expect("READY ").split(" ")[1]);
            assertTrue(awaitRow(pid, name, r -> r.sent() > 0).capacity() == 8);
        }
        try (ChildJvm child = ChildJvm.start(CountersChild.class, "stream", name)) {
            assertEquals("PUBLISHING-BEFORE false", child.expect("PUBLISHING-BEFORE "), "opt-in: nothing without it");
        }
    }

    @Test
    void aKilledProcessFileIsRecognisedDeadAndCleanedUp() throws Exception {
        String name = "cf-killed-" + System.nanoTime();
        Path file;
        long pid;
        try (ChildJvm child = ChildJvm.start(CountersChild.class, "blocked", name)) {
            String[] ready = child.expect("READY ").split(" ");
            pid = Long.parseLong(ready[1]);
            file = Path.of(ready[2]);
            ChannelStats s = awaitRow(pid, name, r -> r.blockedSenders() == 1);
            assertEquals(4, s.depth());
            assertEquals(2, awaitRow(pid, name + "-rv", r -> true).blockedReceivers());
            child.process().destroyForcibly(); // SIGKILL: no shutdown hook runs
            child.process().waitFor();
        }
        assertTrue(Files.exists(file), "a killed process leaves its file");
        Counters.Process dead = process(pid);
        assertFalse(dead.alive());
        assertEquals(name, dead.channels().get(0).name(), "its last counters are still readable");
        List<Path> deleted = Counters.cleanUp();
        assertTrue(deleted.contains(file), deleted.toString());
        assertFalse(Files.exists(file));
        assertTrue(Counters.read().stream().allMatch(p -> p.alive() || p.pid() != pid));
    }
}
