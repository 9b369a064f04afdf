package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The shared map: its contract, atomic updates from 3 processes, watchers in other processes, a killed writer. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SharedDataTest {
    private final String name = Names.fresh("data");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void handlesOfOneNameSeeOneMap() throws Exception {
        try (SharedData a = new SharedData(name); SharedData b = new SharedData(name)) {
            assertEquals(Optional.empty(), a.put("mode", "fast"));
            assertEquals(Optional.of("fast"), b.get("mode"));
            assertEquals(Optional.of("fast"), b.put("mode", "slow"));
            assertEquals("2", a.update("runs", n -> n == null ? "2" : n));
            assertEquals(Set.of("mode", "runs"), b.keys());
            assertEquals(Optional.of("slow"), a.remove("mode"));
            assertEquals(Map.of("runs", "2"), b.snapshot());
        }
        try (SharedData again = new SharedData(name)) {
            assertEquals(Map.of("runs", "2"), again.snapshot(), "kept in the file after every handle closed");
        }
    }

    @Test
    void aChangeThatWouldNotFitChangesNothing() throws Exception {
        try (SharedData d = new SharedData(name, 64)) {
            d.put("a", "1");
            assertThrows(IllegalStateException.class, () -> d.put("b", "x".repeat(100)));
            assertThrows(IllegalArgumentException.class, () -> new SharedData(name, 128));
            assertEquals(Map.of("a", "1"), d.snapshot());
        }
    }

    @Test
    void aFunctionThatThrowsChangesNothing() throws Exception {
        try (SharedData d = new SharedData(name)) {
            d.put("a", "1");
            assertThrows(ArithmeticException.class, () -> d.update("a", v -> Integer.toString(1 / 0)));
            assertEquals(Map.of("a", "1"), d.snapshot());
            d.put("a", "2"); // the lock was released
        }
    }

    @Test
    void threeProcessesUpdatingOneKeyLoseNoUpdate() throws Exception {
        int each = 500;
        List<ChildJvm> children = new ArrayList<>();
        try (SharedData d = new SharedData(name)) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(SyncChild.class, "data-incr", name, "n", Integer.toString(each)));
            }
            for (ChildJvm c : children) {
                assertEquals(0, c.exitCode(), "printed: " + c.printed());
            }
            assertEquals(Optional.of(Integer.toString(3 * each)), d.get("n"));
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    @Test
    void watchersInOtherProcessesSeeEveryChangeInOrder() throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try (SharedData d = new SharedData(name)) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(SyncChild.class, "data-watch", name));
            }
            for (ChildJvm c : children) {
                c.expect("WATCHING");
            }
            d.put("a", "1");
            for (ChildJvm c : children) { // one change at a time: nothing to coalesce
                assertEquals("CHANGE a null 1", c.expect("CHANGE"));
            }
            d.put("a", "2");
            for (ChildJvm c : children) {
                assertEquals("CHANGE a 1 2", c.expect("CHANGE"));
            }
            d.remove("a");
            for (ChildJvm c : children) {
                assertEquals("CHANGE a 2 null", c.expect("CHANGE"));
            }
            d.put("stop", "now");
            for (ChildJvm c : children) {
                assertEquals("CHANGE stop null now", c.expect("CHANGE"));
                assertEquals(0, c.exitCode());
            }
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    @Test
    void aWatcherInThisProcessSeesTheLatestValueAndStopsWhenCancelled() throws Exception {
        try (SharedData d = new SharedData(name); SharedData other = new SharedData(name)) {
            ReceiveChannel<SharedData.Change> changes = d.watch();
            other.put("k", "v1");
            assertEquals(new SharedData.Change("k", null, "v1"), changes.receive(Duration.ofSeconds(10)).orElseThrow());
            changes.cancel();
            other.put("k", "v2");
            assertTrue(changes.isClosedForReceive());
        }
    }

    @Test
    void aWriterKilledMidUpdateLeavesTheMapWhole() throws Exception {
        try (SharedData d = new SharedData(name); SyncFile f = SyncFile.open(name, SyncLayout.Kind.SHARED_DATA,
                SharedData.DEFAULT_CAPACITY, SyncLayout.DATA_OFFSET + 2 * SharedData.DEFAULT_CAPACITY, b -> { })) {
            d.put("a", "1");
            // a writer died while encoding into the spare area, holding the lock
            int spare = 1 - f.getInt(SyncLayout.STATE_OFFSET);
            f.write(SyncLayout.DATA_OFFSET + spare * SharedData.DEFAULT_CAPACITY, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
            f.setInt(SyncLayout.DATA_LENGTH_OFFSET + 4 * spare, 99);
            f.setLong(SyncLayout.LOCK_OWNER_OFFSET, Identity.of(4_194_303, 1));
            assertEquals("2", d.update("a", v -> "2"), "the lock is taken over within a bounded sleep");
            assertEquals(Map.of("a", "2"), d.snapshot());
        }
    }
}
