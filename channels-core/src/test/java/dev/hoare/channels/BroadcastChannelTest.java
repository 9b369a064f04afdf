package dev.hoare.channels;

import dev.hoare.channels.internal.LockBroadcastChannel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastChannelTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static <E> List<E> drain(ReceiveChannel<E> ch) throws InterruptedException {
        List<E> out = new ArrayList<>();
        for (Received<E> r; (r = ch.receiveResult()).ok(); ) {
            out.add(r.value());
        }
        return out;
    }

    private static void awaitWaitingSenders(BroadcastChannel<?> b, int n) {
        LockBroadcastChannel<?> lb = (LockBroadcastChannel<?>) b;
        TestSupport.awaitTrue(n + " waiting senders on " + b, () -> lb.waitingSenders() == n);
    }

    private static void awaitWaitingOn(ReceiveChannel<?> subscription, int n) {
        LockBroadcastChannel.Subscription<?> s = (LockBroadcastChannel.Subscription<?>) subscription;
        TestSupport.awaitTrue(n + " senders waiting for room in " + s, () -> s.waitingSenders() == n);
    }

    // ---------------------------------------------------------------- delivery

    @Test
    void sendReachesEverySubscriberInOrder() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(8);
        ReceiveChannel<Integer> x = b.subscribe();
        ReceiveChannel<Integer> y = b.subscribe();
        for (int i = 0; i < 5; i++) {
            b.send(i);
        }
        b.close();
        assertEquals(List.of(0, 1, 2, 3, 4), drain(x));
        assertEquals(List.of(0, 1, 2, 3, 4), drain(y));
    }

    @Test
    void aSubscriptionSeesOnlyValuesSentAfterItSubscribed() throws Exception {
        BroadcastChannel<String> b = BroadcastChannel.buffered(4);
        ReceiveChannel<String> early = b.subscribe();
        b.send("before");
        ReceiveChannel<String> late = b.subscribe();
        b.send("after");
        b.close();
        assertEquals(List.of("before", "after"), drain(early));
        assertEquals(List.of("after"), drain(late));
    }

    @Test
    void sendWithNoSubscribersSucceedsAndGoesNowhere() throws Exception {
        List<String> undelivered = new CopyOnWriteArrayList<>();
        BroadcastChannel<String> b = BroadcastChannel.<String>builder().onUndelivered(undelivered::add).build();
        assertTrue(b.trySend("a"));
        b.send("b");
        assertEquals(0, b.subscriberCount());
        ReceiveChannel<String> s = b.subscribe();
        assertTrue(s.isEmpty(), "nothing replayed by default");
        assertEquals(List.of(), undelivered);
    }

    @Test
    void replayGivesANewSubscriberTheLastValuesUpToItsCapacity() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.<Integer>builder().capacity(8).replay(3).build();
        for (int i = 0; i < 5; i++) {
            b.send(i);
        }
        ReceiveChannel<Integer> all = b.subscribe();
        ReceiveChannel<Integer> small = b.subscribe(2, Overflow.SUSPEND);
        assertEquals(List.of(3, 4), List.of(small.receive(), small.receive()), "the newest two");
        b.send(5);
        b.close();
        assertEquals(List.of(2, 3, 4, 5), drain(all));
        assertEquals(List.of(5), drain(small));
        assertEquals(List.of(3, 4, 5), drain(b.subscribe()), "after the close: the replay, then closed");
    }

    @Test
    void aSubscriptionNeedsABuffer() {
        assertThrows(IllegalArgumentException.class, () -> BroadcastChannel.buffered(0));
        assertThrows(IllegalArgumentException.class, () -> BroadcastChannel.builder().capacity(0));
        assertThrows(IllegalArgumentException.class, () -> BroadcastChannel.builder().replay(-1));
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        assertThrows(IllegalArgumentException.class, () -> b.subscribe(0, Overflow.SUSPEND));
        assertThrows(NullPointerException.class, () -> b.trySend(null));
    }

    @Test
    void theBroadcastGoesWhereASendChannelIsExpected() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(4);
        ReceiveChannel<Integer> s = b.subscribe();
        SendChannel<Integer> out = b;
        try (out) {
            out.send(1);
            assertTrue(out.send(2, WAIT));
            assertTrue(out.trySend(3));
        }
        assertTrue(out.isClosedForSend());
        assertEquals(List.of(1, 2, 3), drain(s));
    }

    // ---------------------------------------------------------------- a slow subscriber, each overflow

    @Test
    void underSuspendTheSenderWaitsForTheSlowestSubscriber() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        ReceiveChannel<Integer> fast = b.subscribe();
        ReceiveChannel<Integer> slow = b.subscribe();
        b.send(1);
        assertEquals(1, fast.receive());
        CompletableFuture<Void> second = TestSupport.run(() -> b.send(2));
        awaitWaitingOn(slow, 1);
        assertFalse(second.isDone());
        assertTrue(fast.isEmpty(), "all or nothing: the fast subscriber has room but does not get 2 yet");
        assertEquals(1, slow.receive());
        second.get(10, TimeUnit.SECONDS);
        assertEquals(2, fast.receive());
        assertEquals(2, slow.receive());
    }

    @Test
    void aSelectReceiveOnAFullSubscriptionReleasesTheWaitingSender() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        ReceiveChannel<Integer> s = b.subscribe();
        b.send(1);
        CompletableFuture<Void> second = TestSupport.run(() -> b.send(2));
        awaitWaitingOn(s, 1);
        assertEquals(1, Select.<Integer>select().onReceive(s, v -> v).run());
        second.get(10, TimeUnit.SECONDS);
        assertEquals(2, s.receive());
    }

    @Test
    void trySendIsAllOrNothingWhenASuspendSubscriberIsFull() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(2);
        ReceiveChannel<Integer> roomy = b.subscribe();
        ReceiveChannel<Integer> tight = b.subscribe(1, Overflow.SUSPEND);
        assertTrue(b.trySend(1));
        assertFalse(b.trySend(2), "tight is full");
        assertEquals(List.of(1), List.of(roomy.tryReceive().orElseThrow()));
        assertTrue(roomy.isEmpty(), "nobody got 2");
        assertEquals(1, tight.receive());
        assertTrue(b.trySend(3));
        b.close();
        assertEquals(List.of(3), drain(roomy));
        assertEquals(List.of(3), drain(tight));
    }

    @Test
    void aTimedSendThatRunsOutOfTimeDeliversToNobody() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        ReceiveChannel<Integer> roomy = b.subscribe(4, Overflow.SUSPEND);
        ReceiveChannel<Integer> full = b.subscribe();
        b.send(1);
        assertFalse(b.send(2, Duration.ofMillis(20)));
        assertEquals(0, ((LockBroadcastChannel<?>) b).waitingSenders());
        assertEquals(0, ((LockBroadcastChannel.Subscription<?>) full).waitingSenders(), "it unqueued itself");
        b.close();
        assertEquals(List.of(1), drain(roomy));
        assertEquals(List.of(1), drain(full));
    }

    @Test
    void anInterruptedSendDeliversToNobodyAndLeavesTheBroadcastIntact() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        ReceiveChannel<Integer> roomy = b.subscribe(4, Overflow.SUSPEND);
        ReceiveChannel<Integer> full = b.subscribe();
        b.send(1);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread sender = Thread.ofVirtual().start(() -> {
            started.countDown();
            try {
                b.send(2);
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        started.await();
        awaitWaitingOn(full, 1);
        sender.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(1, full.receive());
        b.send(3);
        b.close();
        assertEquals(List.of(1, 3), drain(roomy));
        assertEquals(List.of(3), drain(full));
    }

    @Test
    void underDropOldestASlowSubscriberNeverHoldsTheSenderAndLosesItsOldest() throws Exception {
        List<Integer> undelivered = new CopyOnWriteArrayList<>();
        BroadcastChannel<Integer> b = BroadcastChannel.<Integer>builder().capacity(2)
                .overflow(Overflow.DROP_OLDEST).onUndelivered(undelivered::add).build();
        ReceiveChannel<Integer> slow = b.subscribe();
        ReceiveChannel<Integer> keeper = b.subscribe(Channel.UNLIMITED, Overflow.SUSPEND);
        for (int i = 0; i < 5; i++) {
            assertTrue(b.trySend(i));
        }
        b.close();
        assertEquals(List.of(3, 4), drain(slow));
        assertEquals(List.of(0, 1, 2, 3, 4), drain(keeper));
        assertEquals(List.of(0, 1, 2), undelivered);
    }

    @Test
    void underDropLatestASlowSubscriberNeverHoldsTheSenderAndLosesTheNewest() throws Exception {
        List<Integer> undelivered = new CopyOnWriteArrayList<>();
        BroadcastChannel<Integer> b = BroadcastChannel.<Integer>builder().capacity(2)
                .overflow(Overflow.DROP_LATEST).onUndelivered(undelivered::add).build();
        ReceiveChannel<Integer> slow = b.subscribe();
        ReceiveChannel<Integer> slower = b.subscribe(1, Overflow.DROP_LATEST);
        for (int i = 0; i < 4; i++) {
            b.send(i);
        }
        b.close();
        assertEquals(List.of(0, 1), drain(slow));
        assertEquals(List.of(0), drain(slower));
        assertEquals(List.of(1, 2, 2, 3, 3), undelivered, "each subscription's drops, in send order");
    }

    // ---------------------------------------------------------------- close and cancel

    @Test
    void closeLetsEachSubscriptionDrainThenReportsTheCause() throws Exception {
        BroadcastChannel<String> b = BroadcastChannel.buffered(4);
        ReceiveChannel<String> x = b.subscribe();
        ReceiveChannel<String> y = b.subscribe();
        b.send("a");
        b.send("b");
        IllegalStateException cause = new IllegalStateException("done");
        assertTrue(b.close(cause));
        assertFalse(b.close(cause), "idempotent");
        assertTrue(b.isClosedForSend());
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> b.send("c")).getCause());
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> b.trySend("c")).getCause());
        for (ReceiveChannel<String> s : List.of(x, y)) {
            assertFalse(s.isClosedForReceive());
            assertEquals("a", s.receive());
            assertEquals("b", s.receive());
            Received<String> end = s.receiveResult();
            assertFalse(end.ok());
            assertSame(cause, end.cause().orElseThrow());
            assertTrue(s.isClosedForReceive());
        }
        ReceiveChannel<String> late = b.subscribe();
        assertSame(cause, assertThrows(ChannelClosedException.class, late::receive).getCause());
    }

    @Test
    void aSenderWaitingAtTheCloseStillDeliversBeforeTheSubscriptionsClose() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
        ReceiveChannel<Integer> s = b.subscribe();
        b.send(1);
        CompletableFuture<Void> waiting = TestSupport.run(() -> b.send(2));
        awaitWaitingSenders(b, 1);
        b.close();
        assertThrows(ChannelClosedException.class, () -> b.send(3));
        assertFalse(s.isClosedForReceive());
        assertEquals(1, s.receive());
        waiting.get(10, TimeUnit.SECONDS);
        assertEquals(List.of(2), drain(s));
        assertTrue(s.isClosedForReceive());
    }

    @Test
    void cancellingASubscriptionDetachesItDiscardsItsBufferAndReleasesAWaitingSender() throws Exception {
        List<Integer> undelivered = new CopyOnWriteArrayList<>();
        BroadcastChannel<Integer> b = BroadcastChannel.<Integer>builder().capacity(1)
                .onUndelivered(undelivered::add).build();
        ReceiveChannel<Integer> stays = b.subscribe(4, Overflow.SUSPEND);
        ReceiveChannel<Integer> leaves = b.subscribe();
        b.send(1);
        CompletableFuture<Void> waiting = TestSupport.run(() -> b.send(2));
        awaitWaitingOn(leaves, 1);
        leaves.cancel();
        waiting.get(10, TimeUnit.SECONDS);
        assertEquals(1, b.subscriberCount());
        assertEquals(List.of(1), undelivered);
        assertThrows(ChannelClosedException.class, leaves::receive);
        b.send(3);
        b.close();
        assertEquals(List.of(1, 2, 3), drain(stays), "the others are not disturbed");
    }

    @Test
    void closingASubscriptionDetachesItButKeepsWhatItHas() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(2);
        ReceiveChannel<Integer> stays = b.subscribe();
        ReceiveChannel<Integer> leaves = b.subscribe();
        b.send(1);
        b.send(2);
        CompletableFuture<Void> waiting = TestSupport.run(() -> b.send(3));
        awaitWaitingSenders(b, 1);
        leaves.close();
        assertEquals(List.of(1, 2), drain(leaves));
        assertEquals(1, stays.receive());
        waiting.get(10, TimeUnit.SECONDS);
        b.close();
        assertEquals(List.of(2, 3), drain(stays));
    }

    // ---------------------------------------------------------------- a subscription is a channel

    @Test
    void aSelectWaitingOnSubscriptionsOfTwoBroadcastsTakesWhicheverSends() throws Exception {
        BroadcastChannel<String> news = BroadcastChannel.buffered(1);
        BroadcastChannel<Integer> ticks = BroadcastChannel.buffered(1);
        ReceiveChannel<String> n = news.subscribe();
        ReceiveChannel<Integer> t = ticks.subscribe();
        CompletableFuture<String> chosen = TestSupport.async(() -> Select.<String>select()
                .onReceive(n, s -> "news " + s)
                .onReceive(t, i -> "tick " + i)
                .run());
        TestSupport.awaitWaitingReceivers((Channel<?>) ((LockBroadcastChannel.Subscription<?>) t).channel, 1);
        ticks.send(7);
        assertEquals("tick 7", chosen.get(10, TimeUnit.SECONDS));
        news.send("x");
        assertEquals("news x", Select.<String>select().onReceive(n, s -> "news " + s)
                .onReceive(t, i -> "tick " + i).run());
        news.close();
        assertEquals("closed", Select.<String>select().onReceiveResult(n, r -> r.ok() ? "value" : "closed").run());
    }

    @Test
    void iterationOverASubscriptionEndsAtTheClose() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(2);
        ReceiveChannel<Integer> s = b.subscribe();
        CompletableFuture<List<Integer>> seen = TestSupport.async(() -> {
            List<Integer> out = new ArrayList<>();
            for (int v : s) {
                out.add(v);
            }
            return out;
        });
        for (int i = 0; i < 10; i++) {
            b.send(i);
        }
        b.close();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), seen.get(10, TimeUnit.SECONDS));
    }
}
