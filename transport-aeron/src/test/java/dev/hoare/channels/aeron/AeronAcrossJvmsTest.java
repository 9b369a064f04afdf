package dev.hoare.channels.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code aeron:} between two JVMs, each with its own embedded media driver, over loopback UDP, as
 * two hosts would talk: packet loss, a partition both ways, a receiver killed and restarted,
 * senders in several JVMs feeding one channel. (The contract kit, {@link AeronContractTest}, runs
 * the rest, with SIGKILL of either end in a child JVM.)
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AeronAcrossJvmsTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private final List<ChildJvm> children = new ArrayList<>();
    private final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeEverything() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    /** A child JVM running {@link AeronPeer}; a receiving one opens when a sender comes (this JVM's openSend waits for it). */
    private ChildJvm peer(String... args) throws Exception {
        ChildJvm c = ChildJvm.start(AeronPeer.class, args);
        children.add(c);
        return c;
    }

    private static URI endpoint(int port, String options) {
        return URI.create("aeron:udp?endpoint=127.0.0.1:" + port + "&stream=9&" + options);
    }

    @Test
    void everyValueArrivesExactlyOnceInOrderThroughTwentyPercentLossEachWay() throws Exception {
        URI uri = endpoint(AeronContractTest.freePort(), "senders=one&capacity=64");
        ChildJvm receiver = peer("recv", uri.toString(), "3000", "loss=0.2");
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
            for (int i = 0; i < 3000; i++) {
                try {
                    out.send(Integer.toString(i));
                } catch (ChannelClosedException e) {
                    throw new AssertionError("closed at value " + i + " (" + e.getCause() + "); the receiver printed " + receiver.printed(), e);
                }
            }
        }
        assertEquals("DONE 3000", receiver.expect("DONE").strip(), "the lossy driver dropped a fifth of the frames; Aeron resent them");
        assertEquals(0, receiver.exitCode());
    }

    @Test
    void aPartitionBothWaysEndsInPeerLostOnBothSidesWithinTheLiveness() throws Exception {
        URI uri = endpoint(AeronContractTest.freePort(), "senders=one&capacity=16&liveness=1s");
        ChildJvm receiver = peer("recv", uri.toString(), "1000000", "partitionable");
        SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
        opened.add(out);
        int i = 0;
        for (; i < 200; i++) {
            out.send(Integer.toString(i));
        }
        receiver.expect("GOT 99");
        receiver.tell("partition");
        receiver.expect("PARTITIONED");
        long cut = System.nanoTime();
        int from = i;
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            for (int j = from; ; j++) {
                assertTrue(System.nanoTime() - cut < TimeUnit.SECONDS.toNanos(10), "still sending 10 s into the partition");
                out.send(Integer.toString(j), Duration.ofSeconds(10));
            }
        });
        assertInstanceOf(PeerLostException.class, closed.getCause(), "the sender's close cause");
        assertTrue(receiver.expect("CLOSED").startsWith("CLOSED PeerLostException"), "the receiver's side");
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - cut);
        assertTrue(took < 6_000, "both sides saw the partition in " + took + " ms (liveness 1 s)");
    }

    @Test
    void aReceiverKilledAndRestartedOnItsAddressIsReachedByNewSenders() throws Exception {
        int port = AeronContractTest.freePort();
        URI uri = endpoint(port, "senders=one&capacity=16&liveness=1s");
        ChildJvm first = peer("recv", uri.toString(), "1000000");
        SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
        opened.add(out);
        for (int i = 0; i < 100; i++) {
            out.send(Integer.toString(i));
        }
        first.expect("GOT 99");
        first.process().destroyForcibly(); // SIGKILL
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            for (int j = 100; ; j++) {
                out.send(Integer.toString(j), Duration.ofSeconds(10));
            }
        });
        assertInstanceOf(PeerLostException.class, closed.getCause());

        ChildJvm second = peer("recv", uri.toString(), "500");
        try (SendChannel<String> again = Channels.openSend(uri, Codec.utf8())) {
            for (int i = 0; i < 500; i++) {
                again.send(Integer.toString(i));
            }
        }
        assertEquals("DONE 500", second.expect("DONE").strip());
    }

    @Test
    void sendersInTwoOtherJvmsAndThisOneFeedOneReceivingChannelEachInItsOrder() throws Exception {
        URI uri = endpoint(AeronContractTest.freePort(), "senders=many&capacity=8");
        ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8());
        opened.add(in);
        int each = 1500;
        ChildJvm a = peer("send", uri.toString(), Integer.toString(each), "a");
        ChildJvm b = peer("send", uri.toString(), Integer.toString(each), "b");
        CompletableFuture<Void> local = CompletableFuture.runAsync(() -> {
            try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
                for (int i = 0; i < each; i++) {
                    out.send("p:" + i);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Map<String, Integer> next = new HashMap<>(Map.of("a", 0, "b", 0, "p", 0));
        for (int n = 0; n < 3 * each; n++) {
            Optional<String> v = in.receive(WAIT);
            if (v.isEmpty()) {
                throw new AssertionError("value " + n + " of " + 3 * each + " never came; next expected " + next + "; a printed "
                        + a.printed() + ", b printed " + b.printed() + ", this JVM's sender " + local);
            }
            String sender = v.get().substring(0, 1);
            int i = Integer.parseInt(v.get().substring(2));
            assertEquals(next.get(sender), i, "sender " + sender + "'s values out of order or repeated");
            next.put(sender, i + 1);
        }
        assertEquals(Map.of("a", each, "b", each, "p", each), next);
        assertEquals("SENT " + each, a.expect("SENT").strip());
        assertEquals("SENT " + each, b.expect("SENT").strip());
        local.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        // the senders closed; the channel stays open for others (senders=many) until closed here
        assertTrue(in.tryReceive().isEmpty());
        assertTrue(!in.isClosedForReceive());
    }

    @Test
    void aValueAboveTheMtuArrivesWholeAndOneAboveTheMaxFrameIsRefusedAtSend() throws Exception {
        // two embedded drivers in this JVM, one per end, as two hosts
        int port = AeronContractTest.freePort();
        URI receiving = endpoint(port, "senders=one&driver=embedded:host-a&mtu=1408");
        URI sending = endpoint(port, "senders=one&driver=embedded:host-b&mtu=1408");
        CompletableFuture<ReceiveChannel<byte[]>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(receiving, Codec.bytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        SendChannel<byte[]> out = Channels.openSend(sending, Codec.bytes());
        opened.add(out);
        ReceiveChannel<byte[]> in = opening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(in);
        byte[] big = new byte[200_000]; // about 140 Aeron frames of 1408 bytes
        new java.util.Random(7).nextBytes(big);
        out.send(big);
        assertTrue(java.util.Arrays.equals(big, in.receive(WAIT).orElseThrow()), "reassembled whole");
        IllegalArgumentException tooBig = assertThrows(IllegalArgumentException.class, () -> out.send(new byte[600_000]));
        assertTrue(tooBig.getMessage().contains("524284"), tooBig.getMessage());
        assertTrue(out.trySend(new byte[] {1}), "the end is still usable after the refusal");
        assertEquals(1, in.receive(WAIT).orElseThrow().length);

        IllegalArgumentException notInATerm = assertThrows(IllegalArgumentException.class,
                () -> Channels.openSend(endpoint(port, "maxFrame=1048576"), Codec.bytes()));
        assertTrue(notInATerm.getMessage().contains("term-length"), notInATerm.getMessage());
    }

    @Test
    void aSenderNotInTheReceiversAllowListIsRefusedLoggedAndCounted() throws Exception {
        int port = AeronContractTest.freePort();
        long before = AeronTransport.refusedPeers();
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(endpoint(port, "senders=one&allow=192.0.2.1&timeout=3s"), Codec.utf8());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        java.io.IOException refused = assertThrows(java.io.IOException.class,
                () -> opened.add(Channels.openSend(endpoint(port, "timeout=1s"), Codec.utf8())));
        assertTrue(refused.getMessage().contains("within 1 s"), refused.getMessage());
        assertTrue(AeronTransport.refusedPeers() > before, "counted");
        java.util.concurrent.ExecutionException noSender = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> opening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertTrue(String.valueOf(noSender.getCause().getMessage()).contains("no sender came"), String.valueOf(noSender.getCause()));
    }

    @Test
    void aReceiverOnAPortInUseFailsWithABindExceptionNamingIt() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            URI uri = endpoint(taken.getLocalPort(), "senders=one&timeout=1s");
            java.net.BindException e = assertThrows(java.net.BindException.class, () -> Channels.openReceive(uri, Codec.utf8()));
            assertTrue(e.getMessage().contains("127.0.0.1:" + taken.getLocalPort()) && e.getMessage().contains("in use"), e.getMessage());
        }
    }
}
