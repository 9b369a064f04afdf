package dev.hoare.channels.shm;

import dev.hoare.channels.Ticker;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link System#nanoTime()} as of at most {@link #TICK_NANOS} ago, for the price of a volatile
 * load: one daemon platform thread ({@code hoare-shm-clock}) stores the time every tick while at
 * least one writing link holds the clock ({@link #acquire}/{@link #release}), and none runs
 * otherwise.
 *
 * <p>Why: a writer looks at its reader's process by time, not by count (a quiet writer must
 * learn of a dead reader at its next write, whatever its pace), so every write needs the time;
 * reading the real clock per record (a vDSO call, some 20 ns) cut {@code shm:} streaming by a
 * third to a half in alternating runs (docs/benchmarks.md). The stored value changes once a
 * tick, so its cache line stays shared between the writers and the load is nearly free.
 *
 * <p>Invariants: {@link #users} and {@link #ticker} are guarded by {@link #LOCK}; a ticker runs
 * exactly while {@code users > 0} (a released one sees its own stop flag and ends within a
 * tick); {@link #now} only moves forward, and while a ticker runs it is at most a tick (plus the
 * ticker's scheduling delay) old; the first {@link #acquire} stores the time itself, so a
 * holder never reads a value left from before the clock was last idle.
 */
final class CoarseClock {
    /** How stale {@link #now()} may be. */
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    private static volatile long now = System.nanoTime();
    /** Guards {@link #users} and {@link #ticker}. */
    private static final ReentrantLock LOCK = new ReentrantLock();
    private static int users;
    private static Ticker ticker;

    private CoarseClock() {
    }

    /** @return the time ({@link System#nanoTime()}'s scale) as of at most {@link #TICK_NANOS} ago, while held */
    static long now() {
        return now;
    }

    /** Holds the clock: a ticker runs until every holder has released it. */
    static void acquire() {
        LOCK.lock();
        try {
            if (users++ == 0) {
                now = System.nanoTime();
                ticker = new Ticker();
                Thread.ofPlatform().daemon().name("hoare-shm-clock").start(ticker);
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** Lets the clock go (once per {@link #acquire}); the last release stops the ticker. */
    static void release() {
        LOCK.lock();
        try {
            if (users > 0 && --users == 0) {
                ticker.stop();
                ticker = null;
            }
        } finally {
            LOCK.unlock();
        }
    }

    /** One ticker's life: it stores the time every tick until told to stop. */
    private static final class Ticker implements Runnable {
        private volatile boolean stopped;
        private volatile Thread thread;

        @Override
        public void run() {
            thread = Thread.currentThread();
            while (!stopped) {
                now = System.nanoTime();
                LockSupport.parkNanos(this, TICK_NANOS);
            }
        }

        void stop() {
            stopped = true;
            Thread t = thread;
            if (t != null) {
                LockSupport.unpark(t);
            }
        }
    }
}
