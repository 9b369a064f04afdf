package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import static dev.hoare.channels.TestSupport.async;
import static dev.hoare.channels.TestSupport.awaitTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectTest {

    @Test
    void takesTheReadyCaseAndRunsItsAction() throws Exception {
        Channel<String> idle = Channel.unbuffered();
        Channel<String> ready = Channel.buffered(1);
        ready.send("x");
        String r = Select.<String>select()
                .onReceive(idle, v -> "idle " + v)
                .onReceive(ready, v -> "ready " + v)
                .run();
        assertEquals("ready x", r);
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void blockedSelectIsCompletedByALaterSend(ChannelKind kind) throws Exception {
        Channel<Integer> a = kind.create();
        Channel<Integer> b = kind.create();
        CompletableFuture<String> selecting = async(() -> Select.<String>select()
                .onReceive(a, v -> "a" + v)
                .onReceive(b, v -> "b" + v)
                .run());
        TestSupport.awaitWaitingReceivers(b, 1);
        b.send(7);
        assertEquals("b7", selecting.get(10, TimeUnit.SECONDS));
        assertEquals(0, ((AbstractChannel<?>) a).waitingReceivers(), "the losing case was unqueued");
        assertEquals(Optional.empty(), a.tryReceive());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#blockingSenders")
    void blockedSendCaseCompletesWhenAReceiverComes(ChannelKind kind) throws Exception {
        Channel<Integer> full = kind.create();
        for (int i = 0; i < kind.capacity; i++) {
            full.send(i);
        }
        CompletableFuture<String> selecting = async(() -> Select.<String>select()
                .onSend(full, 99, () -> "sent")
                .run());
        awaitTrue("the select waits", () -> ((AbstractChannel<?>) full).waitingSenders() == 1);
        List<Integer> got = new ArrayList<>();
        for (int i = 0; i <= kind.capacity; i++) {
            got.add(full.receive());
        }
        assertEquals("sent", selecting.get(10, TimeUnit.SECONDS));
        assertEquals(99, got.get(got.size() - 1));
    }

    @Test
    void nonBlockingSelectNeverTakesTheDefaultWhenACaseIsReady() throws Exception {
        for (int i = 0; i < 10_000; i++) {
            Channel<Integer> ready = Channel.buffered(1);
            ready.send(i);
            Channel<Integer> closing = Channel.buffered(1);
            Thread closer = Thread.ofVirtual().start(closing::close);
            String r = Select.<String>select()
                    .onReceive(Channel.<Integer>unbuffered(), v -> "never")
                    .onReceive(ready, v -> "ready")
                    .onReceiveResult(closing, v -> "closing")
                    .orElse(() -> "default")
                    .run();
            assertFalse(r.equals("default") || r.equals("never"), r);
            closer.join();
        }
    }

    @Test
    void receiveCaseOnAClosedChannelIsReady() throws Exception {
        Channel<String> ch = Channel.buffered(2);
        IllegalStateException cause = new IllegalStateException("gone");
        ch.close(cause);
        Received<String> r = Select.<Received<String>>select().onReceiveResult(ch, v -> v).orElse(() -> null).run();
        assertTrue(r.isClosed());
        assertSame(cause, r.cause().orElseThrow());
        ChannelClosedException e = assertThrows(ChannelClosedException.class,
                () -> Select.<String>select().onReceive(ch, v -> v).run());
        assertSame(cause, e.getCause());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void sendCaseOnAClosedChannelThrowsInsteadOfHanging(ChannelKind kind) {
        Channel<String> ch = kind.create();
        ch.close();
        assertThrows(ChannelClosedException.class, () -> Select.<String>select().onSend(ch, "x", () -> "sent").run());
    }

    @Test
    void closeWakesABlockedSelect() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        CompletableFuture<Boolean> selecting = async(() -> Select.<Boolean>select()
                .onReceiveResult(ch, Received::isClosed).run());
        TestSupport.awaitWaitingReceivers(ch, 1);
        ch.close();
        assertTrue(selecting.get(10, TimeUnit.SECONDS));
    }

    @Test
    void fairnessTwoAlwaysReadyCasesOutOfFourSplitEvenly() throws Exception {
        Channel<Integer> a = Channel.buffered(1);
        Channel<Integer> b = Channel.buffered(1);
        Channel<Integer> never1 = Channel.unbuffered();
        Channel<Integer> never2 = Channel.buffered(1);
        a.send(0);
        b.send(0);
        int n = 10_000;
        int fromA = 0;
        for (int i = 0; i < n; i++) {
            String which = Select.<String>select()
                    .onReceive(never1, v -> "never1")
                    .onReceive(a, v -> "a")
                    .onReceive(never2, v -> "never2")
                    .onReceive(b, v -> "b")
                    .run();
            if (which.equals("a")) {
                fromA++;
                a.send(0);
            } else {
                assertEquals("b", which);
                b.send(0);
            }
        }
        double sigma = Math.sqrt(n * 0.25);
        assertTrue(Math.abs(fromA - n / 2.0) <= 10 * sigma, "a chosen " + fromA + " of " + n);
    }

    @Test
    void prioritySelectAlwaysTakesTheFirstReadyCase() throws Exception {
        Channel<Integer> idle = Channel.unbuffered();
        Channel<Integer> first = Channel.buffered(1);
        Channel<Integer> second = Channel.buffered(1);
        for (int i = 0; i < 1000; i++) {
            first.send(i);
            second.trySend(i);
            String which = Select.<String>prioritySelect()
                    .onReceive(idle, v -> "idle")
                    .onReceive(first, v -> "first")
                    .onReceive(second, v -> "second")
                    .run();
            assertEquals("first", which);
        }
    }

    @Test
    void nullAndDisabledCasesAreNeverChosen() throws Exception {
        Channel<Integer> ready = Channel.buffered(1);
        ready.send(1);
        for (int i = 0; i < 100; i++) {
            String r = Select.<String>select()
                    .onReceive((ReceiveChannel<Integer>) null, v -> "null")
                    .onReceiveIf(false, ready, v -> "disabled")
                    .onSendIf(false, ready, 2, () -> "disabled send")
                    .orElse(() -> "default")
                    .run();
            assertEquals("default", r);
        }
        assertEquals(1, ready.receive());
    }

    @Test
    void timeoutFiresAtOnceWhenNotPositiveUnlessACaseIsReady() throws Exception {
        Channel<Integer> ch = Channel.buffered(1);
        assertEquals("timeout", Select.<String>select().onReceive(ch, v -> "v").onTimeout(Duration.ZERO, () -> "timeout").run());
        ch.send(1);
        assertEquals("v", Select.<String>select().onReceive(ch, v -> "v").onTimeout(Duration.ZERO, () -> "timeout").run());
        long start = System.nanoTime();
        assertEquals("timeout", Select.<String>select().onReceive(ch, v -> "v")
                .onTimeout(Duration.ofMillis(30), () -> "timeout").run());
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30));
        assertEquals(0, ((AbstractChannel<?>) ch).waitingReceivers());
    }

    @Test
    void interruptRemovesEveryRegistration() throws Exception {
        Channel<Integer> a = Channel.unbuffered();
        Channel<Integer> b = Channel.buffered(4);
        CompletableFuture<Thread> thread = new CompletableFuture<>();
        CompletableFuture<String> selecting = async(() -> {
            thread.complete(Thread.currentThread());
            return Select.<String>select().onReceive(a, v -> "a").onReceive(b, v -> "b").onSend(a, 5, () -> "sent").run();
        });
        TestSupport.awaitWaitingReceivers(b, 1);
        thread.get().interrupt();
        ExecutionException e = assertThrows(ExecutionException.class, () -> selecting.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof InterruptedException, e.getCause().toString());
        assertEquals(0, ((AbstractChannel<?>) a).waitingReceivers());
        assertEquals(0, ((AbstractChannel<?>) a).waitingSenders());
        assertEquals(0, ((AbstractChannel<?>) b).waitingReceivers());
        assertFalse(a.trySend(1), "nobody waits on a any more");
    }

    @Test
    void sendAndReceiveCaseOnTheSameChannelNeverPair() throws Exception {
        Channel<Integer> ch = Channel.unbuffered();
        String r = Select.<String>select()
                .onSend(ch, 1, () -> "sent")
                .onReceive(ch, v -> "received " + v)
                .onTimeout(Duration.ofMillis(20), () -> "timeout")
                .run();
        assertEquals("timeout", r);
        assertEquals(0, ((AbstractChannel<?>) ch).waitingSenders());
        assertEquals(0, ((AbstractChannel<?>) ch).waitingReceivers());
    }

    @Test
    void theSameChannelTwiceIsAllowedAndLeavesTheQueuesIntactForOthers() throws Exception {
        Channel<Integer> ch = Channel.unbuffered();
        CompletableFuture<Integer> plain = async(ch::receive);
        TestSupport.awaitWaitingReceivers(ch, 1);
        CompletableFuture<String> selecting = async(() -> Select.<String>select()
                .onReceive(ch, v -> "one " + v)
                .onReceive(ch, v -> "two " + v)
                .run());
        TestSupport.awaitWaitingReceivers(ch, 3);
        ch.send(1); // the plain receiver queued first gets it
        assertEquals(1, plain.get(10, TimeUnit.SECONDS));
        ch.send(2);
        assertTrue(selecting.get(10, TimeUnit.SECONDS).endsWith(" 2"));
        assertEquals(0, ((AbstractChannel<?>) ch).waitingReceivers());
    }

    @Test
    void twoSelectsOnOppositeChannelPairsMakeProgress() throws Exception {
        Channel<Integer> c1 = Channel.unbuffered();
        Channel<Integer> c2 = Channel.unbuffered();
        int rounds = 10_000;
        CompletableFuture<Integer> left = async(() -> exchange(c1, c2, rounds));
        CompletableFuture<Integer> right = async(() -> exchange(c2, c1, rounds));
        // every round pairs one side's send with the other side's receive
        assertEquals(rounds, left.get(30, TimeUnit.SECONDS) + right.get(30, TimeUnit.SECONDS));
    }

    /** Each round sends on {@code out} or receives from {@code in}, whichever pairs first; returns how many received. */
    private static int exchange(Channel<Integer> out, Channel<Integer> in, int rounds) throws InterruptedException {
        int received = 0;
        for (int i = 0; i < rounds; i++) {
            received += Select.<Integer>select().onSend(out, i, () -> 0).onReceive(in, v -> 1).run();
        }
        return received;
    }

    @Test
    void selectWorksWithViewsTimersAndTickers() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        ch.sendOnly().send("v");
        assertEquals("v", Select.<String>select().onReceive(ch.receiveOnly(), v -> v).run());
        assertEquals("after", Select.<String>select().onReceive(Channels.after(Duration.ofMillis(5)), t -> "after").run());
        try (Ticker ticker = Channels.ticker(Duration.ofMillis(5))) {
            assertEquals("tick", Select.<String>select().onReceive(ticker, t -> "tick").run());
        }
    }

    @Test
    void aForeignChannelImplementationIsRefusedClearly() {
        @SuppressWarnings("unchecked")
        ReceiveChannel<String> foreign = (ReceiveChannel<String>) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {ReceiveChannel.class}, (proxy, method, args) -> null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Select.<String>select().onReceive(foreign, v -> v));
        assertTrue(e.getMessage().contains("Hoare channels"), e.getMessage());
    }

    /** 100,000 selects that wait and are woken leave nothing behind in the channels. */
    @Test
    void hundredThousandBlockingSelectsKeepMemoryFlat() throws Exception {
        Channel<Integer> data = Channel.unbuffered();
        Channel<Integer> idle = Channel.buffered(4);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 100_000; i++) {
                    data.send(i);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Runtime rt = Runtime.getRuntime();
        long before = 0;
        for (int i = 0; i < 100_000; i++) {
            int v = Select.<Integer>select().onReceive(idle, x -> -1).onReceive(data, x -> x).run();
            assertEquals(i, v);
            if (i == 1000) {
                System.gc();
                before = rt.totalMemory() - rt.freeMemory();
            }
        }
        producer.join();
        assertEquals(0, ((AbstractChannel<?>) idle).waitingReceivers());
        assertEquals(0, ((AbstractChannel<?>) data).waitingReceivers());
        System.gc();
        long after = rt.totalMemory() - rt.freeMemory();
        assertTrue(after - before < 32L * 1024 * 1024, "heap grew by " + (after - before) / 1024 + " KiB");
    }

    /**
     * Go's select stress: senders select over channels of capacity 0, 0, 2 and 3, disabling a
     * channel once its quota is sent; receivers select likewise. Ends without deadlock, every value once.
     */
    @Test
    void selectStressOverMixedCapacitiesEndsWithoutDeadlock() throws Exception {
        int perChannel = 20_000;
        List<Channel<Integer>> chans = List.of(Channel.unbuffered(), Channel.unbuffered(), Channel.buffered(2), Channel.buffered(3));
        AtomicIntegerArray seen = new AtomicIntegerArray(4 * perChannel);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            int[] sent = new int[4];
            try {
                while (sent[0] + sent[1] + sent[2] + sent[3] < 4 * perChannel) {
                    Select<Integer> s = Select.select();
                    for (int c = 0; c < 4; c++) {
                        int ci = c;
                        s.onSendIf(sent[c] < perChannel, chans.get(c), c * perChannel + sent[c], () -> ci);
                    }
                    sent[s.run()]++;
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        int[] received = new int[4];
        while (received[0] + received[1] + received[2] + received[3] < 4 * perChannel) {
            Select<Integer> s = Select.select();
            for (int c = 0; c < 4; c++) {
                int ci = c;
                s.onReceiveIf(received[c] < perChannel, chans.get(c), v -> {
                    seen.incrementAndGet(v);
                    return ci;
                });
            }
            received[s.run()]++;
        }
        sender.join(30_000);
        assertTrue(failures.isEmpty(), failures::toString);
        TestSupport.assertEachSeenOnce(seen, "capacities 0, 0, 2, 3");
    }

    /** 8 selecting producers and 8 selecting consumers over two channels: each value exactly once. */
    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#lossless")
    void exactlyOnceUnderSelectingProducersAndConsumers(ChannelKind kind) throws Exception {
        int producers = 8;
        int perProducer = 10_000;
        Channel<Integer> c1 = kind.create();
        Channel<Integer> c2 = kind.create();
        AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        Select.<Boolean>select().onSend(c1, base + i, () -> true).onSend(c2, base + i, () -> true).run();
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        Channel<Boolean> done = Channel.unbuffered();
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            consumers.add(Thread.ofVirtual().start(() -> {
                try {
                    // priority: values still buffered are taken before the end signal
                    while (Select.<Boolean>prioritySelect()
                            .onReceive(c1, v -> seen.incrementAndGet(v) > 0)
                            .onReceive(c2, v -> seen.incrementAndGet(v) > 0)
                            .onReceiveResult(done, r -> false)
                            .run()) {
                        // keep receiving
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(40_000);
            assertFalse(t.isAlive(), "producer stuck");
        }
        done.close();
        for (Thread t : consumers) {
            t.join(40_000);
            assertFalse(t.isAlive(), "consumer stuck");
        }
        assertTrue(failures.isEmpty(), failures::toString);
        TestSupport.assertEachSeenOnce(seen, kind);
    }
}
