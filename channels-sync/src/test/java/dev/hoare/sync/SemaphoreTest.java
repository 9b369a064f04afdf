package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.shm.Shms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The semaphore within one process: its contract, and a stress of many threads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SemaphoreTest {
    private final String name = Names.fresh("sem");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void handlesOfOneNameShareThePermits() throws Exception {
        try (Semaphore a = new Semaphore(name, 2); Semaphore b = new Semaphore(name, 2)) {
            assertTrue(a.tryAcquire());
            assertTrue(a.tryAcquire());
            assertEquals(0, b.available());
            assertFalse(b.tryAcquire());
            a.release();
            assertEquals(1, b.available());
            assertTrue(b.tryAcquire());
            assertEquals(1, a.held());
            assertEquals(1, b.held());
        }
    }

    @Test
    void aHandleCannotReleaseMoreThanItHolds() throws Exception {
        try (Semaphore a = new Semaphore(name, 2); Semaphore b = new Semaphore(name, 2)) {
            assertTrue(a.tryAcquire());
            assertThrows(IllegalStateException.class, b::release);
            assertEquals(1, b.available());
        }
    }

    @Test
    void closingAHandleGivesBackWhatItHolds() throws Exception {
        try (Semaphore b = new Semaphore(name, 3)) {
            Semaphore a = new Semaphore(name, 3);
            assertTrue(a.tryAcquire());
            assertTrue(a.tryAcquire());
            assertEquals(1, b.available());
            a.close();
            assertEquals(3, b.available());
            assertThrows(IllegalStateException.class, a::tryAcquire);
        }
    }

    @Test
    void acquireWithATimeoutGivesUpAfterIt() throws Exception {
        try (Semaphore a = new Semaphore(name, 1)) {
            a.acquire();
            long start = System.nanoTime();
            assertFalse(a.acquire(Duration.ofMillis(250)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250));
            assertFalse(a.acquire(Duration.ZERO));
        }
    }

    @Test
    void aWaiterIsWokenByARelease() throws Exception {
        try (Semaphore a = new Semaphore(name, 1); Semaphore b = new Semaphore(name, 1)) {
            a.acquire();
            CountDownLatch got = new CountDownLatch(1);
            Thread waiter = Thread.ofPlatform().start(() -> {
                try {
                    b.acquire();
                    got.countDown();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertFalse(got.await(50, TimeUnit.MILLISECONDS));
            a.release();
            assertTrue(got.await(10, TimeUnit.SECONDS));
            waiter.join();
        }
    }

    @Test
    void anInterruptedWaiterTakesNothing() throws Exception {
        try (Semaphore a = new Semaphore(name, 1)) {
            a.acquire();
            AtomicInteger outcome = new AtomicInteger();
            Thread waiter = Thread.ofVirtual().start(() -> {
                try {
                    a.acquire();
                    outcome.set(1);
                } catch (InterruptedException e) {
                    outcome.set(2);
                }
            });
            while (waiter.getState() != Thread.State.WAITING && waiter.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait();
            }
            waiter.interrupt();
            waiter.join();
            assertEquals(2, outcome.get());
            assertEquals(1, a.held());
            assertEquals(0, a.available());
        }
    }

    @Test
    void anExistingSemaphoreWithAnotherCountIsRefused() throws Exception {
        try (Semaphore a = new Semaphore(name, 2)) {
            assertThrows(IllegalArgumentException.class, () -> new Semaphore(name, 3));
            assertThrows(IOException.class, () -> new Mutex(name));
        }
    }

    @Test
    void namesAreValidatedAndFilesArePrivate() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> new Semaphore("../etc", 1));
        assertThrows(IllegalArgumentException.class, () -> new Semaphore(".hidden", 1));
        try (Semaphore a = new Semaphore(name, 1)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(Shms.path(name))));
        }
    }

    @Test
    void manyPlatformAndVirtualThreadsNeverExceedThePermits() throws Exception {
        int permits = 3;
        int threads = 32;
        int rounds = 300;
        try (Semaphore s = new Semaphore(name, permits)) {
            AtomicInteger inside = new AtomicInteger();
            AtomicInteger most = new AtomicInteger();
            AtomicLong done = new AtomicLong();
            List<Thread> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread.Builder builder = t % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform();
                all.add(builder.start(() -> {
                    try {
                        for (int i = 0; i < rounds; i++) {
                            s.acquire();
                            int now = inside.incrementAndGet();
                            most.accumulateAndGet(now, Math::max);
                            inside.decrementAndGet();
                            done.incrementAndGet();
                            s.release();
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            for (Thread t : all) {
                t.join();
            }
            assertEquals((long) threads * rounds, done.get());
            assertTrue(most.get() <= permits, "at most " + permits + " inside, saw " + most.get());
            assertEquals(permits, s.available());
            assertEquals(0, s.held());
        }
    }
}
