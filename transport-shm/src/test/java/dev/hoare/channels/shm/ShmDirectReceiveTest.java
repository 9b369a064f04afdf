package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.Select;
import dev.hoare.channels.contract.Receipts;
import dev.hoare.channels.SendChannel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A receiving thread reads the ring itself (no hand-off from the reader thread): the cases where
 * it meets the reader thread, a select, virtual threads, timeouts, interrupts and a close.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmDirectReceiveTest {
    @TempDir
    Path dir;

    /** Four bytes, big-endian. */
    private static final Codec<Integer> INT = new Codec<>() {
        @Override
        public String id() {
            return "int32";
        }

        @Override
        public byte[] encode(Integer value) {
            return java.nio.ByteBuffer.allocate(4).putInt(value).array();
        }

        @Override
        public Integer decode(byte[] bytes) {
            return java.nio.ByteBuffer.wrap(bytes).getInt();
        }
    };

    /** Opens both ends in this process: the receive end waits for the send end's HELLO. */
    private record Pair(SendChannel<Integer> out, ReceiveChannel<Integer> in) implements AutoCloseable {
        @Override
        public void close() {
            out.close();
            in.close();
        }
    }

    private Pair open(String name, String wait) throws Exception {
        URI uri = URI.create("shm:" + dir.resolve(name) + "?wait=" + wait + "&timeout=20s");
        CompletableFuture<ReceiveChannel<Integer>> in = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, INT);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        SendChannel<Integer> out = Channels.openSend(uri, INT);
        return new Pair(out, in.get(30, TimeUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "yield"})
    void receiversOnPlatformAndVirtualThreadsAndASelectTakeEveryValueOnceInOrder(String wait) throws Exception {
        int n = 100_000;
        try (Pair p = open("mixed", wait)) {
            Channel<Integer> never = Channel.buffered(1);
            List<List<Integer>> got = new ArrayList<>();
            List<Thread> consumers = new ArrayList<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            for (int i = 0; i < 5; i++) {
                List<Integer> mine = new ArrayList<>();
                got.add(mine);
                int kind = i;
                Runnable body = () -> {
                    try {
                        while (true) {
                            Received<Integer> r = switch (kind) {
                                case 0, 1 -> p.in().receiveResult();
                                case 2 -> Select.<Received<Integer>>select()
                                        .onReceiveResult(p.in(), v -> v)
                                        .onReceive(never, v -> Received.of(-1))
                                        .run();
                                default -> timedOrTry(p.in(), kind);
                            };
                            if (r == null) {
                                continue;
                            }
                            if (r.isClosed()) {
                                return;
                            }
                            mine.add(r.value());
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    }
                };
                consumers.add(kind == 1 ? Thread.ofVirtual().start(body) : Thread.ofPlatform().start(body));
            }
            for (int i = 0; i < n; i++) {
                p.out().send(i);
            }
            p.out().close();
            for (Thread t : consumers) {
                t.join(TimeUnit.SECONDS.toMillis(60));
                assertFalse(t.isAlive(), "a consumer still waits after the sender closed: " + t);
            }
            assertEquals(null, failure.get());
            Receipts.assertEachOnceInOrderPerReceiver(got, n);
        }
    }

    /** Consumer 3 receives with a timeout, consumer 4 polls: {@code null} when nothing came. */
    private static Received<Integer> timedOrTry(ReceiveChannel<Integer> in, int kind) throws InterruptedException {
        try {
            Optional<Integer> v = kind == 3 ? in.receive(Duration.ofMillis(5)) : in.tryReceive();
            if (v.isEmpty()) {
                if (in.isClosedForReceive()) {
                    return Received.closed(null);
                }
                if (kind == 4) {
                    Thread.onSpinWait();
                }
                return null;
            }
            return Received.of(v.get());
        } catch (ChannelClosedException closed) {
            return Received.closed(null);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "spin"})
    void aTimedReceiveEndsOnTimeAndAnInterruptedOneLosesNothing(String wait) throws Exception {
        try (Pair p = open("timed", wait)) {
            long start = System.nanoTime();
            assertEquals(Optional.empty(), p.in().receive(Duration.ofMillis(50)));
            long took = System.nanoTime() - start;
            assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(50) && took < TimeUnit.SECONDS.toNanos(5), took + " ns");

            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread receiver = Thread.ofPlatform().start(() -> {
                started.countDown();
                try {
                    outcome.complete(new AssertionError("received " + p.in().receive()));
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            started.await();
            receiver.interrupt();
            assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
            p.out().send(7);
            assertEquals(Optional.of(7), p.in().receive(Duration.ofSeconds(10)));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "spin"})
    void closingTheEndReleasesAReceiverReadingTheRing(String wait) throws Exception {
        try (Pair p = open("release", wait)) {
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Object> outcome = CompletableFuture.supplyAsync(() -> {
                started.countDown();
                try {
                    return p.in().receive();
                } catch (Throwable t) {
                    return t;
                }
            }, r -> Thread.ofPlatform().start(r));
            started.await();
            p.in().close();
            assertInstanceOf(ChannelClosedException.class, outcome.get(10, TimeUnit.SECONDS));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block", "spin"})
    void valuesWaitingInTheRingAreSeenWithoutAReceiverAndTheCloseToo(String wait) throws Exception {
        try (Pair p = open("idle", wait)) {
            assertTrue(p.in().isEmpty());
            assertEquals(Optional.empty(), p.in().tryReceive());
            p.out().send(1);
            p.out().send(2);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (p.in().isEmpty() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            assertFalse(p.in().isEmpty());
            assertEquals(Optional.of(1), p.in().tryReceive());
            p.out().close();
            assertFalse(p.in().isClosedForReceive(), "2 is still to be received");
            assertEquals(2, p.in().receive());
            while (!p.in().isClosedForReceive() && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling with a deadline: the close frame is read meanwhile
            }
            assertTrue(p.in().isClosedForReceive());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"block"})
    void aSelectAloneIsFedByTheReaderThread(String wait) throws Exception {
        try (Pair p = open("select", wait)) {
            Channel<Integer> local = Channel.buffered(1);
            for (int i = 0; i < 1_000; i++) {
                p.out().send(i);
                int got = Select.<Integer>select().onReceive(p.in(), v -> v).onReceive(local, v -> -1)
                        .onTimeout(Duration.ofSeconds(10), () -> -2).run();
                assertEquals(i, got);
            }
        }
    }
}
