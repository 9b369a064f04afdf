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
        for (int v = 0; v < total; v++) {
            if (seen.get(v) != 1) {
                assertEquals(1, seen.get(v), "value " + v + " seen " + seen.get(v) + " times on " + kind);
            }
        }
    }
}
