package dev.hoare.channels.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What the stream machinery does beyond the transport contract: handshake failures, frame limits, release. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamChannelsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final StreamOptions options = StreamOptions.defaults().withCapacity(4).withTimeout(Duration.ofSeconds(20));

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private SocketChannel[] socketPair() throws IOException {
        return SocketPairs.open(open);
    }

    private <T> CompletableFuture<ReceiveChannel<T>> receiverLater(SocketChannel s, Codec<T> codec, StreamOptions o) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                ReceiveChannel<T> r = StreamChannels.receiver(Links.socket(s, "test receiver"), codec, o);
                open.add(r);
                return r;
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aPeerThatNeverSaysHelloFailsTheOpenWithinTheTimeout() throws Exception {
        SocketChannel[] s = socketPair();
        long t0 = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> StreamChannels.sender(Links.socket(s[0], "silent peer"),
                Codec.utf8(), options.withTimeout(Duration.ofMillis(300))));
        long took = System.nanoTime() - t0;
        assertTrue(e.getMessage().contains("no handshake"), e.getMessage());
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300) && took < TimeUnit.SECONDS.toNanos(10), took + " ns");
        assertTrue(!s[0].isOpen(), "the link is closed after a failed open");
    }

    @Test
    void aPeerSpeakingAnotherVersionIsRefusedNamingBoth() throws Exception {
        SocketChannel[] s = socketPair();
        CompletableFuture<ReceiveChannel<String>> receiving = receiverLater(s[1], Codec.utf8(), options);
        byte[] hello = FrameWriter.encode(Frame.hello("utf8", 1 << 20));
        hello[14] = 1; // version 2 -> 1 (u16 after length, kind, stream and magic)
        s[0].write(ByteBuffer.wrap(hello));
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> receiving.get(20, TimeUnit.SECONDS)).getCause().getCause();
        assertInstanceOf(ChannelProtocolException.class, failure);
        assertEquals("protocol version mismatch: peer speaks 1, we speak 2", failure.getMessage());
    }

    @Test
    void aValueLargerThanThePeerAcceptsIsRefusedAndTheChannelStaysUsable() throws Exception {
        SocketChannel[] s = socketPair();
        CompletableFuture<ReceiveChannel<byte[]>> receiving = receiverLater(s[1], Codec.bytes(),
                new StreamOptions(4, 1024, Duration.ofSeconds(20), false));
        SendChannel<byte[]> out = StreamChannels.sender(Links.socket(s[0], "test sender"), Codec.bytes(), options);
        open.add(out);
        ReceiveChannel<byte[]> in = receiving.get(20, TimeUnit.SECONDS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> out.send(new byte[1024]));
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
        out.send(new byte[1019]); // kind byte + stream (4) + 1019 = 1024: the largest that fits
        assertEquals(1019, in.receive(Duration.ofSeconds(20)).orElseThrow().length);
    }

    @Test
    void aReceiverThatReleasesItsEndClosesTheSenderWithoutPeerLoss() throws Exception {
        SocketChannel[] s = socketPair();
        CompletableFuture<ReceiveChannel<String>> receiving = receiverLater(s[1], Codec.utf8(), options);
        SendChannel<String> out = StreamChannels.sender(Links.socket(s[0], "test sender"), Codec.utf8(), options);
        open.add(out);
        ReceiveChannel<String> in = receiving.get(20, TimeUnit.SECONDS);
        out.send("a");
        assertEquals("a", in.receive(Duration.ofSeconds(20)).orElseThrow());
        in.close();
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                out.send("more", Duration.ofMillis(100));
            }
        });
        assertNull(closed.getCause(), "a release is a plain close, not a lost peer: " + closed.getCause());
    }

    /** A sending and a receiving end over one socket pair: the sender's return path carries the credits. */
    private record OneWay(SendChannel<String> out, ReceiveChannel<String> in, SocketChannel[] sockets) {
    }

    private OneWay oneWay(int capacity) throws Exception {
        SocketChannel[] s = socketPair();
        StreamOptions o = options.withCapacity(capacity);
        CompletableFuture<ReceiveChannel<String>> receiving = receiverLater(s[1], Codec.utf8(), o);
        SendChannel<String> out = StreamChannels.sender(Links.socket(s[0], "test sender"), Codec.utf8(), o);
        open.add(out);
        return new OneWay(out, receiving.get(20, TimeUnit.SECONDS), s);
    }

    /** A thread whose send waits for a credit: the thread, and how its send ends. */
    private record Blocked(Thread thread, CompletableFuture<Void> outcome) {
    }

    /** Starts a thread sending {@code value} on a full window; returns once it waits. */
    private Blocked sendBlocked(OneWay p, String value) throws Exception {
        CompletableFuture<Thread> sending = new CompletableFuture<>();
        CompletableFuture<Void> outcome = onThread(() -> {
            sending.complete(Thread.currentThread());
            p.out().send(value);
            return null;
        });
        Thread t = sending.get(20, TimeUnit.SECONDS);
        SocketPairs.awaitWaiting(t, Duration.ofSeconds(20));
        return new Blocked(t, outcome);
    }

    /**
     * A sender out of credits waits reading the return path itself (non-blocking sockets): a
     * timed send then gives up at its time and its value never goes, and the credit that comes
     * later is still seen, by that thread or by the return path's own.
     */
    @Test
    void aTimedSendWithoutCreditsGivesUpAtItsTimeAndItsValueNeverArrives() throws Exception {
        OneWay p = oneWay(2);
        p.out().send("a");
        p.out().send("b");
        long t0 = System.nanoTime();
        assertFalse(p.out().send("lost", Duration.ofMillis(300)), "no credit: the send gives up");
        long took = System.nanoTime() - t0;
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300) && took < TimeUnit.SECONDS.toNanos(10), took + " ns");
        assertEquals("a", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
        assertTrue(p.out().send("c", Duration.ofSeconds(20)), "the credit for a came back");
        assertEquals("b", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
        assertEquals("c", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
        assertEquals(Optional.empty(), p.in().receive(Duration.ofMillis(100)));
        // nobody waits now: the return path's thread reads the credits for b and c, so a trySend succeeds
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!p.out().trySend("d")) {
            assertTrue(System.nanoTime() < deadline, "the credits never reached the sending end");
            Thread.onSpinWait();
        }
        assertEquals("d", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
    }

    @Test
    void anInterruptedSenderWaitingForCreditsThrowsAndItsValueNeverArrives() throws Exception {
        OneWay p = oneWay(1);
        p.out().send("a");
        Blocked b = sendBlocked(p, "lost");
        b.thread().interrupt();
        Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> b.outcome().get(20, TimeUnit.SECONDS)).getCause();
        assertInstanceOf(InterruptedException.class, failure);
        assertEquals("a", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
        p.out().send("b");
        assertEquals("b", p.in().receive(Duration.ofSeconds(20)).orElseThrow());
        assertEquals(Optional.empty(), p.in().receive(Duration.ofMillis(100)));
    }

    @Test
    void aSenderWaitingForCreditsSeesTheReceiverReleaseItsEndOrItsProcessGo() throws Exception {
        for (boolean killed : new boolean[] {false, true}) {
            OneWay p = oneWay(1);
            p.out().send("a");
            Blocked b = sendBlocked(p, "b");
            if (killed) {
                p.sockets()[1].close(); // the receiver's process is gone: its socket closes under it
            } else {
                p.in().close(); // releases its end: RELEASE on the return path
            }
            Throwable failure = assertThrows(java.util.concurrent.ExecutionException.class, () -> b.outcome().get(20, TimeUnit.SECONDS)).getCause();
            assertInstanceOf(ChannelClosedException.class, failure);
            if (killed) {
                assertInstanceOf(dev.hoare.channels.PeerLostException.class, failure.getCause());
            } else {
                assertNull(failure.getCause(), "a release is a plain close: " + failure.getCause());
            }
        }
    }

    /**
     * A long stream through the default window, every value in order: credits go back from the
     * credit thread and from the receiving thread before it waits (whichever comes first), and
     * the sender reads them itself; a credit lost on the way stalls the stream. (A rare race of
     * that kind, found with a throwaway harness, took up to a million values to show.)
     */
    @Test
    void aLongStreamThroughTheDefaultWindowNeverStalls() throws Exception {
        OneWay p = oneWay(StreamOptions.DEFAULT_CAPACITY);
        int n = 300_000;
        CompletableFuture<Void> sending = onThread(() -> {
            for (int i = 0; i < n; i++) {
                p.out().send(Integer.toString(i));
            }
            return null;
        });
        for (int i = 0; i < n; i++) {
            int expected = i;
            assertEquals(Integer.toString(i), p.in().receive(Duration.ofSeconds(20))
                    .orElseThrow(() -> new AssertionError("the stream stalled at value " + expected)));
        }
        sending.get(20, TimeUnit.SECONDS);
    }

    /** Senders out of credits take turns reading the return path: every value arrives once, each sender's in order. */
    @Test
    void manySendersWaitingForCreditsDeliverEveryValueOnceInEachSendersOrder() throws Exception {
        OneWay p = oneWay(2);
        int senders = 6;
        int each = 1_000;
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int t = 0; t < senders; t++) {
            int id = t;
            Thread.Builder b = t % 2 == 0 ? Thread.ofPlatform().daemon() : Thread.ofVirtual();
            CompletableFuture<Void> done = new CompletableFuture<>();
            b.start(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        if (!p.out().send(id + ":" + i, Duration.ofSeconds(20))) {
                            throw new AssertionError("no credit within 20 s for " + id + ":" + i);
                        }
                    }
                    done.complete(null);
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            sending.add(done);
        }
        int[] next = new int[senders];
        for (int n = 0; n < senders * each; n++) {
            String v = p.in().receive(Duration.ofSeconds(20)).orElseThrow(() -> new AssertionError("a value never came"));
            int id = Integer.parseInt(v.substring(0, v.indexOf(':')));
            assertEquals(next[id]++, Integer.parseInt(v.substring(v.indexOf(':') + 1)), "out of order or repeated from sender " + id);
        }
        for (CompletableFuture<Void> f : sending) {
            f.get(20, TimeUnit.SECONDS);
        }
        assertEquals(Optional.empty(), p.in().receive(Duration.ofMillis(100)));
    }

    @Test
    void oneLinkCarriesAChannelEachWayForRequestAndResponse() throws Exception {
        SocketChannel[] s = socketPair();
        CompletableFuture<StreamChannels.Duplex<byte[], String>> serving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.duplex(Links.socket(s[1], "server side"), StreamChannels.Role.ACCEPTING, Codec.bytes(), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (StreamChannels.Duplex<String, byte[]> client = StreamChannels.duplex(Links.socket(s[0], "client side"),
                Codec.utf8(), Codec.bytes(), options)) {
            StreamChannels.Duplex<byte[], String> server = serving.get(20, TimeUnit.SECONDS);
            open.add(server);
            for (int i = 0; i < 500; i++) { // more than the capacity (4) each way: credits flow both ways
                client.out().send("request " + i);
                String request = server.in().receive(Duration.ofSeconds(20)).orElseThrow();
                assertEquals("request " + i, request);
                server.out().send(request.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                assertEquals("request " + i, new String(client.in().receive(Duration.ofSeconds(20)).orElseThrow(),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
            client.out().close(new IllegalStateException("no more requests"));
            ChannelClosedException done = assertThrows(ChannelClosedException.class, () -> server.in().receive(Duration.ofSeconds(20)));
            assertTrue(done.getCause().getMessage().contains("no more requests"), done.getCause().getMessage());
            server.out().send("still answering".getBytes(java.nio.charset.StandardCharsets.UTF_8)); // the other way is still open
            assertEquals(15, client.in().receive(Duration.ofSeconds(20)).orElseThrow().length);
            server.in().close(); // the server releases its receive end: the client's send end is closed (already), no loss
            server.out().close();
            assertThrows(ChannelClosedException.class, () -> client.in().receive(Duration.ofSeconds(20)));
        }
    }

    /** Both sides of a request/response connection over a socket pair, and the pair's sockets. */
    private record DuplexPair(StreamChannels.Duplex<String, String> client, StreamChannels.Duplex<String, String> server,
            SocketChannel[] sockets) {
    }

    private DuplexPair duplexPair() throws Exception {
        SocketChannel[] s = socketPair();
        CompletableFuture<StreamChannels.Duplex<String, String>> serving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.duplex(Links.socket(s[1], "server side"), StreamChannels.Role.ACCEPTING, Codec.utf8(), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        StreamChannels.Duplex<String, String> client = StreamChannels.duplex(Links.socket(s[0], "client side"),
                Codec.utf8(), Codec.utf8(), options);
        open.add(client);
        StreamChannels.Duplex<String, String> server = serving.get(20, TimeUnit.SECONDS);
        open.add(server);
        return new DuplexPair(client, server, s);
    }

    /** Runs {@code body} on a platform thread of its own (the common pool may have a single thread here). */
    private static <T> CompletableFuture<T> onThread(java.util.concurrent.Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /**
     * A thread waiting to receive reads the socket itself (Java 25): the credits for the other
     * channel arrive meanwhile and must reach it, or a sender beyond the capacity would stall.
     */
    @Test
    void creditsForTheSendingChannelGetThroughWhileAThreadWaitsToReceive() throws Exception {
        DuplexPair p = duplexPair();
        CompletableFuture<String> waiting = onThread(() -> p.client().in().receive()); // nothing comes until the end
        CompletableFuture<List<String>> taking = onThread(() -> {
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                got.add(p.server().in().receive(Duration.ofSeconds(20)).orElseThrow());
            }
            return got;
        });
        for (int i = 0; i < 200; i++) { // 50 times the capacity: the credits must come back
            assertTrue(p.client().out().send("v" + i, Duration.ofSeconds(20)), "no credit for value " + i);
        }
        List<String> got = taking.get(20, TimeUnit.SECONDS);
        assertEquals(java.util.stream.IntStream.range(0, 200).mapToObj(i -> "v" + i).toList(), got);
        assertFalse(waiting.isDone(), "nothing was sent the other way yet");
        p.server().out().send("the answer");
        assertEquals("the answer", waiting.get(20, TimeUnit.SECONDS));
    }

    /** With no thread receiving, the credits still get through (the link's own thread reads them). */
    @Test
    void creditsGetThroughWithNobodyReceivingOnTheSendingSide() throws Exception {
        DuplexPair p = duplexPair();
        CompletableFuture<Integer> taking = onThread(() -> {
            int n = 0;
            while (n < 200) {
                assertEquals("w" + n, p.server().in().receive(Duration.ofSeconds(20)).orElseThrow());
                n++;
            }
            return n;
        });
        for (int i = 0; i < 200; i++) {
            assertTrue(p.client().out().send("w" + i, Duration.ofSeconds(20)), "no credit for value " + i);
        }
        assertEquals(200, taking.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aTimedReceiveOnADuplexWaitsItsWholeTimeAndAnUntimedOneEndsWhenTheEndIsCancelled() throws Exception {
        DuplexPair p = duplexPair();
        // credits and values cross meanwhile (the other channel), waking the waiting thread's reads
        CompletableFuture<Void> traffic = onThread(() -> {
            for (int i = 0; i < 50; i++) {
                p.client().out().send("t" + i);
                assertEquals("t" + i, p.server().in().receive(Duration.ofSeconds(20)).orElseThrow());
            }
            return null;
        });
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), p.client().in().receive(Duration.ofMillis(300)));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(300), "returned early, after " + waited + " ns");
        traffic.get(20, TimeUnit.SECONDS);

        CompletableFuture<Throwable> blocked = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                blocked.complete(new AssertionError("received " + p.client().in().receive()));
            } catch (Throwable e) {
                blocked.complete(e);
            }
        });
        SocketPairs.awaitWaiting(receiver, Duration.ofSeconds(20));
        p.client().in().cancel();
        assertInstanceOf(ChannelClosedException.class, blocked.get(20, TimeUnit.SECONDS));
    }

    @Test
    void aPeerKilledOnADuplexLinkIsPeerLostBothWays() throws Exception {
        DuplexPair p = duplexPair();
        StreamChannels.Duplex<String, String> client = p.client();
        p.sockets()[1].close(); // the server's process is gone: its socket closes under it
        ChannelClosedException in = assertThrows(ChannelClosedException.class, () -> client.in().receive(Duration.ofSeconds(20)));
        assertInstanceOf(dev.hoare.channels.PeerLostException.class, in.getCause());
        ChannelClosedException out = assertThrows(ChannelClosedException.class, () -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                client.out().send("x", Duration.ofMillis(100));
            }
        });
        assertInstanceOf(dev.hoare.channels.PeerLostException.class, out.getCause());
    }

    @Test
    void durationOptionsTakeUnitsOrIso8601AndRefuseAnythingElse() {
        Endpoint e = Endpoint.parse(URI.create("x:a?a=250ms&b=5s&c=2m&d=1h&e=PT0.5S&f=5"));
        assertEquals(Duration.ofMillis(250), e.durationOption("a", null));
        assertEquals(Duration.ofSeconds(5), e.durationOption("b", null));
        assertEquals(Duration.ofMinutes(2), e.durationOption("c", null));
        assertEquals(Duration.ofHours(1), e.durationOption("d", null));
        assertEquals(Duration.ofMillis(500), e.durationOption("e", null));
        assertEquals(Duration.ofSeconds(7), e.durationOption("missing", Duration.ofSeconds(7)));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> e.durationOption("f", null));
        assertTrue(bad.getMessage().contains("f=5 is not a duration"), bad.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> StreamOptions.from(Endpoint.parse(URI.create("x:a?timeout=0s"))));
    }

    @Test
    void durationsPrintAsPeopleReadThemNeverIso8601() {
        assertEquals("10 s", Endpoint.formatDuration(Duration.ofSeconds(10)));
        assertEquals("1.5 s", Endpoint.formatDuration(Duration.ofMillis(1500)));
        assertEquals("1.25 s", Endpoint.formatDuration(Duration.ofMillis(1250)));
        assertEquals("250 ms", Endpoint.formatDuration(Duration.ofMillis(250)));
        assertEquals("0.5 ms", Endpoint.formatDuration(Duration.ofNanos(500_000)));
        assertEquals("0 ms", Endpoint.formatDuration(Duration.ZERO));
        assertEquals("90 s", Endpoint.formatDuration(Duration.ofSeconds(90)));
        assertEquals("2 min", Endpoint.formatDuration(Duration.ofMinutes(2)));
        assertEquals("1 h", Endpoint.formatDuration(Duration.ofHours(1)));
        assertEquals("-3 s", Endpoint.formatDuration(Duration.ofSeconds(-3)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StreamOptions.from(Endpoint.parse(URI.create("x:a?timeout=0s"))));
        assertEquals("timeout must be positive, was 0 ms", e.getMessage());
    }
}
