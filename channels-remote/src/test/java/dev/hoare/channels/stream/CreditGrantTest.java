package dev.hoare.channels.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How a receiving end grants credits (docs/wire-format.md, flow control), seen from a sender
 * played by the test on the other end of a socket: the frames it gets back are counted. Runs with
 * the receiving application on a platform thread (which reads the socket itself) and on a virtual
 * thread (which takes from the inbox the reader thread fills).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CreditGrantTest extends SocketTestSupport {

    /** The test's side of the connection: it sends DATA within its credits and counts what comes back. */
    private static final class RawSender {
        final SocketChannel socket;
        final Semaphore credits = new Semaphore(0);
        final AtomicInteger creditFrames = new AtomicInteger();
        /** CREDIT frames granting fewer than {@link #smallBelow}. */
        final AtomicInteger smallFrames = new AtomicInteger();
        volatile int smallBelow;
        final AtomicInteger granted = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        RawSender(SocketChannel socket) {
            this.socket = socket;
        }

        /** Reads the receiver's HELLO and capacity, then counts its CREDIT frames on a thread of its own. */
        void handshakeAndCount() throws IOException {
            write(Frame.hello("utf8", Frame.DEFAULT_MAX_FRAME));
            FrameReader in = new FrameReader(java.nio.channels.Channels.newInputStream(socket), Frame.DEFAULT_MAX_FRAME);
            in.read().checkHello("utf8");
            credits.release(in.read().announcedCapacity());
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (Frame f; (f = in.read()) != null; ) {
                        assertEquals(FrameKind.CREDIT, f.kind());
                        creditFrames.incrementAndGet();
                        if (f.credits() < smallBelow) {
                            smallFrames.incrementAndGet();
                        }
                        granted.addAndGet(f.credits());
                        credits.release(f.credits());
                    }
                } catch (IOException | AssertionError e) {
                    if (socket.isOpen()) {
                        failure.set(e);
                    }
                }
            });
        }

        void send(int i) throws IOException, InterruptedException {
            assertTrue(credits.tryAcquire(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "no credit came for value " + i);
            write(Frame.data(("v" + i).getBytes(StandardCharsets.UTF_8)));
        }

        void write(Frame f) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(FrameWriter.encode(f));
            while (b.hasRemaining()) {
                socket.write(b);
            }
        }

        /** Waits until the receiver has granted {@code n} credits in all, failing after the deadline. */
        void awaitGranted(int n) throws InterruptedException {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (granted.get() < n && System.nanoTime() < end) {
                Thread.sleep(1); // polling a counter, with a deadline
            }
            assertEquals(n, granted.get(), "credits granted");
            assertEquals(null, failure.get());
        }
    }

    private ReceiveChannel<String> receiver(RawSender sender, SocketChannel theirs, int capacity) throws Exception {
        StreamOptions options = StreamOptions.defaults().withCapacity(capacity).withTimeout(DEADLINE);
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(theirs, "receiver under test"), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        sender.handshakeAndCount();
        ReceiveChannel<String> in = receiving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        open.add(in::cancel);
        return in;
    }

    /** Runs {@code body} on a platform or a virtual thread and waits for it. */
    private static void onThread(boolean virtual, ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> failed = new AtomicReference<>();
        Thread t = (virtual ? Thread.ofVirtual() : Thread.ofPlatform()).start(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                failed.set(e);
            }
        });
        t.join(DEADLINE.toMillis());
        assertTrue(!t.isAlive(), "the receiving application is still running");
        if (failed.get() != null) {
            throw new AssertionError(failed.get());
        }
    }

    private interface ThrowingRunnable {
        void run() throws Exception;
    }

    /**
     * A stream through a window of 64: credits go back in batches (half the window), not
     * one frame per value or whatever was owed when a thread got round to it, and every value
     * taken is granted back in the end. (A few frames grant less: the last credits, and any owed
     * across a pause of the receiving application.)
     */
    @ParameterizedTest(name = "virtual receiver: {0}")
    @ValueSource(booleans = {false, true})
    void aStreamsCreditsGoBackInBatches(boolean virtual) throws Exception {
        SocketChannel[] s = SocketPairs.open(open);
        RawSender sender = new RawSender(s[0]);
        sender.smallBelow = 64 / 2;
        ReceiveChannel<String> in = receiver(sender, s[1], 64);
        int n = 20_000;
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    sender.send(i);
                }
            } catch (IOException | InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        onThread(virtual, () -> {
            for (int i = 0; i < n; i++) {
                assertEquals("v" + i, in.receive());
            }
        });
        sending.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        sender.awaitGranted(n);
        int frames = sender.creditFrames.get();
        int small = sender.smallFrames.get();
        assertTrue(frames <= n / 8 && small <= frames / 4, frames + " CREDIT frames for " + n + " values, " + small
                + " of them for less than a batch: credits were not batched");
    }

    /**
     * The sender has used its whole window, and the application takes one value and then no more:
     * the credit for it still comes back (after a short delay, not waiting for a batch), and
     * then, as the application takes the rest, every other one.
     */
    @ParameterizedTest(name = "virtual receiver: {0}")
    @ValueSource(booleans = {false, true})
    void aCreditOwedShortOfABatchStillGoesBack(boolean virtual) throws Exception {
        SocketChannel[] s = SocketPairs.open(open);
        RawSender sender = new RawSender(s[0]);
        int capacity = 16; // a batch is 8
        ReceiveChannel<String> in = receiver(sender, s[1], capacity);
        for (int i = 0; i < capacity; i++) {
            sender.send(i);
        }
        onThread(virtual, () -> assertEquals("v0", in.receive()));
        sender.awaitGranted(1);
        sender.send(capacity); // the credit lets one more go
        onThread(virtual, () -> {
            for (int i = 1; i <= capacity; i++) {
                assertEquals("v" + i, in.receive());
            }
        });
        sender.awaitGranted(capacity + 1);
    }
}
