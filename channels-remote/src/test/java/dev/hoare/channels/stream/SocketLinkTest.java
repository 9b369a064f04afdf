package dev.hoare.channels.stream;

import dev.hoare.channels.Channels;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.NativeMemory;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.net.StandardProtocolFamily;
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
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Channels over {@link Links#socket}: on Java 25 a socket in non-blocking mode that the receiving
 * and sending threads use themselves (the same tests run with {@code dev.hoare.socket.blocking}
 * in module transport-uds's second test run, over the blocking link).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SocketLinkTest extends SocketTestSupport {

    private SocketChannel[] socketPair() throws IOException {
        return SocketPairs.open(open);
    }

    /** A sender on one end of a socket pair and a receiver on the other, handshaken. */
    private <T> Pair<T> pair(Codec<T> codec, int capacity) throws Exception {
        SocketChannel[] s = socketPair();
        StreamOptions options = StreamOptions.defaults().withCapacity(capacity).withTimeout(DEADLINE);
        CompletableFuture<ReceiveChannel<T>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], "test receiver"), codec, options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        SendChannel<T> out = StreamChannels.sender(Links.socket(s[0], "test sender"), codec, options);
        ReceiveChannel<T> in = receiving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        open.add(in::cancel);
        open.add(out::close);
        return new Pair<>(out, in);
    }

    private record Pair<T>(SendChannel<T> out, ReceiveChannel<T> in) {
    }

    /**
     * Megabytes of values queued behind a full socket go to it in slices of 64 KiB. The JDK gives
     * each write of a heap buffer a temporary native buffer holding all that remains, and keeps it
     * for the thread. Written at once, a batch of 47 MiB left a native buffer of that size behind
     * and was copied again after each partial write: a request/response connection with a window
     * of 65,536 streamed 4 KiB values at 2,000 a second. In a child JVM, to read its native memory
     * ({@link LargeBatchChild}); both kinds of connection, both links (the blocking one in the
     * module's blocking-sockets run, whose setting the child inherits).
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"one-way", "request/response"})
    void megabytesQueuedBehindAFullSocketGoInSlices(String connection) throws Exception {
        try (ChildJvm child = ChildJvm.start(LargeBatchChild.class, List.of("-XX:NativeMemoryTracking=summary"), connection)) {
            child.expect("received " + LargeBatchChild.VALUES);
            long otherKb = NativeMemory.expectOtherKb(child);
            assertTrue(otherKb < 4 * 1024, "native memory tagged Other: " + otherKb + " KB; the child printed " + child.printed());
            assertEquals(0, child.exitCode());
        }
    }

    @Test
    void theLinkIsNonBlockingFromJava25UnlessSwitchedOff() throws Exception {
        SocketChannel[] s = socketPair();
        Link link = Links.socket(s[0], "test");
        boolean direct = Runtime.version().feature() >= 25 && !Boolean.getBoolean("dev.hoare.socket.blocking");
        assertEquals(direct, link.canReadNow());
        assertEquals(direct, link.canWriteNow());
        assertEquals(!direct, s[0].isBlocking());
        link.close();
        assertTrue(!s[0].isOpen());
    }

    /**
     * The wait the return path's thread uses: no time limit, but a wake-up ends it (false), and
     * bytes end it (true). A plain untimed wait does not end on a wake-up.
     */
    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void anUntimedWaitThatAWakeUpEndsEndsOnAWakeUpOrOnBytes(boolean virtual) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 25 && !Boolean.getBoolean("dev.hoare.socket.blocking"),
                "the blocking link has no direct reads");
        SocketChannel[] s = socketPair();
        Link link = Links.socket(s[0], "test");
        open.add(link);
        Thread.Builder b = virtual ? Thread.ofVirtual() : Thread.ofPlatform().daemon();
        for (boolean woken : new boolean[] {true, false}) {
            CompletableFuture<Boolean> outcome = new CompletableFuture<>();
            Thread t = b.start(() -> {
                try {
                    outcome.complete(link.awaitReadableUntilWoken());
                } catch (Throwable e) {
                    outcome.completeExceptionally(e);
                }
            });
            SocketPairs.awaitWaiting(t, DEADLINE);
            if (woken) {
                link.wakeReader();
            } else {
                s[1].write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            }
            assertEquals(!woken, outcome.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), woken ? "woken" : "bytes came");
        }
        CompletableFuture<Boolean> plain = new CompletableFuture<>();
        s[0].read(java.nio.ByteBuffer.allocate(1)); // the byte of the second round: the link is quiet again
        Thread t = b.start(() -> {
            try {
                plain.complete(link.awaitReadable(Long.MAX_VALUE));
            } catch (Throwable e) {
                plain.completeExceptionally(e);
            }
        });
        SocketPairs.awaitWaiting(t, DEADLINE);
        link.wakeReader();
        assertThrows(java.util.concurrent.TimeoutException.class, () -> plain.get(200, TimeUnit.MILLISECONDS),
                "an untimed awaitReadable goes on waiting after a wake-up");
        s[1].write(java.nio.ByteBuffer.wrap(new byte[] {2}));
        assertTrue(plain.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** On Java 25 a virtual thread reads the socket itself too (it leaves its carrier in the selector). */
    @ParameterizedTest(name = "virtual thread: {0}")
    @ValueSource(booleans = {false, true})
    void anInterruptedReceiveThrowsAndTheChannelGoesOn(boolean virtual) throws Exception {
        Pair<String> p = pair(Codec.utf8(), 4);
        CompletableFuture<Throwable> waiting = new CompletableFuture<>();
        Thread receiver = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
            try {
                waiting.complete(new AssertionError("received " + p.in().receive()));
            } catch (Throwable t) {
                waiting.complete(t);
            }
        });
        SocketPairs.awaitWaiting(receiver, DEADLINE);
        receiver.interrupt();
        assertInstanceOf(InterruptedException.class, waiting.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        p.out().send("after");
        assertEquals("after", p.in().receive(DEADLINE).orElseThrow()); // the socket was not closed by the interrupt
    }

    @Test
    void aTimedReceiveOnAQuietLinkReturnsEmptyWhenItsTimeIsUp() throws Exception {
        Pair<String> p = pair(Codec.utf8(), 4);
        long t0 = System.nanoTime();
        Optional<String> none = p.in().receive(Duration.ofMillis(150));
        long took = System.nanoTime() - t0;
        assertTrue(none.isEmpty());
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(150) && took < TimeUnit.SECONDS.toNanos(10), took + " ns");
        p.out().send("late");
        assertEquals("late", p.in().receive(DEADLINE).orElseThrow());
    }

    @Test
    void closingTheEndWakesAThreadReceivingFromIt() throws Exception {
        Pair<String> p = pair(Codec.utf8(), 4);
        CompletableFuture<Throwable> waiting = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                waiting.complete(new AssertionError("received " + p.in().receive()));
            } catch (Throwable t) {
                waiting.complete(t);
            }
        });
        SocketPairs.awaitWaiting(receiver, DEADLINE);
        p.in().close();
        assertInstanceOf(ChannelClosedException.class, waiting.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }

    /**
     * Values far larger than the socket's buffer, with small ones between them: a send that the
     * socket takes only part of leaves the rest to the writer thread, and everything arrives whole
     * and in order.
     */
    @Test
    void valuesLargerThanTheSocketBufferArriveWholeAndInOrder() throws Exception {
        Pair<byte[]> p = pair(Codec.bytes(), 2);
        int count = 24;
        List<byte[]> sent = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < count; i++) {
            byte[] v = new byte[i % 3 == 2 ? 16 : 700_000 + random.nextInt(300_000)];
            random.nextBytes(v);
            sent.add(v);
        }
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                for (byte[] v : sent) {
                    p.out().send(v);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < count; i++) {
            byte[] got = p.in().receive(DEADLINE).orElseThrow(() -> new AssertionError("nothing arrived"));
            assertArrayEquals(sent.get(i), got, "value " + i);
        }
        sending.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Megabytes of small frames pile up in the outbox while nobody reads: written in slices, they arrive intact. */
    @Test
    void aBacklogOfSmallValuesFarLargerThanTheSocketBufferArrivesInOrder() throws Exception {
        int count = 1 << 16;
        Pair<String> p = pair(Codec.utf8(), count);
        for (int i = 0; i < count; i++) {
            assertTrue(p.out().trySend("value " + i + " " + "x".repeat(i % 97)), "the window holds all of them");
        }
        for (int i = 0; i < count; i++) {
            assertEquals("value " + i + " " + "x".repeat(i % 97), p.in().receive(DEADLINE).orElseThrow(), "value " + i);
        }
    }

    @Test
    void aLostPeerEndsAReceiveWaitingOnTheSocket() throws Exception {
        SocketChannel[] s = socketPair();
        StreamOptions options = StreamOptions.defaults().withCapacity(4).withTimeout(DEADLINE);
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], "test receiver"), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        write(s[0], Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME));
        ReceiveChannel<String> in = receiving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        open.add(in::cancel);
        CompletableFuture<Throwable> waiting = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                waiting.complete(new AssertionError("received " + in.receive()));
            } catch (Throwable t) {
                waiting.complete(t);
            }
        });
        SocketPairs.awaitWaiting(receiver, DEADLINE);
        s[0].close(); // the sender's process is gone: end of stream without CLOSE
        Throwable t = waiting.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertInstanceOf(ChannelClosedException.class, t);
        assertInstanceOf(dev.hoare.channels.PeerLostException.class, t.getCause());
    }

    /**
     * Receivers reading the socket themselves (platform and virtual threads), a select (fed by
     * the reader thread) and timed and one-look receives, all at once: every value once, each
     * receiver's in order — values the reader thread read ahead go to the inbox before a
     * receiving thread reads what follows them.
     */
    @Test
    void directReceiversASelectAndOneLookReceiversTakeEveryValueOnceInOrder() throws Exception {
        int n = 20_000;
        Pair<String> p = pair(Codec.utf8(), 64);
        dev.hoare.channels.Channel<String> never = dev.hoare.channels.Channel.buffered(1);
        List<List<Integer>> got = new ArrayList<>();
        List<Thread> consumers = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int i = 0; i < 4; i++) {
            List<Integer> mine = new ArrayList<>();
            got.add(mine);
            int kind = i;
            Runnable body = () -> {
                try {
                    while (true) {
                        Optional<String> v;
                        switch (kind) {
                            case 0, 1 -> {
                                var r = p.in().receiveResult();
                                v = r.isClosed() ? null : Optional.of(r.value());
                            }
                            case 2 -> {
                                var r = dev.hoare.channels.Select.<dev.hoare.channels.Received<String>>select()
                                        .onReceiveResult(p.in(), x -> x).onReceive(never, x -> null).run();
                                v = r.isClosed() ? null : Optional.of(r.value());
                            }
                            default -> {
                                try {
                                    v = p.in().receive(Duration.ofMillis(2));
                                    if (v.isEmpty()) {
                                        v = p.in().tryReceive();
                                    }
                                } catch (ChannelClosedException closed) {
                                    v = null;
                                }
                            }
                        }
                        if (v == null) {
                            return; // closed and drained
                        }
                        v.ifPresent(x -> mine.add(Integer.parseInt(x)));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            };
            consumers.add(kind == 1 ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body));
        }
        for (int i = 0; i < n; i++) {
            p.out().send(Integer.toString(i));
        }
        p.out().close();
        for (Thread t : consumers) {
            t.join(DEADLINE.toMillis());
            assertTrue(!t.isAlive(), "a consumer still waits after the sender closed: " + t);
        }
        assertEquals(null, failure.get());
        dev.hoare.channels.contract.Receipts.assertEachOnceInOrderPerReceiver(got, n);
    }

    /**
     * A request/response connection's frames are routed by one thread and wait there until the
     * application receives: a peer flooding values past its credits is cut off after a few, not
     * buffered.
     */
    @Test
    void aConnectionPeerIgnoringItsCreditsIsCutOffNotBuffered() throws Exception {
        SocketChannel[] s = socketPair();
        int capacity = 4;
        StreamOptions options = StreamOptions.defaults().withCapacity(capacity).withTimeout(DEADLINE);
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try {
                // the raw peer is the accepting side: our send end's channel is stream 1, its own stream 2
                write(s[0], Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME)); // the peer's receive end (for our send end)
                write(s[0], Frame.credit(capacity));
                write(s[0], Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME).onStream(Frame.SECOND_STREAM)); // the peer's send end
                FrameReader ours = new FrameReader(java.nio.channels.Channels.newInputStream(s[0]), Frame.DEFAULT_MAX_FRAME);
                for (int seen = 0; seen < 3; seen++) {
                    ours.read(); // our two HELLOs and our receive end's capacity: then both handshakes are done here
                }
                for (int i = 0; i < 10_000; i++) { // never reads the credits
                    write(s[0], Frame.data(("x" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8)).onStream(Frame.SECOND_STREAM));
                }
            } catch (IOException cutOff) {
                // the connection is closed while the flood is still being written
            }
        });
        StreamChannels.Duplex<String, String> connection = StreamChannels.duplex(Links.socket(s[1], "flooded"),
                Codec.utf8(), Codec.utf8(), options);
        open.add(connection);
        flood.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS); // cut off: it ends long before 10,000 values
        int received = 0;
        ChannelClosedException closed;
        while (true) {
            try {
                assertEquals("x" + received, connection.in().receive(DEADLINE).orElseThrow());
                received++;
            } catch (ChannelClosedException e) {
                closed = e;
                break;
            }
        }
        assertTrue(received >= capacity && received <= capacity + 3, received + " values were buffered");
        assertInstanceOf(dev.hoare.channels.ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains("more values than it had credits for"), closed.getCause().getMessage());
    }

    private static void write(SocketChannel s, Frame f) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(f));
        while (b.hasRemaining()) {
            s.write(b);
        }
    }

}
