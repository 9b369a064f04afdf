package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.contract.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pid file: one running instance among processes, a dead owner's file taken over. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class PidFileTest {
    @Test
    void theOwnerWritesItsPidAndCloseRemovesTheFile(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("app.pid");
        try (PidFile p = PidFile.acquire(path)) {
            // (this process must not open its own pid file: closing it would drop the lock)
            assertEquals(OptionalLong.of(ProcessHandle.current().pid()), PidFile.running(path));
            PidFile.AlreadyRunningException e = assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.acquire(path));
            assertEquals(ProcessHandle.current().pid(), e.pid());
            try (ChildJvm other = ChildJvm.start(SyncChild.class, "pidfile", path.toString())) {
                assertEquals("RUNNING " + ProcessHandle.current().pid(), other.expect("RUNNING "));
            }
        }
        assertFalse(Files.exists(path));
        assertEquals(OptionalLong.empty(), PidFile.running(path));
    }

    @Test
    void aSecondProcessIsToldTheRunningInstancesPid(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("app.pid");
        try (ChildJvm first = ChildJvm.start(SyncChild.class, "pidfile", path.toString())) {
            long pid = Long.parseLong(first.expect("OWNER ").substring(6));
            assertEquals(first.process().pid(), pid);
            assertEquals(OptionalLong.of(pid), PidFile.running(path));
            PidFile.AlreadyRunningException e = assertThrows(PidFile.AlreadyRunningException.class, () -> PidFile.acquire(path));
            assertEquals(pid, e.pid());
            try (ChildJvm second = ChildJvm.start(SyncChild.class, "pidfile", path.toString())) {
                assertEquals("RUNNING " + pid, second.expect("RUNNING "));
            }
            first.tell("exit");
            assertEquals(0, first.exitCode());
            assertFalse(Files.exists(path), "removed at exit");
        }
    }

    @Test
    void aKilledOwnersFileIsTakenOver(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("app.pid");
        try (ChildJvm first = ChildJvm.start(SyncChild.class, "pidfile", path.toString())) {
            first.expect("OWNER ");
            first.kill();
            assertTrue(Files.exists(path), "a SIGKILL leaves the file");
            assertEquals(OptionalLong.empty(), PidFile.running(path));
            try (PidFile p = PidFile.acquire(path)) {
                try (ChildJvm other = ChildJvm.start(SyncChild.class, "pidfile", path.toString())) {
                    assertEquals("RUNNING " + ProcessHandle.current().pid(), other.expect("RUNNING "));
                }
            }
        }
    }

    @Test
    void ofThreeProcessesStartingTogetherExactlyOneRuns(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("app.pid");
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(SyncChild.class, "pidfile", path.toString()));
            }
            List<String> outcomes = new ArrayList<>();
            for (ChildJvm c : children) {
                outcomes.add(c.expect("")); // OWNER or RUNNING, in any order
                while (!outcomes.getLast().startsWith("OWNER") && !outcomes.getLast().startsWith("RUNNING")) {
                    outcomes.set(outcomes.size() - 1, c.expect(""));
                }
            }
            List<String> owners = outcomes.stream().filter(l -> l.startsWith("OWNER")).toList();
            assertEquals(1, owners.size(), "outcomes: " + outcomes);
            String ownerPid = owners.get(0).substring(6);
            assertTrue(outcomes.stream().filter(l -> l.startsWith("RUNNING")).allMatch(l -> l.equals("RUNNING " + ownerPid)),
                    "the others name the owner: " + outcomes);
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }
}
