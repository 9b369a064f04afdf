package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mutex within one process: its contract, and a stress of many threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MutexTest {
    private final String name = Names.fresh("mutex");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void aSecondHandleWaitsUntilTheFirstUnlocks() throws Exception {
        try (Mutex a = new Mutex(name); Mutex b = new Mutex(name)) {
            assertFalse(a.lock());
            assertTrue(b.isLocked());
            assertEquals(ProcessHandle.current().pid(), b.ownerPid());
            assertFalse(b.tryLock());
            assertFalse(b.lock(Duration.ofMillis(150)));
            a.unlock();
            assertTrue(b.tryLock());
            assertFalse(b.previousOwnerDied());
            b.unlock();
            assertFalse(a.isLocked());
        }
    }

    @Test
    void onlyTheHoldingThreadUnlocksAndLockingTwiceIsRefused() throws Exception {
        try (Mutex a = new Mutex(name)) {
            a.lock();
            assertThrows(IllegalStateException.class, a::lock);
            Thread other = Thread.ofPlatform().start(() -> assertThrows(IllegalMonitorStateException.class, a::unlock));
            other.join();
            a.unlock();
            assertThrows(IllegalMonitorStateException.class, a::unlock);
        }
    }

    @Test
    void closingAHandleReleasesTheLockItHolds() throws Exception {
        try (Mutex b = new Mutex(name)) {
            Mutex a = new Mutex(name);
            a.lock();
            a.close();
            assertFalse(b.isLocked());
            assertTrue(b.tryLock());
            b.unlock();
        }
    }

    @Test
    void manyPlatformAndVirtualThreadsExcludeEachOther() throws Exception {
        int threads = 16;
        int rounds = 500;
        long[] counter = new long[1];
        List<Mutex> handles = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                handles.add(new Mutex(name));
            }
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Mutex m = handles.get(t % handles.size());
                Thread.Builder builder = t % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform();
                all.add(builder.start(() -> {
                    try {
                        for (int i = 0; i < rounds; i++) {
                            m.lock();
                            try {
                                counter[0]++; // guarded by the mutex alone
                            } finally {
                                m.unlock();
                            }
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread t : all) {
                t.join();
            }
            handles.get(0).lock(); // a happens-before edge to read the counter: the mutex's CAS
            assertEquals((long) threads * rounds, counter[0]);
            handles.get(0).unlock();
        } finally {
            handles.forEach(Mutex::close);
        }
    }
}
