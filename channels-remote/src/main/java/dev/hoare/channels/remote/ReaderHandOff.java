package dev.hoare.channels.remote;

import dev.hoare.channels.link.Link;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Who reads a link: the link's own I/O thread, or an application thread that reads it for itself
 * while the I/O thread stands aside. One protocol, used by every end that lets the application
 * thread do the I/O on a link it can read ({@link Link#canReadNow}):
 * <ul>
 *   <li>{@link RemoteReceiveChannel}: a receiving thread reads its values from the link, while the
 *       reader thread (which feeds the inbox for selects) stands aside;</li>
 *   <li>{@link DuplexLink}: a thread receiving on the receive end reads and routes the link's
 *       frames, while the demultiplexing thread stands aside;</li>
 *   <li>{@link RemoteSendChannel}: a sender waiting for credits reads the return path, while the
 *       return path's thread stands aside.</li>
 * </ul>
 * The point is one wake-up instead of two or three: the peer's frame wakes the thread that waits
 * for it, not an I/O thread (through the JDK's poller, for a virtual thread) that wakes it in turn.
 *
 * <h2>Protocol</h2>
 * <pre>
 *   state          read lock held by   ownReaders  meaning
 *   THREAD_READS   the I/O thread      0           it waits on the link one slice at a time, and handles
 *                                                  (or hands on) what it reads
 *   WANTED         the I/O thread      &gt;= 1        an own reader counted itself and woke the link's
 *                                                  waiter ({@link Link#wakeReader}); the I/O thread sees
 *                                                  {@link #wanted()} after its wait and lets the lock go
 *   OWN_READ       an own reader       any         it reads for itself until it has what it waits for,
 *                                                  its time is up or the link ends
 *   STANDING_ASIDE nobody              any         the I/O thread parks while {@link #wanted()} or for
 *                                                  {@link #lingerLeftNanos()} after the last own read
 *
 *   THREAD_READS -> WANTED        an own reader, {@link #enter}
 *   WANTED -> OWN_READ            the I/O thread unlocks; the own reader's lock wait succeeds
 *   STANDING_ASIDE -> OWN_READ    an own reader, {@link #tryLock} (a quick look) or {@link #enter}
 *   OWN_READ -> STANDING_ASIDE    the own reader unlocks and {@link #leave}s (stamping the time, if asked)
 *   STANDING_ASIDE -> THREAD_READS  the I/O thread, once nobody wants the link and the linger is over
 * </pre>
 *
 * <p>Invariants:
 * <ol>
 *   <li>At most one thread reads the link: the holder of the read lock ({@link #lock},
 *       {@link #tryLock}, or {@link #enter} returning {@link #LOCKED}).</li>
 *   <li>An own reader is counted in {@code ownReaders} from {@link #enter} to {@link #leave}, so
 *       the I/O thread never takes the link back from a thread that waits for it.</li>
 *   <li>No lost wake-up: an own reader counts itself before it wakes the link's waiter, and the
 *       I/O thread looks at {@link #wanted()} after every wait on the link, holding the read lock.
 *       The wake-up cuts the I/O thread's slice short; the slices only bound how late a state
 *       change nobody signals is seen.</li>
 *   <li>An own reader waiting for the lock looks, between attempts of at most
 *       {@link #LOCK_SLICE_NANOS}, whether it still needs the link (the I/O thread may have handed
 *       it what it waits for meanwhile), so it never waits for the lock longer than that after it
 *       is done.</li>
 *   <li>The read lock is taken before any other lock of the end (an inbox's, a channel's, the
 *       link's write lock), never after one.</li>
 * </ol>
 *
 * <h2>Timing</h2>
 * All the protocol's constants are here. The ends use different slices for reasons given on each.
 */
final class ReaderHandOff {
    /** How long an own reader waits for the read lock at a time, looking at its own state in between. */
    static final long LOCK_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * How long an I/O thread stands aside after an own read ({@link DuplexLink},
     * {@link RemoteSendChannel}): in a stream the application reads again soon, and taking the link
     * back from the I/O thread would cost a wake-up. Also how long a send end's return-path thread
     * parks at a time while it stands aside.
     */
    static final long LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /**
     * The longest single wait on the link by a receive end's reader thread pumping into the inbox,
     * and by a sender reading the return path: then it looks again whether to stand aside (pump)
     * or whether it is done (a close or a loss completed it from another thread).
     */
    static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * How long a receive end's idle reader thread parks between looks at whether it is needed (a
     * receiver waits on the inbox), and while a receiving thread reads for itself.
     */
    static final long IDLE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /**
     * {@link DuplexLink}'s longest single wait on the link, or for a receiving thread to finish
     * with it. A thread that wants the link wakes the one waiting on it, so this bounds only how
     * often an idle connection looks, and how late the demultiplexing thread takes over after a
     * receiving thread stops receiving (credits for the send end wait that long at most, and only
     * if nobody receives meanwhile).
     */
    static final long DUPLEX_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** What {@link #enter} returns when the caller holds the read lock. */
    static final Object LOCKED = new Object();
    /** What {@link #enter} returns when the time ran out before the read lock was free. */
    static final Object TIMED_OUT = new Object();

    /** What an own reader waiting for the read lock looks at between attempts. */
    @FunctionalInterface
    interface Meanwhile {
        /** @return {@code null} to keep waiting for the link, or a result that ends the wait */
        Object look() throws InterruptedException;
    }

    private final Link link;
    private final long lingerNanos;
    /** Held by whoever reads the link: the I/O thread, or an own reader. */
    private final ReentrantLock readLock = new ReentrantLock();
    /** Own readers reading or waiting to: the I/O thread stands aside for them. */
    private final AtomicInteger ownReaders = new AtomicInteger();
    /** When an own reader last left ({@link System#nanoTime}), if it asked to be stamped. */
    private volatile long lastOwnRead;

    /**
     * @param link whose waiter an own reader wakes ({@link Link#wakeReader})
     * @param lingerNanos how long the I/O thread stands aside after an own read that asked
     *     for it ({@link #LINGER_NANOS}, or 0)
     */
    ReaderHandOff(Link link, long lingerNanos) {
        this.link = link;
        this.lingerNanos = lingerNanos;
        this.lastOwnRead = System.nanoTime() - lingerNanos;
    }

    // ---------------------------------------------------------------- the I/O thread

    /** The I/O thread (or a failure path) takes the read lock, waiting as long as it takes. */
    void lock() {
        readLock.lock();
    }

    /** Releases the read lock, whoever holds it. */
    void unlock() {
        readLock.unlock();
    }

    /** @return whether an own reader reads the link or waits to: the I/O thread stands aside */
    boolean wanted() {
        return ownReaders.get() > 0;
    }

    /** @return how much longer the I/O thread stands aside after the last stamped own read; 0 or less: not at all */
    long lingerLeftNanos() {
        return lingerNanos - (System.nanoTime() - lastOwnRead);
    }

    // ---------------------------------------------------------------- own readers

    /** One look without waiting (and without counting in): whether this thread now holds the read lock. */
    boolean tryLock() {
        return readLock.tryLock();
    }

    /**
     * An own reader counts itself in (the I/O thread stands aside from now on) and waits for the
     * read lock: waking the link's waiter once, then {@link #LOCK_SLICE_NANOS} at a time, looking
     * at {@code meanwhile} between attempts. Whatever it returns, the caller calls {@link #leave}
     * after (and, if it returned {@link #LOCKED}, {@link #unlock} before that).
     *
     * @param deadline a {@link System#nanoTime} deadline, if {@code timed}
     * @return {@link #LOCKED}, {@link #TIMED_OUT}, or what {@code meanwhile} returned
     * @throws InterruptedException if interrupted while waiting for the lock (not holding it)
     */
    Object enter(boolean timed, long deadline, Meanwhile meanwhile) throws InterruptedException {
        ownReaders.incrementAndGet();
        boolean woken = false;
        while (!readLock.tryLock()) {
            Object r = meanwhile.look();
            if (r != null) {
                return r;
            }
            if (!woken) {
                link.wakeReader(); // the I/O thread leaves its wait on the link and stands aside
                woken = true;
            }
            long wait = timed ? Math.min(LOCK_SLICE_NANOS, deadline - System.nanoTime()) : LOCK_SLICE_NANOS;
            if (wait <= 0) {
                return TIMED_OUT;
            }
            if (readLock.tryLock(wait, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        return LOCKED;
    }

    /**
     * An own reader leaves, after {@link #enter} (and after unlocking, if it held the lock).
     *
     * @param stamp whether the I/O thread lingers aside from now ({@link #lingerLeftNanos})
     * @return the own readers left
     */
    int leave(boolean stamp) {
        if (stamp) {
            lastOwnRead = System.nanoTime();
        }
        return ownReaders.decrementAndGet();
    }
}
