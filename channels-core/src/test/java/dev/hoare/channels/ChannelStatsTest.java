package dev.hoare.channels;

import static dev.hoare.channels.contract.StatsPolling.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Counters per channel end ({@link Channels#stats}) match exactly what a scenario sent, received and blocked. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ChannelStatsTest {

    static ChannelStats stats(Object end) {
        return Channels.stats(end).orElseThrow();
    }

    @Test
    void bufferedCountsSendsReceivesDepthAndABlockedSender() throws Exception {
        Channel<Integer> ch = Channel.<Integer>builder().capacity(4).name("orders").build();
        for (int i = 0; i < 4; i++) {
            assertTrue(ch.trySend(i));
        }
        ChannelStats full = stats(ch);
        assertEquals(new ChannelStats("orders", "inproc", 4, 0, 4, 4, 0, 0, 0, 0, -1, -1, -1, -1, -1, -1, -1, -1), full);
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                ch.send(4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        await(ch, s -> s.blockedSenders() == 1);
        assertEquals(4, stats(ch).sent(), "a blocked send is not sent yet");
        assertEquals(0, ch.receive());
        assertEquals(1, ch.receive());
        sender.join();
        ChannelStats after = stats(ch);
        assertEquals(5, after.sent());
        assertEquals(2, after.received());
        assertEquals(3, after.depth());
        assertEquals(0, after.blockedSenders());
        assertTrue(after.sendBlockedNanos() > 0, "the blocked sender's wait is counted: " + after);
        assertEquals(0, after.receiveBlockedNanos());
        assertEquals(after, stats(ch.sendOnly()), "a view reports its channel");
        assertEquals(after, stats(ch.receiveOnly()));
    }

    @Test
    void unbufferedCountsAHandOffAndABlockedReceiver() throws Exception {
        Channel<String> ch = Channel.<String>builder().name("rendezvous").build();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                ch.receive();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ChannelStats waiting = await(ch, s -> s.blockedReceivers() == 1);
        assertEquals(0, waiting.sent());
        assertEquals(0, waiting.capacity());
        ch.send("x");
        receiver.join();
        ChannelStats s = stats(ch);
        assertEquals(1, s.sent());
        assertEquals(1, s.received());
        assertEquals(0, s.depth());
        assertEquals(0, s.blockedReceivers());
        assertTrue(s.receiveBlockedNanos() > 0, s.toString());
        // a sender that blocks until a receiver comes: sent only when taken
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                ch.send("y");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertEquals(1, await(ch, t -> t.blockedSenders() == 1).sent());
        assertEquals("y", ch.receive());
        sender.join();
        assertEquals(2, stats(ch).sent());
        assertEquals(2, stats(ch).received());
    }

    @Test
    void cancelDiscardsAreNeitherReceivedNorQueued() {
        Channel<Integer> ring = Channel.buffered(8);
        Channel<Integer> locked = Channel.unlimited();
        for (Channel<Integer> ch : java.util.List.of(ring, locked)) {
            for (int i = 0; i < 5; i++) {
                ch.trySend(i);
            }
            ch.tryReceive();
            ch.cancel();
            ChannelStats s = stats(ch);
            assertEquals(5, s.sent(), ch.toString());
            assertEquals(1, s.received(), ch.toString());
            assertEquals(0, s.depth(), ch.toString());
            assertEquals("", s.name());
        }
        assertEquals(Long.MAX_VALUE, stats(locked).capacity());
    }

    @Test
    void aBroadcastSubscriptionCountsItsValuesAndTheBroadcastSenderWaitingForRoom() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(2);
        ReceiveChannel<Integer> sub = b.subscribe();
        b.send(1);
        b.send(2);
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                b.send(3);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        ChannelStats blocked = await(sub, s -> s.blockedSenders() == 1);
        assertEquals("broadcast", blocked.transport());
        assertEquals(2, blocked.sent());
        assertEquals(2, blocked.depth());
        assertEquals(2, blocked.capacity());
        assertEquals(1, sub.receive());
        sender.join();
        ChannelStats s = stats(sub);
        assertEquals(3, s.sent());
        assertEquals(1, s.received());
        assertEquals(2, s.depth());
        assertEquals(0, s.blockedSenders());
    }

    @Test
    void aNameMustFollowTheLocalNameRule() {
        for (String bad : new String[] {"", "-x", "a/b", "a..b", "a b", "x".repeat(101), "a\0"}) {
            assertThrows(IllegalArgumentException.class, () -> Channel.builder().name(bad), bad);
        }
        Channel<Integer> ch = Channel.<Integer>builder().capacity(2).name("prices.eu-1_a").build();
        assertTrue(ch.toString().contains("prices.eu-1_a"), ch.toString());
        assertEquals("prices.eu-1_a", stats(ch).name());
    }

    @Test
    void anEndThatKeepsNoCountersHasNone() {
        SendChannel<Integer> foreign = new SendChannel<>() {
            @Override public void send(Integer v) { }
            @Override public boolean send(Integer v, java.time.Duration t) { return true; }
            @Override public boolean trySend(Integer v) { return true; }
            @Override public void close() { }
            @Override public boolean close(Throwable cause) { return false; }
            @Override public boolean isClosedForSend() { return false; }
        };
        assertTrue(Channels.stats(foreign).isEmpty());
    }

    @Test
    void namingAChannelDoesNotKeepItAlive() throws Exception {
        java.lang.ref.WeakReference<Channel<Integer>> ref = new java.lang.ref.WeakReference<>(
                Channel.<Integer>builder().capacity(2).name("dropped").build());
        for (int i = 0; i < 3000; i++) {
            Channel.<Integer>builder().capacity(2).name("churn" + i).build(); // registrations prune the registry
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (ref.get() != null) {
            assertTrue(System.nanoTime() < deadline, "the registry kept a named channel alive");
            System.gc();
            Thread.sleep(10);
        }
    }
}
