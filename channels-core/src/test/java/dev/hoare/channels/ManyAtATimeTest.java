package dev.hoare.channels;

import static dev.hoare.channels.TestSupport.async;
import static dev.hoare.channels.TestSupport.awaitWaitingReceivers;
import static dev.hoare.channels.TestSupport.awaitWaitingSenders;
import static dev.hoare.channels.TestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link SendChannel#sendMany} and {@link ReceiveChannel#receiveMany}/{@link ReceiveChannel#tryReceiveMany} in one process. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ManyAtATimeTest {

    /** The kinds whose senders can be made to wait and that hold values: a run can be cut short by a full buffer. */
    static java.util.stream.Stream<ChannelKind> bounded() {
        return ChannelKind.blockingSenders().filter(k -> k.capacity > 0);
    }

    private static List<Integer> range(int from, int to) {
        return IntStream.range(from, to).boxed().toList();
    }

    @ParameterizedTest
    @MethodSource("bounded")
    void sendManySendsWhatFitsWithoutWaitingAndSaysHowMany(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        int sent = ch.sendMany(range(0, kind.capacity + 3));
        assertEquals(kind.capacity, sent, "the room there was");
        assertEquals(kind.capacity, ch.size());
        List<Integer> got = new ArrayList<>();
        assertEquals(kind.capacity, ch.tryReceiveMany(got, 1000));
        assertEquals(range(0, kind.capacity), got, "a prefix, in order");
        assertEquals(0, ch.tryReceiveMany(got, 1000), "empty now");
    }

    @ParameterizedTest
    @MethodSource("bounded")
    void sendManyWaitsForRoomForTheFirstValueOnly(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        assertEquals(kind.capacity, ch.sendMany(range(0, kind.capacity)));
        CompletableFuture<Integer> blocked = async(() -> ch.sendMany(List.of(100, 101, 102)));
        awaitWaitingSenders(ch, 1);
        assertFalse(blocked.isDone());
        assertEquals(0, ch.receive());
        assertEquals(1, blocked.get(10, TimeUnit.SECONDS), "room for one: the first goes, the rest are not waited for");
        List<Integer> got = new ArrayList<>();
        ch.tryReceiveMany(got, 1000);
        List<Integer> expected = new ArrayList<>(range(1, kind.capacity));
        expected.add(100);
        assertEquals(expected, got);
    }

    @Test
    void onAnUnbufferedChannelTheFirstWaitsForAReceiverAndTheRestGoOnlyToWaitingOnes() throws Exception {
        Channel<Integer> ch = Channel.unbuffered();
        CompletableFuture<Integer> sending = async(() -> ch.sendMany(List.of(1, 2, 3)));
        awaitWaitingSenders(ch, 1);
        List<Integer> got = new ArrayList<>();
        assertEquals(1, ch.receiveMany(got, 10), "an unbuffered channel holds nothing beyond the waiting sender's value");
        assertEquals(List.of(1), got);
        assertEquals(1, sending.get(10, TimeUnit.SECONDS));

        CompletableFuture<Integer> receiver = async(ch::receive);
        awaitWaitingReceivers(ch, 1);
        assertEquals(1, ch.sendMany(List.of(7, 8)), "one receiver waited: one value went");
        assertEquals(7, receiver.get(10, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void aNullAnywhereInTheListSendsNothing(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        NullPointerException e = assertThrows(NullPointerException.class, () -> ch.sendMany(Arrays.asList(1, 2, null)));
        assertTrue(e.getMessage().contains("values[2]"), e.getMessage());
        assertThrows(NullPointerException.class, () -> ch.sendMany(null));
        assertTrue(ch.isEmpty(), "nothing was sent");
        assertEquals(0, ch.sendMany(List.of()), "an empty list sends nothing and does not wait");
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void aClosedChannelRefusesTheFirstValueAndReportsItsCauseAfterTheValuesBeforeIt(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        int sent = kind.capacity == 0 ? 0 : ch.sendMany(List.of(1, 2));
        IllegalStateException cause = new IllegalStateException("done");
        ch.close(cause);
        ChannelClosedException refused = assertThrows(ChannelClosedException.class, () -> ch.sendMany(List.of(3)));
        assertSame(cause, refused.getCause());
        List<Integer> got = new ArrayList<>();
        if (sent > 0) {
            assertEquals(kind.isLossy() ? 2 : Math.min(2, kind.capacity), sent, "what fits, or all with a drop policy");
            List<Integer> kept = kind == ChannelKind.CONFLATED ? List.of(2) : List.of(1, 2).subList(0, sent);
            assertEquals(kept.size(), ch.receiveMany(got, 10), "what was sent (and kept) before the close is received");
            assertEquals(kept, got);
        }
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> ch.receiveMany(got, 10)).getCause());
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> ch.tryReceiveMany(got, 10)).getCause());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void receiveManyWaitsForOneThenTakesWhatIsThereUpToTheMaximum(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        List<Integer> got = new ArrayList<>();
        CompletableFuture<Integer> waiting = async(() -> ch.receiveMany(got, 3));
        awaitWaitingReceivers(ch, 1);
        assertFalse(waiting.isDone(), "nothing to receive: it waits");
        ch.send(42);
        assertEquals(1, waiting.get(10, TimeUnit.SECONDS));
        assertEquals(List.of(42), got);

        if (kind.capacity >= 5 || kind.capacity == Channel.UNLIMITED) {
            got.clear();
            ch.sendMany(range(0, 5));
            assertEquals(3, ch.receiveMany(got, 3), "no more than the maximum");
            assertEquals(2, ch.receiveMany(got, 3), "what was left");
            assertEquals(range(0, 5), got);
        }
        assertEquals(0, ch.tryReceiveMany(got, 3), "empty and open: nothing, at once");
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void aMaximumBelowOneIsRefusedAndTakesNothing(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        if (kind.capacity != 0) {
            ch.send(1);
        }
        List<Integer> got = new ArrayList<>();
        assertThrows(IllegalArgumentException.class, () -> ch.receiveMany(got, 0));
        assertThrows(IllegalArgumentException.class, () -> ch.tryReceiveMany(got, -1));
        assertThrows(NullPointerException.class, () -> ch.tryReceiveMany(null, 1));
        assertEquals(kind.capacity == 0 ? Optional.empty() : Optional.of(1), ch.tryReceive(), "nothing was taken");
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#blockingSenders")
    void anInterruptWhileWaitingForTheFirstSendsOrTakesNothing(ChannelKind kind) throws Exception {
        Channel<Integer> full = kind.create();
        full.sendMany(range(0, kind.capacity));
        CompletableFuture<Thread> senderThread = new CompletableFuture<>();
        CompletableFuture<Void> sender = run(() -> {
            senderThread.complete(Thread.currentThread());
            full.sendMany(List.of(-1, -2));
        });
        awaitWaitingSenders(full, 1);
        senderThread.get().interrupt();
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> sender.get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(InterruptedException.class, failure);
        List<Integer> got = new ArrayList<>();
        full.tryReceiveMany(got, 1000);
        assertEquals(range(0, kind.capacity), got, "the interrupted send left nothing behind");

        Channel<Integer> empty = kind.create();
        CompletableFuture<Thread> receiverThread = new CompletableFuture<>();
        CompletableFuture<Void> receiver = run(() -> {
            receiverThread.complete(Thread.currentThread());
            empty.receiveMany(got, 5);
        });
        awaitWaitingReceivers(empty, 1);
        receiverThread.get().interrupt();
        failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> receiver.get(10, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(InterruptedException.class, failure);
        if (kind.capacity == 0) {
            assertFalse(empty.trySend(9), "the interrupted receiver no longer waits");
        } else {
            empty.send(9);
            assertEquals(Optional.of(9), empty.tryReceive(), "the interrupted receive took nothing");
        }
    }

    @Test
    void aDroppingChannelTakesEveryValueAndKeepsWhatItsPolicyKeeps() throws Exception {
        Channel<Integer> oldest = Channel.buffered(4, Overflow.DROP_OLDEST);
        assertEquals(10, oldest.sendMany(range(0, 10)));
        Channel<Integer> latest = Channel.buffered(4, Overflow.DROP_LATEST);
        assertEquals(10, latest.sendMany(range(0, 10)));
        List<Integer> a = new ArrayList<>();
        List<Integer> b = new ArrayList<>();
        oldest.tryReceiveMany(a, 100);
        latest.tryReceiveMany(b, 100);
        assertEquals(range(6, 10), a);
        assertEquals(range(0, 4), b);
    }

    @Test
    void theSendAndReceiveOnlyViewsForwardBothOperations() throws Exception {
        Channel<Integer> ch = Channel.buffered(8);
        assertEquals(3, ch.sendOnly().sendMany(List.of(1, 2, 3)));
        List<Integer> got = new ArrayList<>();
        assertEquals(3, ch.receiveOnly().receiveMany(got, 8));
        assertEquals(List.of(1, 2, 3), got);
        assertEquals(0, ch.receiveOnly().tryReceiveMany(got, 8));
    }

    /** Four producers send runs of random length, four consumers take runs: every value once, in each producer's order. */
    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#lossless")
    void underStressEveryValueIsReceivedExactlyOnceInPerProducerOrder(ChannelKind kind) throws Exception {
        int producers = 4;
        int consumers = 4;
        int perProducer = 50_000;
        Channel<Integer> ch = kind.create();
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            sending.add(run(() -> {
                SplittableRandom random = new SplittableRandom(id);
                List<Integer> mine = IntStream.range(0, perProducer).map(i -> i * producers + id).boxed().toList();
                for (int i = 0; i < perProducer; ) {
                    int end = Math.min(perProducer, i + 1 + random.nextInt(64));
                    i += ch.sendMany(mine.subList(i, end));
                }
            }));
        }
        AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        List<CompletableFuture<Void>> receiving = new ArrayList<>();
        for (int c = 0; c < consumers; c++) {
            int id = c;
            receiving.add(run(() -> {
                SplittableRandom random = new SplittableRandom(100 + id);
                int[] last = new int[producers];
                Arrays.fill(last, -1);
                List<Integer> batch = new ArrayList<>();
                try {
                    while (true) {
                        batch.clear();
                        if (random.nextBoolean()) {
                            ch.receiveMany(batch, 1 + random.nextInt(32));
                        } else if (ch.tryReceiveMany(batch, 1 + random.nextInt(32)) == 0) {
                            Thread.yield();
                        }
                        for (int v : batch) {
                            int from = v % producers;
                            assertTrue(v > last[from], "producer " + from + "'s values out of order: " + v + " after " + last[from]);
                            last[from] = v;
                            seen.incrementAndGet(v);
                        }
                    }
                } catch (ChannelClosedException end) {
                    // closed and drained
                }
            }));
        }
        CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
        ch.close();
        CompletableFuture.allOf(receiving.toArray(CompletableFuture[]::new)).get(50, TimeUnit.SECONDS);
        TestSupport.assertEachSeenOnce(seen, kind);
    }
}
