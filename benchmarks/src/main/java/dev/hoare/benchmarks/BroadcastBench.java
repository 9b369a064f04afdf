package dev.hoare.benchmarks;

import dev.hoare.channels.BroadcastChannel;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Fan-out: one sender delivers {@link #MESSAGES} values to every one of {@code subscribers}
 * consumers, each on its own thread; cost per value sent (so per {@code subscribers} deliveries).
 * {@code hoare} is a {@link BroadcastChannel} with a buffer of {@code capacity} per subscription;
 * {@code abq} is what Go programs write by hand: one {@code ArrayBlockingQueue} of the same capacity
 * per consumer and a loop that puts each value into every queue in turn (waiting on each full one;
 * unlike the broadcast it may deliver to some consumers while waiting for another).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class BroadcastBench {
    static final int MESSAGES = 20_000;
    private static final Integer[] VALUES = new Integer[1024];

    static {
        for (int i = 0; i < VALUES.length; i++) {
            VALUES[i] = i;
        }
    }

    @Param({"hoare", "abq"})
    public String impl;

    @Param({"1", "4", "16"})
    public int subscribers;

    @Param({"16"})
    public int capacity;

    @Param({"platform", "virtual"})
    public String threads;

    private ThreadFactory factory;

    @Setup
    public void setup() {
        factory = Transfer.threads(threads);
    }

    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public long oneToMany() throws Exception {
        return impl.equals("hoare") ? broadcast() : queues();
    }

    private long broadcast() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(capacity);
        List<ReceiveChannel<Integer>> subs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            subs.add(b.subscribe());
        }
        AtomicLong sum = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> all = new ArrayList<>();
        for (ReceiveChannel<Integer> s : subs) {
            all.add(factory.newThread(() -> {
                try {
                    long local = 0;
                    for (Received<Integer> r; (r = s.receiveResult()).ok(); ) {
                        local += r.value();
                    }
                    sum.addAndGet(local);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        all.add(factory.newThread(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    b.send(VALUES[i & 1023]);
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            } finally {
                b.close();
            }
        }));
        return runAll(all, failure, sum);
    }

    private long queues() throws Exception {
        List<ArrayBlockingQueue<Integer>> qs = new ArrayList<>();
        for (int i = 0; i < subscribers; i++) {
            qs.add(new ArrayBlockingQueue<>(capacity));
        }
        AtomicLong sum = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> all = new ArrayList<>();
        for (ArrayBlockingQueue<Integer> q : qs) {
            all.add(factory.newThread(() -> {
                try {
                    long local = 0;
                    for (int i = 0; i < MESSAGES; i++) {
                        local += q.take();
                    }
                    sum.addAndGet(local);
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        all.add(factory.newThread(() -> {
            try {
                for (int i = 0; i < MESSAGES; i++) {
                    Integer v = VALUES[i & 1023];
                    for (ArrayBlockingQueue<Integer> q : qs) {
                        q.put(v);
                    }
                }
            } catch (Throwable t) {
                failure.compareAndSet(null, t);
            }
        }));
        return runAll(all, failure, sum);
    }

    private static long runAll(List<Thread> all, AtomicReference<Throwable> failure, AtomicLong sum) throws Exception {
        all.forEach(Thread::start);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Transfer.TIMEOUT_SECONDS);
        for (Thread t : all) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (t.isAlive()) {
                throw new TimeoutException("fan-out did not finish in " + Transfer.TIMEOUT_SECONDS + " s");
            }
        }
        if (failure.get() != null) {
            throw new IllegalStateException("fan-out failed", failure.get());
        }
        return sum.get();
    }
}
