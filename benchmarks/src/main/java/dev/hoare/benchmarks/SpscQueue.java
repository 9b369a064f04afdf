package dev.hoare.benchmarks;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A single-producer single-consumer bounded array queue in the style of JCTools' SpscArrayQueue
 * (written for this benchmark): the producer owns {@code tail}, the consumer owns {@code head};
 * each keeps a cached copy of the other's index and re-reads it only when the cache says full or
 * empty, so in steady streaming neither touches the other's cache line. A slot is published by a
 * release store of the tail (the value is written first) and freed by a release store of the head
 * (after the value was read and the slot cleared). Nothing blocks: a full {@link #put} and an empty
 * {@link #take} spin briefly, then yield. One producer thread and one consumer thread only.
 *
 * <p>Layout: the two indexes and their caches sit 128 bytes apart (padding fields) so that the
 * producer's and the consumer's writes never share a cache line.
 */
final class SpscQueue<E> {
    private static final VarHandle TAIL;
    private static final VarHandle HEAD;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            TAIL = l.findVarHandle(Producer.class, "tail", long.class);
            HEAD = l.findVarHandle(Consumer.class, "head", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The producer's line: its index and its cached view of the consumer's. */
    @SuppressWarnings("unused")
    static final class Producer {
        long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
        volatile long tail;
        long headCache;
        long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;
    }

    /** The consumer's line: its index and its cached view of the producer's. */
    @SuppressWarnings("unused")
    static final class Consumer {
        long p0, p1, p2, p3, p4, p5, p6, p7, p8, p9, p10, p11, p12, p13, p14, p15;
        volatile long head;
        long tailCache;
        long q0, q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13, q14, q15;
    }

    private final Object[] items;
    private final int capacity;
    private final Producer producer = new Producer();
    private final Consumer consumer = new Consumer();

    SpscQueue(int capacity) {
        this.capacity = capacity;
        this.items = new Object[capacity];
    }

    /** The producer thread only. */
    void put(E value) {
        Producer p = producer;
        long t = p.tail; // own index: plain enough, only this thread writes it
        if (t - p.headCache >= capacity) {
            for (int spins = 0; t - (p.headCache = (long) HEAD.getAcquire(consumer)) >= capacity; spins++) {
                backOff(spins);
            }
        }
        items[(int) (t % capacity)] = value;
        TAIL.setRelease(p, t + 1);
    }

    /** The consumer thread only. */
    @SuppressWarnings("unchecked")
    E take() {
        Consumer c = consumer;
        long h = c.head;
        if (h >= c.tailCache) {
            for (int spins = 0; h >= (c.tailCache = (long) TAIL.getAcquire(producer)); spins++) {
                backOff(spins);
            }
        }
        int i = (int) (h % capacity);
        E v = (E) items[i];
        items[i] = null;
        HEAD.setRelease(c, h + 1);
        return v;
    }

    private static void backOff(int spins) {
        if (spins < 100) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }
}
