package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every transport must do, as tests: a transport's test subclasses this and says only how to
 * name a fresh endpoint ({@link #newEndpoint}), and what it cannot do (no child process for
 * {@code inproc:}, no raw bytes where there are no frames). Both ends are opened through
 * {@link Channels#openSend} and {@link Channels#openReceive}, at the same time (a transport may
 * make one end wait for the other), in this JVM or in a child JVM running {@link ContractPeer}
 * with this JVM's class path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class TransportContract {
    /** How long any single wait in these tests may take before the test fails. */
    protected static final Duration DEADLINE = Duration.ofSeconds(30);
    private static final Codec<String> UTF8 = Codec.utf8();

    /** Everything opened, closed after each test; added to from opening threads too. */
    private final List<AutoCloseable> opened = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<ChildJvm> children = new ArrayList<>();

    /**
     * @param capacity the capacity the endpoint should have, 1 or more
     * @return a URI no other test uses, which {@link Channels#openSend} and
     *     {@link Channels#openReceive} each open once
     */
    protected abstract URI newEndpoint(int capacity);

    /** @return whether the ends may live in different processes (default {@code true}) */
    protected boolean crossProcess() {
        return true;
    }

    /**
     * @param capacity the endpoint's capacity
     * @return how many values a sender may get ahead of a receiver that takes none before it must
     *     wait (default {@code capacity}: exact, as in-process)
     */
    protected int maxAhead(int capacity) {
        return capacity;
    }

    /** @return how long the transport may take to report a peer killed with SIGKILL (default 10 s) */
    protected Duration peerLossBound() {
        return Duration.ofSeconds(10);
    }

    /**
     * Stands in for a sender that writes raw bytes, to test frame checks.
     *
     * @param endpoint an endpoint whose receiving end is being opened
     * @return a stream of bytes to that receiving end, or empty if the transport carries no frames
     *     (the frame tests are then skipped); closing it ends the byte stream (the receiver reads
     *     end of stream) but need not stop the receiver from writing its replies
     * @throws IOException if it cannot be opened
     */
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        return Optional.empty();
    }

    /**
     * For socket transports' {@link #openRawSender}: a stream over a connected socket whose close
     * only half-closes it (the receiver reads end of stream and may still write); the socket is
     * closed after the test.
     */
    protected OutputStream rawSocketSender(java.nio.channels.SocketChannel socket) {
        opened.add(socket);
        return new java.io.FilterOutputStream(java.nio.channels.Channels.newOutputStream(socket)) {
            @Override
            public void close() throws IOException {
                flush();
                socket.shutdownOutput();
            }
        };
    }

    /** @return the path of a {@code scheme:/path?options} endpoint */
    protected static java.nio.file.Path pathOf(URI endpoint) {
        String p = endpoint.getSchemeSpecificPart();
        return java.nio.file.Path.of(p.indexOf('?') < 0 ? p : p.substring(0, p.indexOf('?')));
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
        for (AutoCloseable c : opened) { // receivers first: a sender's close may wait for its values to go out
            if (c instanceof ReceiveChannel<?>) {
                c.close();
            }
        }
        for (AutoCloseable c : opened) {
            c.close();
        }
    }

    // ---------------------------------------------------------------- opening

    /** Both ends of a fresh endpoint, opened at the same time. */
    protected record Pair<T>(SendChannel<T> out, ReceiveChannel<T> in) {
    }

    protected <T> Pair<T> openPair(URI uri, Codec<T> codec) throws Exception {
        CompletableFuture<ReceiveChannel<T>> in = openLater(() -> Channels.openReceive(uri, codec));
        SendChannel<T> out = Channels.openSend(uri, codec);
        opened.add(out);
        return new Pair<>(out, in.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }

    private <C extends AutoCloseable> CompletableFuture<C> openLater(OpenCall<C> open) {
        CompletableFuture<C> f = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                C c = open.call();
                opened.add(c);
                f.complete(c);
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    @FunctionalInterface
    private interface OpenCall<C> {
        C call() throws Exception;
    }

    // ---------------------------------------------------------------- in one process

    @Test
    void valuesArriveInOrderThenClosed() throws Exception {
        Pair<String> p = openPair(newEndpoint(16), UTF8);
        CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < 1000; i++) {
                    p.out().send("v" + i);
                }
                p.out().close();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        List<String> got = new ArrayList<>();
        for (String s : p.in()) {
            got.add(s);
        }
        sender.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(1000, got.size());
        for (int i = 0; i < 1000; i++) {
            assertEquals("v" + i, got.get(i));
        }
        assertTrue(p.in().isClosedForReceive());
        assertTrue(p.in().receiveResult().isClosed());
    }

    @Test
    void receiverDrainsEverythingSentBeforeTheCloseThenSeesTheCause() throws Exception {
        Pair<String> p = openPair(newEndpoint(8), UTF8);
        for (int i = 0; i < 8; i++) {
            p.out().send("d" + i);
        }
        p.out().close(new IllegalStateException("producer failed: disk full"));
        assertTrue(p.out().isClosedForSend());
        assertThrows(ChannelClosedException.class, () -> p.out().trySend("late"));
        for (int i = 0; i < 8; i++) {
            assertEquals("d" + i, p.in().receive(DEADLINE).orElseThrow());
        }
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> p.in().receive());
        assertNotNull(closed.getCause(), "the close cause crosses");
        assertTrue(closed.getCause().getMessage().contains("producer failed: disk full"), closed.getCause().toString());
    }

    @Test
    void tryReceiveIsEmptyAtOnceAndTimedReceiveWaits() throws Exception {
        Pair<String> p = openPair(newEndpoint(4), UTF8);
        long t0 = System.nanoTime();
        assertEquals(Optional.empty(), p.in().tryReceive());
        assertEquals(Optional.empty(), p.in().receive(Duration.ofMillis(200)));
        long waited = System.nanoTime() - t0;
        assertTrue(waited >= TimeUnit.MILLISECONDS.toNanos(200), "timed receive returned early: " + waited + " ns");
        assertTrue(waited < DEADLINE.toNanos(), "timed receive overran");
        p.out().send("x");
        assertEquals("x", pollTryReceive(p.in()));
    }

    @Test
    void aSenderToAReceiverThatTakesNothingIsStoppedByFlowControl() throws Exception {
        int capacity = 4;
        Pair<String> p = openPair(newEndpoint(capacity), UTF8);
        int sent = fillUntilRefused(p.out(), maxAhead(capacity));
        if (maxAhead(capacity) == capacity) {
            assertEquals(capacity, sent, "exactly the capacity is accepted ahead of the receiver");
        }
        assertTrue(sent >= 1, "nothing could be sent");
        assertFalse(p.out().send("blocked", Duration.ofMillis(100)), "a timed send to a full channel returns false");
        // taking values makes room again: after one take where the capacity is exact, after a few
        // more where buffers sit in between (a FIFO writer waits for room for a whole write)
        int taken = 0;
        boolean room = false;
        while (!room && taken < sent) {
            assertEquals("f" + taken, p.in().receive(DEADLINE).orElseThrow());
            taken++;
            room = p.out().send("after", Duration.ofMillis(taken == 1 ? 1000 : 1));
        }
        assertTrue(room || p.out().send("after", DEADLINE), "no room even with everything taken");
        if (maxAhead(capacity) == capacity) {
            assertEquals(1, taken, "one take makes room for one value");
        }
        for (int i = taken; i < sent; i++) {
            assertEquals("f" + i, p.in().receive(DEADLINE).orElseThrow());
        }
        assertEquals("after", p.in().receive(DEADLINE).orElseThrow());
    }

    /** trySends "f0", "f1"... until refused; fails if more than {@code bound} are accepted. */
    private static int fillUntilRefused(SendChannel<String> out, int bound) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int sent = 0;
        int refusedInARow = 0;
        while (refusedInARow < 50) { // a transport may drain its outbox a little later: insist
            if (out.trySend("f" + sent)) {
                sent++;
                refusedInARow = 0;
                assertTrue(sent <= bound, "accepted " + sent + " values with none taken; at most " + bound + " allowed");
            } else {
                refusedInARow++;
                Thread.sleep(1); // let an outbox drain into the transport: the bound above is the check
            }
            assertTrue(System.nanoTime() < deadline, "never refused");
        }
        return sent;
    }

    @Test
    void aRemoteReceiveEndIsASelectCaseBesideALocalChannel() throws Exception {
        Pair<String> p = openPair(newEndpoint(4), UTF8);
        Channel<String> local = Channel.buffered(1);
        local.send("local");
        String first = Select.<String>select().onReceive(p.in(), v -> "remote:" + v).onReceive(local, v -> "local:" + v).run();
        assertEquals("local:local", first);
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return Select.<String>select()
                        .onReceive(p.in(), v -> "remote:" + v)
                        .onReceive(local, v -> "local:" + v)
                        .onTimeout(DEADLINE, () -> "timeout").run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        p.out().send("hello");
        assertEquals("remote:hello", waiting.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
    }

    @Test
    void aRemoteSendEndIsASelectCaseBesideALocalChannel() throws Exception {
        int capacity = 2;
        Pair<String> p = openPair(newEndpoint(capacity), UTF8);
        int sent = fillUntilRefused(p.out(), maxAhead(capacity));
        Channel<String> local = Channel.buffered(1);
        String won = Select.<String>select().onSend(p.out(), "s", () -> "remote").onSend(local, "l", () -> "local").run();
        assertEquals("local", won, "the remote end is full: only the local case is ready");
        CompletableFuture<String> waiting = CompletableFuture.supplyAsync(() -> {
            try {
                return Select.<String>select().onSend(p.out(), "s", () -> "remote").onSend(local, "l2", () -> "local")
                        .onTimeout(DEADLINE, () -> "timeout").run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        int taken = 0; // taking values makes room remotely (after one take where the capacity is exact)
        while (!waiting.isDone() && taken < sent) {
            assertEquals("f" + taken, p.in().receive(DEADLINE).orElseThrow());
            taken++;
            try {
                waiting.get(taken == 1 ? 1000 : 1, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException notYet) {
                // take another
            }
        }
        assertEquals("remote", waiting.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        if (maxAhead(capacity) == capacity) {
            assertEquals(1, taken, "one take makes room for one value");
        }
        for (int i = taken; i < sent; i++) {
            assertEquals("f" + i, p.in().receive(DEADLINE).orElseThrow());
        }
        assertEquals("s", p.in().receive(DEADLINE).orElseThrow());
    }

    @Test
    void aSelectThatGaveUpOnAFullRemoteSendEndLeavesNoTrace() throws Exception {
        int capacity = 2;
        Pair<String> p = openPair(newEndpoint(capacity), UTF8);
        int sent = fillUntilRefused(p.out(), maxAhead(capacity));
        Channel<String> never = Channel.unbuffered();
        // where buffers sit between the ends (maxAhead above the capacity), room may still appear
        // late; the select then sends, and its value must arrive exactly once, in its place
        String outcome = Select.<String>select().onSend(p.out(), "ghost", () -> "remote")
                .onReceive(never, v -> "local").onTimeout(Duration.ofMillis(50), () -> "timeout").run();
        if (maxAhead(capacity) == capacity) {
            assertEquals("timeout", outcome, "no room: the select gives up");
        }
        CompletableFuture<Void> after = CompletableFuture.runAsync(() -> {
            try {
                p.out().send("after");
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        for (int i = 0; i < sent; i++) {
            assertEquals("f" + i, p.in().receive(DEADLINE).orElseThrow());
        }
        if (outcome.equals("remote")) {
            assertEquals("ghost", p.in().receive(DEADLINE).orElseThrow());
        }
        assertEquals("after", p.in().receive(DEADLINE).orElseThrow(), "the value of a select that gave up is never sent");
        after.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void ofAReadyRemoteReceiveCaseAndAReadyRemoteSendCaseExactlyOneFires() throws Exception {
        Pair<String> from = openPair(newEndpoint(4), UTF8);
        Pair<String> to = openPair(newEndpoint(4), UTF8);
        int received = 0;
        int sent = 0;
        for (int round = 0; round < 10; round++) {
            from.out().send("v" + round);
            assertFalse(awaitNotEmpty(from.in()), "the value arrived");
            String won = Select.<String>select()
                    .onReceive(from.in(), v -> "received " + v)
                    .onSend(to.out(), "s" + round, () -> "sent")
                    .run();
            to.out().send("marker" + round); // follows the select's value, if it sent one
            if (won.equals("sent")) {
                sent++;
                assertEquals("s" + round, to.in().receive(DEADLINE).orElseThrow());
                assertEquals("v" + round, from.in().receive(DEADLINE).orElseThrow(), "the receive case did not take it");
            } else {
                received++;
                assertEquals("received v" + round, won);
            }
            assertEquals("marker" + round, to.in().receive(DEADLINE).orElseThrow(), "the send case sent nothing else");
        }
        assertEquals(10, received + sent);
    }

    /** Waits (within {@link #DEADLINE}) until {@code in} reports a value; returns {@code isEmpty()} then. */
    private static boolean awaitNotEmpty(ReceiveChannel<?> in) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (in.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return in.isEmpty();
    }

    @Test
    void fourWritersShareOneEndAndEveryValueArrivesExactlyOnceInPerWriterOrder() throws Exception {
        int writers = 4;
        int each = 2_500;
        Pair<String> p = openPair(newEndpoint(32), UTF8);
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            sending.add(CompletableFuture.runAsync(() -> {
                try {
                    for (int i = 0; i < each; i++) {
                        p.out().send(writer + ":" + i);
                    }
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }, r -> Thread.ofPlatform().start(r)));
        }
        CompletableFuture.allOf(sending.toArray(CompletableFuture[]::new)).thenRun(p.out()::close);
        AtomicIntegerArray seen = new AtomicIntegerArray(writers * each);
        int[] next = new int[writers];
        for (String s : p.in()) {
            int writer = Integer.parseInt(s.substring(0, s.indexOf(':')));
            int i = Integer.parseInt(s.substring(s.indexOf(':') + 1));
            assertEquals(next[writer]++, i, "writer " + writer + "'s values out of order");
            seen.incrementAndGet(writer * each + i);
        }
        for (int v = 0; v < seen.length(); v++) {
            assertEquals(1, seen.get(v), "value " + v);
        }
    }

    @Test
    void aCodecMismatchFailsClearly() throws Exception {
        URI uri = newEndpoint(4);
        CompletableFuture<ReceiveChannel<byte[]>> in = openLater(() -> Channels.openReceive(uri, Codec.bytes()));
        Throwable failure = null;
        try {
            SendChannel<String> out = Channels.openSend(uri, UTF8);
            opened.add(out);
            out.send("x", Duration.ofSeconds(1));
        } catch (Exception e) {
            failure = e;
        }
        if (failure == null) {
            try {
                ReceiveChannel<byte[]> r = in.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
                r.receive(DEADLINE);
                fail("a mismatched codec was accepted");
            } catch (ExecutionException | ChannelClosedException e) {
                failure = e.getCause();
            }
        }
        assertNotNull(failure);
        String message = String.valueOf(failure.getMessage());
        assertTrue(message.contains("codec") && message.contains("utf8") && message.contains("bytes"),
                "the failure names both codecs: " + failure);
    }

    // ---------------------------------------------------------------- bad frames

    @Test
    void anOversizedFrameLengthClosesTheReceiverWithAProtocolError() throws Exception {
        assertBadFramesCloseTheReceiver(new byte[] {(byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x02}, "exceeds the maximum");
    }

    @Test
    void anUnknownFrameKindClosesTheReceiverWithAProtocolError() throws Exception {
        assertBadFramesCloseTheReceiver(new byte[] {0, 0, 0, 5, (byte) 0x7e, 0, 0, 0, 1}, "unknown frame kind");
    }

    @Test
    void anUndecodablePayloadClosesTheReceiverWithAProtocolError() throws Exception {
        assertBadFramesCloseTheReceiver(new byte[] {0, 0, 0, 7, 0x02, 0, 0, 0, 1, (byte) 0xc3, (byte) 0x28}, "UTF-8");
    }

    @Test
    void aFrameForAnUnknownStreamClosesTheReceiverWithAProtocolError() throws Exception {
        assertBadFramesCloseTheReceiver(new byte[] {0, 0, 0, 6, 0x02, 0, 0, 0, 9, 'x'}, "DATA frame for unknown stream 9");
    }

    @Test
    void aFrameCutShortClosesTheReceiverWithAProtocolError() throws Exception {
        assertBadFramesCloseTheReceiver(new byte[] {0, 0, 0, 13, 0x02, 0, 0, 0, 1, 'a', 'b'}, "truncated");
    }

    @Test
    void aSenderThatIgnoresItsCreditsIsCutOffNotBuffered() throws Exception {
        int capacity = 4;
        assumeTrue(maxAhead(capacity) == capacity, "this transport has no credits to ignore");
        URI uri = newEndpoint(capacity);
        CompletableFuture<ReceiveChannel<String>> opening = openLater(() -> Channels.openReceive(uri, UTF8));
        Optional<OutputStream> raw = openRawSender(uri);
        assumeTrue(raw.isPresent(), "this transport carries no frames");
        // the flood runs beside the receiver: one that reads only when its application receives
        // leaves the flood to fill the socket's buffer, and wait, until then
        CompletableFuture<Void> flood = CompletableFuture.runAsync(() -> {
            try (OutputStream out = raw.get()) {
                out.write(FrameWriter.encode(Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME)));
                for (int i = 0; i < capacity + 100; i++) { // never reads the credits
                    out.write(FrameWriter.encode(Frame.data(("x" + i).getBytes(StandardCharsets.UTF_8))));
                }
                out.flush();
            } catch (IOException cutOff) {
                // the receiver may close the connection while the flood is still being written
            }
        });
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        // nothing is taken until the flood has ended, so no credit beyond the first 4 exists: the
        // end must refuse the fifth value. (An end whose receiving threads read the link
        // themselves reads ahead while asked whether it is closed, as a select would make it.)
        long end = System.nanoTime() + DEADLINE.toNanos();
        while (!flood.isDone()) {
            assertTrue(System.nanoTime() < end, "the flood was neither cut off nor written");
            assertFalse(in.isClosedForReceive(), "values are waiting");
            try {
                flood.get(10, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException stillWriting) {
                // look again
            }
        }
        for (int i = 0; i < capacity; i++) {
            assertEquals("x" + i, in.receive(DEADLINE).orElseThrow());
        }
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains("more values than it had credits for"), closed.getCause().getMessage());
    }

    /** A raw sender says HELLO, sends "ok", then {@code bad}: the receiver gets "ok", then closed with the error. */
    private void assertBadFramesCloseTheReceiver(byte[] bad, String expected) throws Exception {
        URI uri = newEndpoint(4);
        CompletableFuture<ReceiveChannel<String>> opening = openLater(() -> Channels.openReceive(uri, UTF8));
        Optional<OutputStream> raw = openRawSender(uri);
        assumeTrue(raw.isPresent(), "this transport carries no frames");
        try (OutputStream out = raw.get()) {
            out.write(FrameWriter.encode(Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME)));
            out.write(FrameWriter.encode(Frame.data("ok".getBytes(StandardCharsets.UTF_8))));
            out.write(bad);
            out.flush();
        } // the end of the stream is what shows a frame cut short
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals("ok", in.receive(DEADLINE).orElseThrow());
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        assertTrue(closed.getCause().getMessage().contains(expected), closed.getCause().getMessage());
    }

    // ---------------------------------------------------------------- what a closed end gives back

    /** How many pairs {@link #endsClosedBeforeTheStreamEndedHoldNoThreadDescriptorMappingOrHeap} opens; {@code -Dhoare.closeLeak.pairs} to measure more. */
    private static final int LEAK_PAIRS = Integer.getInteger("hoare.closeLeak.pairs", 240);

    /**
     * Opens and closes many pairs whose receiving end is closed before the stream ended (the
     * sender still open, with values not yet received): by close, by cancel, and by close from
     * another thread while one is blocked in receive. Afterwards this JVM holds no more of the
     * library's threads, descriptors or ring mappings than before, and every end is collectable:
     * a small constant, not a number that grows with the pairs.
     */
    @Test
    void endsClosedBeforeTheStreamEndedHoldNoThreadDescriptorMappingOrHeap() throws Exception {
        assumeTrue(ProcessCounts.available(), "counts need /proc/self (Linux)");
        java.nio.file.Path probe = pathOf(newEndpoint(1));
        java.nio.file.Path directory = probe.isAbsolute() ? probe.getParent() : null;
        List<java.lang.ref.WeakReference<Object>> ends = new ArrayList<>();
        for (int i = 0; i < 6; i++) { // warm up: classes, shared pools, the JIT's first compilations
            openUseAndCloseEarly(i % 3, ends);
        }
        ends.clear();
        ProcessCounts before = awaitCounts(directory, null, 0);
        long started = System.nanoTime();
        for (int i = 0; i < LEAK_PAIRS; i++) {
            openUseAndCloseEarly(i % 3, ends);
        }
        long opened = System.nanoTime() - started;
        ProcessCounts after = awaitCounts(directory, before, 8);
        int retained = awaitCollected(ends);
        System.out.printf("%s: %d pairs closed early in %d ms; before: %s; after: %s; ends still reachable: %d of %d%n",
                getClass().getSimpleName(), LEAK_PAIRS, TimeUnit.NANOSECONDS.toMillis(opened),
                before.since(before), after.since(before), retained, ends.size());
        assertTrue(after.hoareThreads() - before.hoareThreads() <= 4, "threads left: " + after.since(before));
        assertTrue(after.descriptors() - before.descriptors() <= 8, "descriptors left: " + after.since(before));
        assertTrue(after.mappings() - before.mappings() <= 2, "mappings left: " + after.since(before));
        assertTrue(retained <= 2, retained + " of " + ends.size() + " closed ends are still reachable; " + after.since(before));
    }

    /**
     * One pair: three values sent, one received, then the receiving end closed ({@code how} 0),
     * cancelled (1), or closed from this thread while another is blocked in receive (2), the
     * sender still open; the sender then learns of the receiver's close (its sends fail), and is
     * closed.
     */
    private void openUseAndCloseEarly(int how, List<java.lang.ref.WeakReference<Object>> ends) throws Exception {
        URI uri = newEndpoint(4);
        CompletableFuture<ReceiveChannel<String>> opening = new CompletableFuture<>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                opening.complete(Channels.openReceive(uri, UTF8));
            } catch (Throwable t) {
                opening.completeExceptionally(t);
            }
        });
        SendChannel<String> out = Channels.openSend(uri, UTF8);
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        ends.add(new java.lang.ref.WeakReference<>(out));
        ends.add(new java.lang.ref.WeakReference<>(in));
        try {
            for (String v : List.of("a", "b", "c")) {
                out.send(v);
            }
            assertEquals("a", in.receive(DEADLINE).orElseThrow());
            switch (how) {
                case 0 -> in.close();
                case 1 -> in.cancel();
                default -> {
                    assertEquals("b", in.receive(DEADLINE).orElseThrow());
                    assertEquals("c", in.receive(DEADLINE).orElseThrow());
                    java.util.concurrent.CountDownLatch receiving = new java.util.concurrent.CountDownLatch(1);
                    CompletableFuture<Received<String>> blocked = new CompletableFuture<>();
                    Thread.ofPlatform().daemon().start(() -> {
                        receiving.countDown();
                        try {
                            blocked.complete(in.receiveResult());
                        } catch (Throwable t) {
                            blocked.completeExceptionally(t);
                        }
                    });
                    receiving.await();
                    in.close();
                    assertTrue(blocked.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).isClosed(),
                            "a receive blocked when the end closed returns closed");
                }
            }
            assertSenderSeesTheClose(out);
        } finally {
            in.close();
            out.close();
        }
    }

    /** The receiver's early close reaches the sender: its sends soon fail as on a closed channel. */
    private static void assertSenderSeesTheClose(SendChannel<String> out) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                out.send("after", Duration.ofMillis(100)); // a one-way link may take a send or two before the write fails
            }
            fail("the sender never saw the receiver's close");
        } catch (ChannelClosedException expected) {
            assertTrue(out.isClosedForSend(), "closed for send once a send failed");
        }
    }

    /**
     * Counts after the ends' threads had their time to end: polls until the counts are within
     * {@code slack} of {@code before} (threads end asynchronously), or the deadline.
     */
    private static ProcessCounts awaitCounts(java.nio.file.Path directory, ProcessCounts before, int slack) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            ProcessCounts now = ProcessCounts.now(directory);
            boolean settled = before == null
                    ? now.hoareThreads() == 0 || System.nanoTime() - deadline > -TimeUnit.SECONDS.toNanos(9) // a moment for the warm-up's threads
                    : now.hoareThreads() - before.hoareThreads() <= slack / 2 && now.descriptors() - before.descriptors() <= slack
                            && now.mappings() - before.mappings() <= slack / 4;
            if (settled || System.nanoTime() - deadline > 0) {
                return now;
            }
            Thread.sleep(20); // a poll: what is awaited ends on other threads
        }
    }

    /** @return how many of {@code ends} are still reachable after collections until none is, or a deadline */
    private static int awaitCollected(List<java.lang.ref.WeakReference<Object>> ends) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            System.gc();
            int reachable = (int) ends.stream().filter(r -> r.get() != null).count();
            if (reachable == 0 || System.nanoTime() - deadline > 0) {
                return reachable;
            }
            Thread.sleep(20);
        }
    }

    // ---------------------------------------------------------------- across processes

    /** Starts a child JVM running {@link ContractPeer}; it is killed after the test. */
    protected ChildJvm child(String... args) throws IOException {
        ChildJvm child = ChildJvm.start(ContractPeer.class, args);
        children.add(child);
        return child;
    }

    @Test
    void aChildProcessSendsEveryValueInOrderThenCloses() throws Exception {
        assumeTrue(crossProcess(), "this transport is in-process only");
        URI uri = newEndpoint(16);
        CompletableFuture<ReceiveChannel<String>> opening = openLater(() -> Channels.openReceive(uri, UTF8));
        ChildJvm child = child("send", uri.toString(), "5000");
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        int expected = 0;
        for (String s : in) {
            assertEquals(Integer.toString(expected++), s);
        }
        assertEquals(5000, expected);
        child.expect("DONE");
    }

    @Test
    void aSenderKilledMidStreamShowsAsPeerLostAfterEveryValueItSent() throws Exception {
        assumeTrue(crossProcess(), "this transport is in-process only");
        URI uri = newEndpoint(16);
        CompletableFuture<ReceiveChannel<String>> opening = openLater(() -> Channels.openReceive(uri, UTF8));
        ChildJvm child = child("stream", uri.toString());
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        long expected = 0;
        while (expected < 1000) {
            assertEquals(Long.toString(expected++), in.receive(DEADLINE).orElseThrow());
        }
        child.kill();
        long killed = System.nanoTime();
        try {
            while (true) {
                Optional<String> v = in.receive(peerLossBound());
                assertTrue(v.isPresent(), "neither a value nor the loss within " + peerLossBound());
                assertEquals(Long.toString(expected++), v.get(), "values after the kill stay in order, none lost");
            }
        } catch (ChannelClosedException e) {
            assertInstanceOf(PeerLostException.class, e.getCause(), "the close cause");
        }
        assertTrue(System.nanoTime() - killed < peerLossBound().toNanos() + DEADLINE.toNanos() / 10,
                "the loss took too long to show");
    }

    @Test
    void aReceiverKilledMidStreamShowsAsPeerLostToTheSender() throws Exception {
        assumeTrue(crossProcess(), "this transport is in-process only");
        URI uri = newEndpoint(16);
        ChildJvm child = child("receive", uri.toString());
        SendChannel<String> out = Channels.openSend(uri, UTF8);
        opened.add(out);
        for (int i = 0; i < 100; i++) {
            out.send(Integer.toString(i));
        }
        child.expect("GOT 99");
        child.kill();
        long killed = System.nanoTime();
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            for (int i = 100; ; i++) {
                assertTrue(System.nanoTime() - killed < peerLossBound().toNanos(), "still sending after " + peerLossBound());
                out.send(Integer.toString(i), peerLossBound());
            }
        });
        assertInstanceOf(PeerLostException.class, closed.getCause(), "the close cause");
        assertTrue(out.isClosedForSend());
    }

    /** Polls {@code tryReceive} until a value comes, failing after {@link #DEADLINE}. */
    private static String pollTryReceive(ReceiveChannel<String> in) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<String> v = in.tryReceive();
            if (v.isPresent()) {
                return v.get();
            }
            Thread.sleep(1);
        }
        return fail("tryReceive never returned the value sent");
    }
}
