package dev.hoare.channels.uds;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work queues over a Unix socket: one producer (this JVM), worker processes (child JVMs) that each
 * get a share, every value to exactly one of them; a worker SIGKILLed in each delivery mode.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WorkQueueTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    Path dir;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private <C extends AutoCloseable> C track(C c) {
        open.add(c);
        return c;
    }

    private WorkQueue<String> queue(WorkQueue.Delivery delivery) throws Exception {
        return track(UnixChannels.dispatch(dir.resolve("work.sock"), Codec.utf8(), UnixServer.Options.defaults(), delivery));
    }

    private ChildJvm worker(WorkQueue<String> q, int capacity, long workMillis, boolean waitForGo) throws Exception {
        ChildJvm w = track(ChildJvm.start(WorkerChild.class, q.path().toString(),
                q.delivery() == WorkQueue.Delivery.REDELIVER ? "redeliver" : "once", Integer.toString(capacity),
                Long.toString(workMillis), waitForGo ? "go" : "now"));
        w.expect("READY");
        return w;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            Thread.sleep(2);
        }
    }

    /** The values a worker printed as received, in order. */
    private static List<String> got(ChildJvm w) {
        return w.printed().stream().filter(l -> l.startsWith("GOT ")).map(l -> l.substring(4)).toList();
    }

    /** Sends v0..v(n-1) on a thread of its own. */
    private static CompletableFuture<Void> produce(WorkQueue<String> q, int n) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    q.send("v" + i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }

    @Test
    void threeWorkerProcessesReceiveEveryValueExactlyOnceBetweenThem() throws Exception {
        WorkQueue<String> q = queue(WorkQueue.Delivery.ONCE);
        List<ChildJvm> workers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            workers.add(worker(q, 4, 0, false));
        }
        await(() -> q.workers() == 3, "3 workers joined");
        int n = 3000;
        produce(q, n).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        q.close();
        Map<String, Integer> seen = new HashMap<>();
        for (ChildJvm w : workers) {
            int count = Integer.parseInt(w.expect("END ").substring(4));
            List<String> values = got(w);
            assertEquals(count, values.size());
            assertTrue(count > 0, "a worker got no work: " + count);
            values.forEach(v -> seen.merge(v, 1, Integer::sum));
        }
        assertEquals(n, seen.size(), "every value received");
        assertTrue(seen.values().stream().allMatch(c -> c == 1), "a value received twice");
    }

    @Test
    void deliverOnceLosesAtMostTheKilledWorkersCapacityAndDuplicatesNothing() throws Exception {
        int capacity = 8;
        WorkQueue<String> q = queue(WorkQueue.Delivery.ONCE);
        ChildJvm doomed = worker(q, capacity, 2, false);
        ChildJvm a = worker(q, capacity, 0, false);
        ChildJvm b = worker(q, capacity, 0, false);
        await(() -> q.workers() == 3, "3 workers joined");
        int n = 4000;
        CompletableFuture<Void> producer = produce(q, n);
        await(() -> got(doomed).size() >= 50, "the doomed worker received 50 values");
        doomed.kill();
        producer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await(() -> q.workers() == 2, "the dead worker left the queue");
        q.close();
        a.expect("END ");
        b.expect("END ");
        Map<String, Integer> seen = new HashMap<>();
        for (ChildJvm w : List.of(doomed, a, b)) {
            got(w).forEach(v -> seen.merge(v, 1, Integer::sum));
        }
        assertTrue(seen.values().stream().allMatch(c -> c == 1), "a value received twice");
        int lost = n - seen.size();
        assertTrue(lost >= 0 && lost <= capacity + 1,
                "lost " + lost + " values; the killed worker held at most " + capacity + " buffered and 1 in hand");
        System.out.println("deliver-once, worker killed: " + lost + " of " + n + " lost (capacity " + capacity + ")");
    }

    @Test
    void redeliveryLosesNothingAndRepeatsOnlyTheKilledWorkersUnacknowledgedValues() throws Exception {
        int capacity = 8;
        WorkQueue<String> q = queue(WorkQueue.Delivery.REDELIVER);
        ChildJvm doomed = worker(q, capacity, 2, false);
        ChildJvm a = worker(q, capacity, 0, false);
        ChildJvm b = worker(q, capacity, 0, false);
        await(() -> q.workers() == 3, "3 workers joined");
        int n = 4000;
        CompletableFuture<Void> producer = produce(q, n);
        await(() -> got(doomed).size() >= 50, "the doomed worker received 50 values");
        doomed.kill();
        producer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(q.awaitAcknowledged(WAIT), "values still unacknowledged: " + q.unacknowledged());
        q.close();
        a.expect("END ");
        b.expect("END ");
        Set<String> killedGot = new HashSet<>(got(doomed));
        Map<String, Integer> seen = new HashMap<>();
        for (ChildJvm w : List.of(doomed, a, b)) {
            got(w).forEach(v -> seen.merge(v, 1, Integer::sum));
        }
        assertEquals(n, seen.size(), "a value was lost");
        List<String> twice = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
        for (String v : twice) {
            assertEquals(2, seen.get(v), v + " received more than twice");
            assertTrue(killedGot.contains(v), v + " received twice, and the killed worker never had it");
        }
        System.out.println("redelivery, worker killed: " + twice.size() + " of " + n + " received twice (capacity " + capacity + ")");
        assertTrue(twice.size() <= capacity + 1, "duplicates beyond what the killed worker could hold unacknowledged: " + twice);
    }

    @Test
    void sendBlocksWhileEveryWorkerIsFullAndALateWorkerGetsTheWork() throws Exception {
        int capacity = 2;
        WorkQueue<String> q = queue(WorkQueue.Delivery.ONCE);
        assertFalse(q.send("none", Duration.ofMillis(100)), "a send with no worker went somewhere");
        ChildJvm idle = worker(q, capacity, 0, true); // takes nothing until told
        await(() -> q.workers() == 1, "the first worker joined");
        for (int i = 0; i < capacity; i++) {
            assertTrue(q.send("v" + i, WAIT), "the first worker's credits");
        }
        assertFalse(q.send("v-refused", Duration.ofMillis(300)), "a send beyond every worker's credits did not block");
        CompletableFuture<Void> blocked = CompletableFuture.runAsync(() -> {
            try {
                q.send("late");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
        ChildJvm late = worker(q, capacity, 0, false);
        blocked.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertEquals("GOT late", late.expect("GOT "));
        idle.tell("go");
        q.close();
        assertEquals("END " + capacity, idle.expect("END "));
        assertEquals(List.of("v0", "v1"), got(idle));
        assertEquals("END 1", late.expect("END "));
    }

    @Test
    void aDispatchUriSendEndFeedsTheWorkersThatOpenReceiveTheSameUri() throws Exception {
        Path path = dir.resolve("uri.sock");
        java.net.URI uri = java.net.URI.create("uds:" + path + "?dispatch=true");
        SendChannel<String> jobs = track(dev.hoare.channels.Channels.openSend(uri, Codec.utf8()));
        List<ChildJvm> workers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            ChildJvm w = track(ChildJvm.start(WorkerChild.class, path.toString(), "uri", "4", "0", "now"));
            w.expect("READY");
            workers.add(w);
        }
        int n = 500;
        for (int i = 0; i < n; i++) {
            jobs.send("v" + i);
        }
        jobs.close(); // the queue closes once the value in hand went out
        Map<String, Integer> seen = new HashMap<>();
        for (ChildJvm w : workers) {
            w.expect("END ");
            got(w).forEach(v -> seen.merge(v, 1, Integer::sum));
        }
        assertEquals(n, seen.size(), "every value received");
        assertTrue(seen.values().stream().allMatch(c -> c == 1), "a value received twice");
    }

    @Test
    void aQueueThatDeliversOnceRefusesAWorkerThatAcknowledges() throws Exception {
        WorkQueue<String> q = queue(WorkQueue.Delivery.ONCE);
        var options = dev.hoare.channels.link.StreamOptions.defaults().withTimeout(Duration.ofSeconds(5));
        java.io.IOException refused = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                () -> UnixChannels.connectWorker(q.path(), Codec.utf8(), options));
        assertTrue(String.valueOf(refused.getMessage()).contains("redelivering work queue"), refused.toString());
        assertEquals(0, q.workers());
        assertTrue(q.awaitAcknowledged(Duration.ZERO), "nothing to acknowledge when delivering once");
    }

    @Test
    void aRedeliveringWorkerHoldsAtMostItsCapacityUnacknowledgedInHand() throws Exception {
        WorkQueue<String> q = queue(WorkQueue.Delivery.REDELIVER);
        var options = dev.hoare.channels.link.StreamOptions.defaults().withCapacity(2).withTimeout(WAIT);
        WorkReceiver<String> w = track(UnixChannels.connectWorker(q.path(), Codec.utf8(), options));
        await(() -> q.workers() == 1, "the worker joined");
        assertTrue(q.send("v0", WAIT));
        assertTrue(q.send("v1", WAIT));
        WorkItem<String> first = w.receive();
        WorkItem<String> second = w.receive();
        assertEquals(List.of("v0", "v1"), List.of(first.value(), second.value()));
        assertTrue(q.send("v2", WAIT), "taking returned the credits");
        assertTrue(q.send("v3", WAIT), "taking returned the credits");
        assertTrue(w.receive(Duration.ofMillis(200)).isEmpty(), "a third value in hand unacknowledged");
        assertFalse(q.send("v4", Duration.ofMillis(200)), "the worker's buffer is full and its hands too");
        assertEquals(4, q.unacknowledged());
        first.ack();
        first.ack(); // harmless: one place given back
        assertEquals("v2", w.receive(Duration.ofSeconds(5)).orElseThrow().value());
        assertTrue(w.receive(Duration.ofMillis(200)).isEmpty(), "the second ack of one value gave back a second place");
        await(() -> q.unacknowledged() == 3, "the ack reached the queue");
    }
}
