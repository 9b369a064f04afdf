package dev.hoare.channels;

import static dev.hoare.channels.TestSupport.async;
import static dev.hoare.channels.TestSupport.awaitWaitingReceivers;
import static dev.hoare.channels.TestSupport.awaitWaitingSenders;
import static dev.hoare.channels.TestSupport.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelBasicsTest {

    @Test
    void fifoOrderForEveryCapacityFrom0To200() throws Exception {
        for (int capacity = 0; capacity <= 200; capacity++) {
            Channel<Integer> ch = Channel.buffered(capacity);
            int n = 2 * capacity + 10;
            CompletableFuture<Void> producer = run(() -> {
                for (int i = 0; i < n; i++) {
                    ch.send(i);
                }
                ch.close();
            });
            List<Integer> got = new ArrayList<>();
            for (Integer v : ch) {
                got.add(v);
            }
            producer.get(10, TimeUnit.SECONDS);
            assertEquals(IntStream.range(0, n).boxed().toList(), got, "capacity " + capacity);
        }
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#blockingSenders")
    void sendBeyondCapacityWaitsAndTrySendFails(ChannelKind kind) throws Exception {
        Channel<Integer> ch = kind.create();
        for (int i = 0; i < kind.capacity; i++) {
            assertTrue(ch.trySend(i), "room for value " + i);
        }
        assertFalse(ch.trySend(-1), "trySend on a full channel");
        assertFalse(ch.send(-2, Duration.ofMillis(20)), "timed send on a full channel");
        assertEquals(kind.capacity, ch.size());

        CompletableFuture<Void> blocked = run(() -> ch.send(kind.capacity));
        awaitWaitingSenders(ch, 1);
        assertFalse(blocked.isDone(), "the (capacity+1)-th send must wait");
        assertEquals(0, ch.receive());
        blocked.get(10, TimeUnit.SECONDS);
        for (int i = 1; i <= kind.capacity; i++) {
            assertEquals(i, ch.receive());
        }
        assertTrue(ch.isEmpty());
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void receiveOnEmptyWaitsAndTryReceiveSaysEmptyNotClosed(ChannelKind kind) throws Exception {
        Channel<String> ch = kind.create();
        assertEquals(Optional.empty(), ch.tryReceive());
        assertFalse(ch.isClosedForReceive());
        assertEquals(Optional.empty(), ch.receive(Duration.ofMillis(20)));

        CompletableFuture<String> receiver = async(ch::receive);
        awaitWaitingReceivers(ch, 1);
        assertFalse(receiver.isDone());
        ch.send("x");
        assertEquals("x", receiver.get(10, TimeUnit.SECONDS));
    }

    @Test
    void unbufferedTrySendFailsUnlessReceiverIsParked() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        assertFalse(ch.trySend("nobody"));
        assertEquals(Optional.empty(), ch.tryReceive(), "a failed trySend leaves nothing behind");

        CompletableFuture<String> receiver = async(ch::receive);
        awaitWaitingReceivers(ch, 1);
        assertTrue(ch.trySend("somebody"));
        assertEquals("somebody", receiver.get(10, TimeUnit.SECONDS));
        assertFalse(ch.trySend("nobody again"));
    }

    @Test
    void unbufferedSendCompletesOnlyWhenTaken() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        CompletableFuture<Void> sender = run(() -> ch.send("v"));
        awaitWaitingSenders(ch, 1);
        assertFalse(sender.isDone());
        assertEquals(Optional.of("v"), ch.tryReceive());
        sender.get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#all")
    void nullValuesAreRejected(ChannelKind kind) {
        Channel<String> ch = kind.create();
        assertThrows(NullPointerException.class, () -> ch.send(null));
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(NullPointerException.class, () -> ch.send(null, Duration.ofMillis(1)));
        assertTrue(ch.isEmpty());
    }

    @ParameterizedTest
    @ValueSource(ints = {-1, -100, Integer.MIN_VALUE})
    void negativeCapacityIsRejected(int capacity) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Channel.buffered(capacity));
        assertTrue(e.getMessage().contains("capacity"), e.getMessage());
    }

    @Test
    void dropPolicyWithoutBufferIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> Channel.buffered(0, Overflow.DROP_OLDEST));
        assertThrows(IllegalArgumentException.class, () -> Channel.buffered(0, Overflow.DROP_LATEST));
    }

    @Test
    void capacityAndSizeReportTheKind() throws Exception {
        assertEquals(0, Channel.unbuffered().capacity());
        assertEquals(Channel.UNLIMITED, Channel.unlimited().capacity());
        assertEquals(1, Channel.conflated().capacity());
        assertEquals(Overflow.DROP_OLDEST, Channel.conflated().overflow());
        Channel<Integer> ch = Channel.buffered(4);
        ch.send(1);
        ch.send(2);
        assertEquals(2, ch.size());
        assertEquals(4, ch.capacity());
    }

    @Test
    void unlimitedNeverMakesTheSenderWait() throws Exception {
        Channel<Integer> ch = Channel.unlimited();
        for (int i = 0; i < 100_000; i++) {
            assertTrue(ch.trySend(i));
        }
        assertEquals(100_000, ch.size());
        for (int i = 0; i < 100_000; i++) {
            assertEquals(i, ch.receive());
        }
    }

    @Test
    void viewsRestrictTheDirection() throws Exception {
        Channel<String> ch = Channel.buffered(2);
        SendChannel<String> out = ch.sendOnly();
        ReceiveChannel<String> in = ch.receiveOnly();
        assertFalse(out instanceof ReceiveChannel<?>, "a send-only view cannot be cast to receive");
        assertFalse(in instanceof SendChannel<?>, "a receive-only view cannot be cast to send");
        out.send("a");
        assertEquals("a", in.receive());
        out.close();
        assertTrue(in.receiveResult().isClosed());
    }

    @Test
    void iterationAndStreamEndAtClose() throws Exception {
        Channel<Integer> ch = Channel.buffered(8);
        for (int i = 1; i <= 5; i++) {
            ch.send(i);
        }
        ch.close();
        assertEquals(15, ch.stream().mapToInt(Integer::intValue).sum());
        assertFalse(ch.iterator().hasNext());
    }

    @Test
    void receiveResultIsGosCommaOk() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        ch.send("v");
        ch.close();
        Received<String> first = ch.receiveResult();
        assertTrue(first.ok());
        assertEquals("v", first.value());
        Received<String> second = ch.receiveResult();
        assertFalse(second.ok());
        assertTrue(second.cause().isEmpty());
        assertThrows(ChannelClosedException.class, second::value);
    }
}
