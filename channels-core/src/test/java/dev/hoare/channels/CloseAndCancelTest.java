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

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseAndCancelTest {

    /** Close races a receiver that is draining concurrently; repeated so every interleaving gets a chance. */
    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#lossless")
    void closeDeliversBufferedValuesInOrderThenClosedEveryTime(ChannelKind kind) throws Exception {
        for (int round = 0; round < 500; round++) {
            Channel<Integer> ch = kind.create();
            int n = 50;
            CompletableFuture<Void> producer = run(() -> {
                for (int i = 0; i < n; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            List<Integer> got = new ArrayList<>();
            Received<Integer> r;
            while ((r = ch.receiveResult()).ok()) {
                got.add(r.value());
            }
            producer.get(10, TimeUnit.SECONDS);
            assertEquals(IntStream.range(0, n).boxed().toList(), got, kind + " round " + round);
            assertTrue(ch.isClosedForReceive());
            assertTrue(ch.receiveResult().isClosed(), "closed stays closed");
        }
    }

    /**
     * A lossy channel may drop values, but what it delivers is in order; it always ends with the last
     * value sent, except under DROP_LATEST, which always keeps the first.
     */
    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void closeNeverLosesTheLastValueSent(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        CompletableFuture<Void> producer = run(() -> {
            for (int i = 0; i < 1000; i++) {
                ch.send(i);
            }
            ch.close();
        });
        List<Integer> got = ch.stream().toList();
        producer.get(10, TimeUnit.SECONDS);
        if (kind.overflow == Overflow.DROP_LATEST) {
            assertEquals(0, got.get(0));
        } else {
            assertEquals(999, got.get(got.size() - 1));
        }
        for (int i = 1; i < got.size(); i++) {
            assertTrue(got.get(i - 1) < got.get(i), "in order: " + got);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void closeWakesEveryParkedReceiver(ChannelKind kind) throws Exception {
        Channel<String> ch = kind.create();
        List<CompletableFuture<Received<String>>> receivers = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            receivers.add(async(ch::receiveResult));
        }
        awaitWaitingReceivers(ch, 10);
        assertTrue(ch.close(null));
        for (CompletableFuture<Received<String>> r : receivers) {
            assertTrue(r.get(10, TimeUnit.SECONDS).isClosed());
        }
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#blockingSenders")
    void senderBlockedAtCloseStillDelivers(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        for (int i = 0; i < kind.capacity; i++) {
            ch.send(i);
        }
        CompletableFuture<Void> blocked = run(() -> ch.send(kind.capacity));
        awaitWaitingSenders(ch, 1);
        ch.close();
        assertTrue(ch.isClosedForSend());
        assertFalse(ch.isClosedForReceive(), "values are still to be received");
        assertThrows(ChannelClosedException.class, () -> ch.send(99));
        assertFalse(blocked.isDone(), "the blocked sender waits for a receiver, it is not failed");
        List<Integer> got = ch.stream().toList();
        assertEquals(IntStream.rangeClosed(0, kind.capacity).boxed().toList(), got);
        blocked.get(10, TimeUnit.SECONDS);
        assertTrue(ch.isClosedForReceive());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void causeReachesDrainedReceivers(ChannelKind kind) throws Exception {
        Channel<String> ch = kind.create();
        IllegalStateException cause = new IllegalStateException("upstream failed");
        ch.trySend("last");
        assertTrue(ch.close(cause));
        assertFalse(ch.close(new RuntimeException("second")), "close is idempotent");
        ch.close();
        if (kind.capacity > 0) {
            assertEquals("last", ch.receive());
        }
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertSame(cause, e.getCause());
        assertSame(cause, ch.receiveResult().cause().orElseThrow());
        assertSame(cause, assertThrows(ChannelClosedException.class, ch::tryReceive).getCause());
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> ch.iterator().hasNext()).getCause());
        assertSame(cause, assertThrows(ChannelClosedException.class, () -> ch.send("late")).getCause());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void sendAfterCloseThrowsAndPlainCloseEndsIterationQuietly(ChannelKind kind) throws Exception {
        Channel<String> ch = kind.create();
        ch.close();
        assertTrue(ch.isClosedForSend());
        assertTrue(ch.isClosedForReceive());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, () -> ch.trySend("x"));
        assertEquals(null, e.getCause());
        assertFalse(ch.iterator().hasNext());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void cancelDiscardsWakesSendersAndReceiversAndRunsTheHookOncePerValue(ChannelKind kind) throws Exception {
        List<Integer> undelivered = Collections.synchronizedList(new ArrayList<>());
        Channel<Integer> ch = kind.create(undelivered::add);
        int buffered = Math.min(kind.capacity, 5);
        for (int i = 0; i < buffered; i++) {
            ch.send(i);
        }
        CompletableFuture<Void> blockedSender = null;
        if (kind.canBlockSender()) {
            while (ch.trySend(100)) {
                buffered++;
            }
            blockedSender = run(() -> ch.send(-1));
            awaitWaitingSenders(ch, 1);
        }
        Channel<Integer> empty = kind.create(undelivered::add);
        CompletableFuture<Received<Integer>> blockedReceiver = async(empty::receiveResult);
        awaitWaitingReceivers(empty, 1);

        ch.cancel();
        empty.cancel();
        assertEquals(buffered, undelivered.size(), "hook ran once per buffered value: " + undelivered);
        assertTrue(ch.isClosedForSend());
        assertTrue(ch.isClosedForReceive(), "cancel discards at once");
        assertThrows(ChannelClosedException.class, ch::tryReceive);
        if (blockedSender != null) {
            ExecutionException e = assertThrows(ExecutionException.class, blockedSender::get);
            assertInstanceOf(ChannelClosedException.class, e.getCause());
            assertInstanceOf(CancellationException.class, e.getCause().getCause());
            assertFalse(undelivered.contains(-1), "a failed send keeps its value; the hook does not see it");
        }
        Received<Integer> r = blockedReceiver.get(10, TimeUnit.SECONDS);
        assertTrue(r.isClosed());
        assertInstanceOf(CancellationException.class, r.cause().orElseThrow());

        ch.cancel();
        assertEquals(buffered, undelivered.size(), "a second cancel discards nothing more");
    }

    @Test
    void cancelAfterCloseDiscardsWhatIsBufferedAndKeepsTheCloseCause() throws Exception {
        List<String> undelivered = new ArrayList<>();
        Channel<String> ch = Channel.<String>builder().capacity(4).onUndelivered(undelivered::add).build();
        ch.send("a");
        ch.send("b");
        IllegalStateException cause = new IllegalStateException("done");
        ch.close(cause);
        ch.cancel(new RuntimeException("ignored: already closed"));
        assertEquals(List.of("a", "b"), undelivered);
        assertSame(cause, ch.receiveResult().cause().orElseThrow());
    }

    @Test
    void hookFailureReachesTheCancellerAfterCancelTookEffect() throws Exception {
        Channel<String> ch = Channel.<String>builder().capacity(4).onUndelivered(v -> {
            throw new IllegalArgumentException("hook " + v);
        }).build();
        ch.send("a");
        ch.send("b");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, ch::cancel);
        assertEquals("hook a", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertTrue(ch.isClosedForReceive());
    }

    @Test
    void timedOperationsReportClosedInsteadOfTimingOut() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        CompletableFuture<Object> receiver = async(() -> ch.receive(Duration.ofSeconds(30)));
        awaitWaitingReceivers(ch, 1);
        ch.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> receiver.get(10, TimeUnit.SECONDS));
        assertInstanceOf(ChannelClosedException.class, e.getCause());
        assertThrows(ChannelClosedException.class, () -> ch.send("x", Duration.ofSeconds(1)));
    }
}
