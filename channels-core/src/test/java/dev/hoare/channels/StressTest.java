package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Many producers and consumers: every value is received exactly once, or, for lossy kinds, either
 * received or handed to the undelivered hook, exactly once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StressTest {
    private static final int PRODUCERS = 8;
    private static final int CONSUMERS = 8;
    private static final int PER_PRODUCER = 100_000;

    static Stream<Arguments> kindsAndThreads() {
        return ChannelKind.all().flatMap(k -> Stream.of(Arguments.of(k, "platform"), Arguments.of(k, "virtual")));
    }

    @ParameterizedTest(name = "{0} on {1} threads")
    @MethodSource("kindsAndThreads")
    void everyValueIsReceivedExactlyOnce(ChannelKind kind, String threads) throws Exception {
        int total = PRODUCERS * PER_PRODUCER;
        AtomicIntegerArray seen = new AtomicIntegerArray(total);
        Channel<Integer> ch = kind.create(v -> seen.incrementAndGet(v));
        ThreadFactory factory = threads.equals("virtual") ? Thread.ofVirtual().factory() : Thread.ofPlatform().factory();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            int base = p * PER_PRODUCER;
            producers.add(factory.newThread(() -> {
                try {
                    for (int i = 0; i < PER_PRODUCER; i++) {
                        ch.send(base + i);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < CONSUMERS; c++) {
            consumers.add(factory.newThread(() -> {
                try {
                    int[] lastPerProducer = new int[PRODUCERS];
                    java.util.Arrays.fill(lastPerProducer, -1);
                    for (Integer v : ch) {
                        seen.incrementAndGet(v);
                        int p = v / PER_PRODUCER;
                        if (v <= lastPerProducer[p]) {
                            failures.add(new AssertionError("out of order from producer " + p + ": " + v));
                        }
                        lastPerProducer[p] = v;
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        consumers.forEach(Thread::start);
        producers.forEach(Thread::start);
        for (Thread t : producers) {
            t.join(TimeUnit.SECONDS.toMillis(100));
            assertTrue(!t.isAlive(), "producer stuck");
        }
        ch.close();
        for (Thread t : consumers) {
            t.join(TimeUnit.SECONDS.toMillis(100));
            assertTrue(!t.isAlive(), "consumer stuck");
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        TestSupport.assertEachSeenOnce(seen, kind);
    }

    /**
     * Receivers that keep timing out race the senders' wake-ups: a wake-up that reaches a receiver
     * which is giving up must be passed on, or a value would sit in the channel while others wait.
     */
    @ParameterizedTest
    @MethodSource("dev.hoare.channels.ChannelKind#lossless")
    void timedOutReceiversLoseNoValueAndNoWakeUp(ChannelKind kind) throws Exception {
        int producers = 4;
        int perProducer = 20_000;
        AtomicIntegerArray seen = new AtomicIntegerArray(producers * perProducer);
        Channel<Integer> ch = kind.create();
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int base = p * perProducer;
            threads.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        if (!ch.send(base + i, java.time.Duration.ofSeconds(30))) {
                            failures.add(new AssertionError("send timed out"));
                        }
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> consumers = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            consumers.add(Thread.ofVirtual().start(() -> {
                try {
                    while (received.get() < producers * perProducer) {
                        ch.receive(java.time.Duration.ofNanos(20_000)).ifPresent(v -> {
                            seen.incrementAndGet(v);
                            received.incrementAndGet();
                        });
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
        }
        for (Thread t : consumers) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), "consumer stuck");
        }
        assertTrue(failures.isEmpty(), () -> "failures: " + failures);
        TestSupport.assertEachSeenOnce(seen, kind);
    }
}
