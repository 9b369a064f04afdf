package dev.hoare.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The event, within a process and across processes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EventTest {
    private final String name = Names.fresh("event");

    @AfterEach
    void removeFile() throws IOException {
        Names.remove(name);
    }

    @Test
    void anEventStaysSetUntilCleared() throws Exception {
        try (Event a = new Event(name); Event b = new Event(name)) {
            assertFalse(b.isSet());
            assertFalse(b.await(Duration.ofMillis(100)));
            a.set();
            assertTrue(b.isSet());
            assertTrue(b.await(Duration.ZERO));
            b.await();
            a.clear();
            assertFalse(b.isSet());
            assertFalse(b.await(Duration.ZERO));
        }
    }

    @Test
    void aSetWakesEveryWaitingThreadEvenIfClearedAtOnce() throws Exception {
        try (Event e = new Event(name)) {
            int waiters = 20;
            CountDownLatch woke = new CountDownLatch(waiters);
            List<Thread> all = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                Thread.Builder builder = i % 2 == 0 ? Thread.ofVirtual() : Thread.ofPlatform();
                all.add(builder.start(() -> {
                    try {
                        e.await();
                        woke.countDown();
                    } catch (InterruptedException ex) {
                        Thread.currentThread().interrupt();
                    }
                }));
            }
            awaitWaiters(e, waiters);
            e.set();
            e.clear();
            assertTrue(woke.await(10, TimeUnit.SECONDS), woke.getCount() + " waiters still waiting");
        }
    }

    @Test
    void aSetWakesEveryWaitingProcess() throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try (Event e = new Event(name)) {
            for (int i = 0; i < 3; i++) {
                children.add(ChildJvm.start(EventTestChild.class, name));
            }
            for (ChildJvm c : children) {
                c.expect("WAITING");
            }
            awaitWaiters(e, 3);
            e.set();
            e.clear(); // a pulse: those waiting at the set are released all the same
            for (ChildJvm c : children) {
                c.expect("WOKE");
                assertEquals(0, c.exitCode());
            }
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    /** Waits until {@code n} threads (of any process) are asleep on the event: each has begun its wait. */
    private static void awaitWaiters(Event e, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (e.waiting() < n) {
            assertTrue(System.nanoTime() < deadline, "only " + e.waiting() + " of " + n + " waiters asleep");
            Thread.sleep(1);
        }
    }

    /** Waits for the event; prints WAITING once its wait has begun (the sequence is read), WOKE after. */
    public static final class EventTestChild {
        public static void main(String[] args) throws Exception {
            SyncChild.main(new String[] {"event-wait", args[0]});
        }
    }
}
