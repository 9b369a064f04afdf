package dev.hoare.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One benchmark invocation: {@code producers} threads of the chosen kind each put their share of
 * {@link #MESSAGES} into a fresh pipe, one consumer takes them all; the invocation ends when the
 * consumer has the last one. Results are per message ({@code @OperationsPerInvocation(MESSAGES)}),
 * thread start-up included (the same for every implementation, under 3% of an invocation).
 */
final class Transfer {
    static final int MESSAGES = 100_000;
    /** Bound on one invocation; the slowest peer needs about 1.5 s for a batch on 2 cores. */
    static final long TIMEOUT_SECONDS = 60;
    /** Boxed once, so that boxing is not what is measured. */
    private static final Integer[] VALUES = new Integer[1024];

    static {
        for (int i = 0; i < VALUES.length; i++) {
            VALUES[i] = i;
        }
    }

    private Transfer() {
    }

    private static long remainingMillis(long deadline) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
    }

    static ThreadFactory threads(String kind) {
        return switch (kind) {
            // daemon, so that a worker stuck after a failed invocation cannot keep the JMH fork alive
            case "platform" -> Thread.ofPlatform().daemon(true).factory();
            case "virtual" -> Thread.ofVirtual().factory();
            default -> throw new IllegalArgumentException("unknown thread kind " + kind);
        };
    }

    /** Moves {@link #MESSAGES} messages; returns a checksum so the work cannot be optimised away. */
    static long run(Pipe pipe, int producers, ThreadFactory factory) throws Exception {
        int perProducer = MESSAGES / producers;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] sum = new long[1];
        Thread consumer = factory.newThread(() -> {
            try {
                long s = 0;
                for (int i = 0; i < perProducer * producers; i++) {
                    s += pipe.take();
                }
                sum[0] = s;
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        });
        List<Thread> senders = new ArrayList<>(producers);
        for (int p = 0; p < producers; p++) {
            senders.add(factory.newThread(() -> {
                try {
                    for (int i = 0; i < perProducer; i++) {
                        pipe.put(VALUES[i & 1023]);
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        consumer.start();
        senders.forEach(Thread::start);
        // one bounded deadline for the whole invocation: a hang fails the benchmark loudly instead
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        consumer.join(remainingMillis(deadline));
        for (Thread t : senders) {
            t.join(remainingMillis(deadline));
        }
        boolean stuck = consumer.isAlive() || senders.stream().anyMatch(Thread::isAlive);
        if (stuck) {
            senders.forEach(Thread::interrupt);
            consumer.interrupt();
            throw new TimeoutException("transfer of " + MESSAGES + " messages did not finish in " + TIMEOUT_SECONDS + " s"
                    + (failure.get() == null ? "" : "; first failure: " + failure.get()));
        }
        if (failure.get() != null) {
            throw new IllegalStateException("transfer failed", failure.get());
        }
        long expected = producers * sumOfValues(perProducer);
        if (sum[0] != expected) {
            throw new IllegalStateException("consumer's checksum " + sum[0] + " != " + expected + ": messages lost or corrupted");
        }
        return sum[0];
    }

    /** Sum of the first {@code n} values a producer puts: {@code VALUES[i & 1023]} for i < n. */
    private static long sumOfValues(int n) {
        long block = VALUES.length * (VALUES.length - 1L) / 2;
        long rest = n % VALUES.length;
        return (n / VALUES.length) * block + rest * (rest - 1) / 2;
    }
}
