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
    /** Boxed once, so that boxing is not what is measured. */
    private static final Integer[] VALUES = new Integer[1024];

    static {
        for (int i = 0; i < VALUES.length; i++) {
            VALUES[i] = i;
        }
    }

    private Transfer() {
    }

    static ThreadFactory threads(String kind) {
        return switch (kind) {
            case "platform" -> Thread.ofPlatform().factory();
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
        consumer.join(TimeUnit.SECONDS.toMillis(60));
        for (Thread t : senders) {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        if (consumer.isAlive()) {
            senders.forEach(Thread::interrupt);
            consumer.interrupt();
            throw new TimeoutException("transfer did not finish in 60 s");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        return sum[0];
    }
}
