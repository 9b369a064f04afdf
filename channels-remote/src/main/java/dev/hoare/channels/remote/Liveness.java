package dev.hoare.channels.remote;

import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.spi.Endpoint;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Turns a silent peer into {@link PeerLostException} where no OS event says it is gone (a stopped
 * process, a network that drops everything), and keeps a link that is idle but alive from looking
 * silent: the heartbeat of docs/wire-format.md ("Liveness").
 *
 * <p>One watch per link (a channel end's link, or a connection that carries a channel each way),
 * checked by one shared daemon timer thread, {@code hoare-liveness}, every quarter of the
 * liveness it knows of (its own, or the one the peer announced in its HELLO, the shorter;
 * at least {@link #MIN_TICK_MILLIS} ms). The hot path pays no clock read and no fence: the link's
 * reader and writers count frames in plain fields written with opaque stores
 * ({@link Watched#framesIn}, {@link Watched#framesOut}); only the timer reads the clock. At
 * each tick:
 * <ol>
 *   <li>nothing written since the last tick: a PING goes out (on a shared pool of daemon
 *       platform threads, so a write that blocks never holds the timer; one at a time per link);</li>
 *   <li>a frame read since the last tick, or the link's reader waiting for the application
 *       rather than for the peer (a full one-way inbox): the peer is heard now;</li>
 *   <li>else, if this side has a liveness of its own and has heard nothing for that long: the
 *       peer is lost ({@link Watched#lost}), and the watch ends; if not that long yet, the link
 *       is nudged ({@link Watched#nudge}: a receiving end whose application receives nothing
 *       reads the link meanwhile, so frames waiting in the OS count).</li>
 * </ol>
 * A watch ends with {@link Handle#cancel} (the link closed) or a loss. Off (no watch at all) unless
 * a liveness is set on either side: local transports, where the OS reports a dead peer, pay
 * nothing by default.
 *
 * <p>State of one watch (fields written by the timer thread only, except {@link #pinging}):
 * {@code lastIn}/{@code lastOut} (the counters at the last tick), {@code heardAt} (timer clock);
 * {@code pinging} is set by the timer and cleared by the ping thread when its write returns.
 */
final class Liveness implements Runnable {
    /** The shortest period of the timer's looks at one link. */
    static final long MIN_TICK_MILLIS = 10;

    private static final ScheduledThreadPoolExecutor TIMER = timer();
    private static final ExecutorService PINGS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "hoare-ping");
        t.setDaemon(true);
        return t;
    });

    /** What a watched link offers the timer. */
    interface Watched {
        /** @return frames read from the peer so far (any kind; only changes matter) */
        long framesIn();

        /** @return frames written to the peer so far (any kind; only changes matter) */
        long framesOut();

        /** Writes or queues a PING; may block (it runs on a ping thread). */
        void ping();

        /** Nothing heard for a tick: make sure somebody reads the link. Must not block. */
        void nudge();

        /** @return whether the link's reader now waits for the application, not for the peer */
        boolean waitsForApplication();

        /** The peer is lost: end the link with {@code cause}. Must not block for long. */
        void lost(PeerLostException cause);

        /** @return the link, for messages */
        String describe();
    }

    private final Watched watched;
    private final long ownNanos;
    private final Duration own;
    private final boolean hears;
    private final boolean speaks;
    private final AtomicBoolean pinging = new AtomicBoolean();
    private long lastIn;
    private long lastOut;
    private long heardAt;
    private volatile ScheduledFuture<?> schedule;

    private Liveness(Watched watched, Duration own, boolean hears, boolean speaks) {
        this.watched = watched;
        this.own = own;
        this.ownNanos = own == null || !hears ? 0 : own.toNanos();
        this.hears = hears;
        this.speaks = speaks;
        this.lastIn = watched.framesIn();
        this.lastOut = watched.framesOut();
        this.heardAt = System.nanoTime();
    }

    /**
     * Starts watching a link, if a liveness is set on either side.
     *
     * @param watched the link
     * @param own this side's liveness ({@code null} or zero: none)
     * @param peerMillis the liveness the peer announced in its HELLO (0: none, or unknown: one-way)
     * @param hears whether this side reads the peer (not a one-way writer)
     * @param speaks whether this side writes to the peer (not a one-way reader)
     * @return the watch, or {@link #NONE} if there is nothing to watch
     */
    static Handle watch(Watched watched, Duration own, long peerMillis, boolean hears, boolean speaks) {
        long ownMillis = own == null ? 0 : own.toMillis();
        long shortest = Math.min(ownMillis > 0 ? ownMillis : Long.MAX_VALUE, peerMillis > 0 ? peerMillis : Long.MAX_VALUE);
        if (shortest == Long.MAX_VALUE || (!speaks && !(hears && ownMillis > 0))) {
            return NONE;
        }
        Liveness l = new Liveness(watched, ownMillis > 0 ? own : null, hears, speaks);
        long tick = Math.max(MIN_TICK_MILLIS, shortest / 4);
        l.schedule = TIMER.scheduleAtFixedRate(l, tick, tick, TimeUnit.MILLISECONDS);
        return l::stop;
    }

    /** A started watch. */
    interface Handle {
        /** Ends the watch (the link closed). Idempotent. */
        void cancel();
    }

    /** No watch. */
    static final Handle NONE = () -> {
    };

    private void stop() {
        ScheduledFuture<?> s = schedule;
        if (s != null) {
            s.cancel(false);
        }
    }

    /** One look, on the timer thread. */
    @Override
    public void run() {
        try {
            long now = System.nanoTime();
            if (speaks) {
                long out = watched.framesOut();
                if (out == lastOut && pinging.compareAndSet(false, true)) {
                    lastOut = out + 1; // its own write is not a reason to skip the next one
                    PINGS.execute(this::ping);
                } else {
                    lastOut = out;
                }
            }
            if (!hears) {
                return;
            }
            long in = watched.framesIn();
            if (in != lastIn || watched.waitsForApplication()) {
                lastIn = in;
                heardAt = now;
                return;
            }
            if (ownNanos == 0) {
                return;
            }
            if (now - heardAt >= ownNanos) {
                stop();
                watched.lost(new PeerLostException(watched.describe() + ": no frame from the peer for "
                        + Endpoint.formatDuration(own) + " (liveness; the peer may be stopped, hung or unreachable)"));
                return;
            }
            watched.nudge();
        } catch (RuntimeException e) {
            // a link that fails here fails its own reads and writes too: the timer thread goes on
        }
    }

    private void ping() {
        try {
            watched.ping();
        } catch (RuntimeException e) {
            // the link is broken: its reader or writer reports it
        } finally {
            pinging.set(false);
        }
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "hoare-liveness");
            thread.setDaemon(true);
            return thread;
        });
        t.setRemoveOnCancelPolicy(true);
        return t;
    }
}
