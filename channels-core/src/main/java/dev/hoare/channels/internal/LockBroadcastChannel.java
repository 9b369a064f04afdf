package dev.hoare.channels.internal;

import dev.hoare.channels.BroadcastChannel;
import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The broadcast channel ({@link BroadcastChannel}): one lock over the list of subscriptions, and
 * each subscription an ordinary {@link LockChannel} that only this broadcast sends into, so that
 * receive, iteration, select and the Reactor bridge work on it unchanged.
 *
 * <p>Invariants, true whenever {@link #lock} is free:
 * <ol>
 *   <li>Nothing but a commit (below) sends into a subscription's channel, and a commit skips a
 *       subscription whose channel is closed (it reads that under the channel's lock, so it is
 *       stable during the commit). A subscriber that leaves closes or cancels its channel first —
 *       that is the moment it leaves, for every commit and every receive alike — then takes it
 *       out of {@link #subscriptions}, then releases the senders waiting for room in it. (Taking
 *       it out first would let a sender that waited for it commit, and return, while a receive
 *       could still take a value the cancel then discards: no order of the calls explains that.)
 *       The broadcast's close takes the subscriptions out, then closes them, under {@code lock} (5).</li>
 *   <li>{@code subscriptions} is sorted by channel id, the global lock order of {@link Select}:
 *       each channel is created under {@code lock} and appended.</li>
 *   <li>A value is delivered to every subscription in the array at its commit, or to none. A commit
 *       holds {@code lock} and every subscription's lock at once, checks that each subscription
 *       has room ({@link LockChannel#hasRoomLocked}: a drop policy always has), and only then puts
 *       the value into each open one; with room, a put into an open channel cannot fail, and with
 *       every lock held nothing can change between the check and the puts. A send that finds a
 *       subscription full commits nothing: it waits, without any lock, and tries again from the
 *       start. So a send that gives up (trySend finding no room, a timeout, an interrupt) delivered
 *       to nobody. Holding the subscriptions' locks together also makes the commit one instant
 *       for receivers: none can take the value from one subscription while another lacks it.</li>
 *   <li>A waiting sender is counted in {@link #waitingSenders} and its waiter sits in exactly one
 *       subscription's {@link Subscription#room} queue, guarded by that subscription's lock. It
 *       is completed {@link Waiter#RETRY} when a receive there frees a slot (the channel's
 *       {@code onRoom} hook, under its lock) or when the subscription detaches (after it left the
 *       array). It was queued under the same lock after seeing the subscription full, so no
 *       freed slot goes unnoticed. A sender that gives up unqueues itself under that lock.</li>
 *   <li>{@code closed} and {@code waitingSenders == 0} imply {@code subscriptions} is empty and
 *       every channel it held is closed (with the close cause): the close, or the last waiting
 *       sender to finish after it, empties the array and closes those channels before it releases
 *       {@code lock}, so after every commit, and at one moment for every observer.</li>
 * </ol>
 *
 * <p>States ({@code lock} guards every transition):
 * <pre>
 *   state     closed  waitingSenders  subscriptions        a send              subscribe()
 *   OPEN      false   any             the attached ones    commits or waits    attaches
 *   DRAINING  true    &gt; 0             kept for the waiters only waiting senders   a closed one
 *   CLOSED    true    0               empty (all closed)   throws              a closed one
 * </pre>
 * OPEN to DRAINING or CLOSED: {@link #close(Throwable)}. DRAINING to CLOSED: the last waiting sender
 * finishing (delivered, gave up, or interrupted), in {@link #finishWaiting}.
 *
 * <p>Lock order: {@code lock}, then subscription locks in increasing channel id. Nothing takes
 * {@code lock} while holding a subscription's lock (the {@code onRoom} hook only completes waiters).
 * Waiters are unparked and hooks run after every lock is released, except that the close unparks
 * the subscriptions' receivers while holding {@code lock} (see {@link #closeAllLocked}); none of
 * them ever takes it.
 */
public final class LockBroadcastChannel<E> extends SendFront<E> implements BroadcastChannel<E> {
    private static final Subscription<?>[] NONE = new Subscription<?>[0];

    private final int capacity;
    private final Overflow overflow;
    private final Consumer<? super E> onUndelivered;
    private final int replay;

    /** Guards {@link #subscriptions}, {@link #waitingSenders}, {@link #closeCause}, {@link #replayed}, and the writes of {@link #closed}. */
    private final ReentrantLock lock = new ReentrantLock();
    /** The attached subscriptions, sorted by channel id; replaced, never changed in place. */
    private Subscription<E>[] subscriptions = none();
    /** Senders between their first wait and their end (invariant 4). */
    private int waitingSenders;
    /** Written under the lock; read without it by {@link #isClosedForSend()}. */
    private volatile boolean closed;
    private Throwable closeCause;
    /** The last {@link #replay} values committed, oldest first; {@code null} without replay. */
    private final ArrayDeque<Object> replayed;

    public LockBroadcastChannel(int capacity, Overflow overflow, Consumer<? super E> onUndelivered, int replay) {
        this.capacity = checkCapacity(capacity);
        this.overflow = Objects.requireNonNull(overflow, "overflow");
        this.onUndelivered = onUndelivered;
        this.replay = replay;
        this.replayed = replay > 0 ? new ArrayDeque<>(Math.min(replay, 1024)) : null;
    }

    @SuppressWarnings("unchecked")
    private static <E> Subscription<E>[] none() {
        return (Subscription<E>[]) NONE;
    }

    // ---------------------------------------------------------------- subscribe and detach

    @Override
    public ReceiveChannel<E> subscribe() {
        return subscribe(capacity, overflow);
    }

    @Override
    public ReceiveChannel<E> subscribe(int capacity, Overflow overflow) {
        checkCapacity(capacity);
        Objects.requireNonNull(overflow, "overflow");
        Subscription<E> s;
        boolean closeNow;
        Throwable cause;
        lock.lock();
        try {
            s = new Subscription<>(this, capacity, overflow, onUndelivered); // under the lock: invariant 2
            if (replayed != null) {
                int skip = Math.max(0, replayed.size() - capacity);
                for (Object v : replayed) {
                    if (skip-- <= 0) {
                        s.channel.trySend(cast(v)); // fits: at most its capacity, and nobody else sees it yet
                    }
                }
            }
            closeNow = closed;
            cause = closeCause;
            if (!closeNow) {
                Subscription<E>[] next = Arrays.copyOf(subscriptions, subscriptions.length + 1);
                next[next.length - 1] = s;
                subscriptions = next;
            }
        } finally {
            lock.unlock();
        }
        if (closeNow) {
            s.channel.close(cause);
        }
        return s;
    }

    /**
     * Takes {@code s} out of the array if it is there (invariant 1: after its channel was closed or
     * cancelled). Must be called without any lock.
     */
    private void detach(Subscription<E> s) {
        lock.lock();
        try {
            Subscription<E>[] subs = subscriptions;
            for (int i = 0; i < subs.length; i++) {
                if (subs[i] == s) {
                    Subscription<E>[] next = Arrays.copyOf(subs, subs.length - 1);
                    System.arraycopy(subs, i + 1, next, i, subs.length - i - 1);
                    subscriptions = next;
                    return;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** For tests: how many senders wait (or are about to) for room in some subscription. */
    public int waitingSenders() {
        lock.lock();
        try {
            return waitingSenders;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int subscriberCount() {
        lock.lock();
        try {
            return subscriptions.length;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- send

    /**
     * One send: a {@link #commitLocked} attempt under the locks; if a subscription is full and the
     * send may wait, wait (no lock held) for that subscription to free a slot, then try again.
     *
     * @return {@code true} if committed; {@code false} if not without waiting, or the time ran out
     * @throws ChannelClosedException if the broadcast was closed before this send first waited
     * @throws InterruptedException if interrupted while waiting (delivered to nobody)
     */
    @Override
    protected boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        boolean counted = false; // in waitingSenders: then a close lets this send still deliver
        try {
            for (;;) {
                Wake wake = new Wake();
                Waiter self = block ? new Waiter(null) : null;
                Subscription<E> full;
                lock.lock();
                try {
                    if (closed && !counted) {
                        throw new ChannelClosedException(closeCause);
                    }
                    full = commitLocked(value, self, wake);
                    if (full != null && self != null && !counted) {
                        counted = true;
                        waitingSenders++;
                    }
                } finally {
                    lock.unlock();
                }
                if (full == null) {
                    wake.run();
                    return true;
                }
                if (self == null) {
                    return false;
                }
                if (!ChannelWaitEvent.await(self, this, ChannelWaitEvent.SEND, timed, deadline)
                        && !full.room.giveUp(full.channel.lock, self)) {
                    if (Thread.interrupted()) {
                        throw new InterruptedException();
                    }
                    return false;
                }
                // RETRY: that subscription freed a slot or left; a later one may be full now
            }
        } finally {
            if (counted) {
                finishWaiting();
            }
        }
    }

    /**
     * The commit (invariant 3). Must be called with {@link #lock} held; takes and releases every
     * subscription's lock. If every subscription has room, puts the value into each (what to wake
     * and drop goes into {@code wake}) and keeps it for replay; otherwise queues {@code self}, if
     * given, in the first full subscription's room queue and puts the value nowhere.
     *
     * @return {@code null} if committed, else the full subscription
     */
    private Subscription<E> commitLocked(Object value, Waiter self, Wake wake) {
        Subscription<E>[] subs = subscriptions;
        int locked = 0;
        try {
            Subscription<E> full = null;
            for (Subscription<E> s : subs) {
                s.channel.lock.lock();
                locked++;
                if (full == null && !s.channel.isClosedForSend() && !s.channel.hasRoomLocked()) {
                    full = s;
                }
            }
            if (full != null) {
                if (self != null) {
                    full.room.add(self);
                }
                return full;
            }
            for (Subscription<E> s : subs) {
                if (!s.channel.isClosedForSend()) { // invariant 1: it left
                    s.channel.offerLocked(value, wake);
                }
            }
            if (replayed != null) {
                if (replayed.size() == replay) {
                    replayed.pollFirst();
                }
                replayed.addLast(value);
            }
            return null;
        } finally {
            while (locked > 0) {
                subs[--locked].channel.lock.unlock(); // in reverse
            }
        }
    }

    /** A waiting sender is done (invariant 5): the last one after a close closes the subscriptions. */
    private void finishWaiting() {
        lock.lock();
        try {
            waitingSenders--;
            closeAllLocked(takeAllIfClosedLocked(), closeCause);
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- close

    @Override
    public void close() {
        close(null);
    }

    @Override
    public boolean close(Throwable cause) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closeCause = cause;
            closed = true;
            closeAllLocked(takeAllIfClosedLocked(), cause);
        } finally {
            lock.unlock();
        }
        return true;
    }

    /**
     * Must be called with {@link #lock} held: if closed and no sender waits, empties the array.
     *
     * @return the subscriptions to close after unlocking (none if not yet)
     */
    private Subscription<E>[] takeAllIfClosedLocked() {
        if (!closed || waitingSenders > 0) {
            return none();
        }
        Subscription<E>[] subs = subscriptions;
        subscriptions = none();
        return subs;
    }

    /**
     * Closes the channels taken out of the array. Must be called with {@link #lock} held (invariant
     * 5: a send that finds the broadcast closed must not be followed by a receive that finds a
     * subscription still open and empty). Each channel unparks its receivers after its own lock;
     * they never need {@code lock}, so waking them while it is held delays nobody.
     */
    private static void closeAllLocked(Subscription<?>[] subs, Throwable cause) {
        for (Subscription<?> s : subs) {
            s.channel.close(cause);
        }
    }

    @Override
    public boolean isClosedForSend() {
        return closed;
    }

    @Override
    public String toString() {
        return "BroadcastChannel[capacity=" + (capacity == Channel.UNLIMITED ? "unlimited" : capacity) + ", "
                + overflow + ", subscribers=" + subscriberCount() + (closed ? ", closed" : ", open") + "]";
    }

    @SuppressWarnings("unchecked")
    private static <E> E cast(Object o) {
        return (E) o;
    }

    // ---------------------------------------------------------------- the subscription

    /**
     * One subscriber's end: its own {@link LockChannel}, plus the queue of broadcast senders waiting
     * for room in it (guarded by that channel's lock). Select resolves it to the channel
     * ({@link ForwardingReceiveChannel}); close and cancel detach it first.
     */
    public static final class Subscription<E> extends ForwardingReceiveChannel<E> {
        private final LockBroadcastChannel<E> broadcast;
        public final LockChannel<E> channel;
        /** Broadcast senders waiting for a free slot here. Guarded by {@code channel.lock}. */
        final WaitQueue room;

        Subscription(LockBroadcastChannel<E> broadcast, int capacity, Overflow overflow, Consumer<? super E> onUndelivered) {
            this(broadcast, new WaitQueue(), capacity, overflow, onUndelivered);
        }

        private Subscription(LockBroadcastChannel<E> broadcast, WaitQueue room, int capacity, Overflow overflow,
                Consumer<? super E> onUndelivered) {
            super(new LockChannel<E>(capacity, overflow, onUndelivered, null, wake -> wakeAllLocked(room, wake)));
            this.broadcast = broadcast;
            this.channel = (LockChannel<E>) delegate();
            this.room = room;
            channel.subscriptionOf(room);
        }

        /** Must be called with the channel's lock held: completes every waiting sender with RETRY. */
        private static void wakeAllLocked(WaitQueue room, Wake wake) {
            for (Waiter w; (w = room.completeFirst(null, Waiter.RETRY, null)) != null; ) {
                wake.add(w);
            }
        }

        /** Releases every sender waiting here (after the subscription left the array). Without any lock. */
        private void releaseSenders() {
            Wake wake = new Wake();
            channel.lock.lock();
            try {
                wakeAllLocked(room, wake);
            } finally {
                channel.lock.unlock();
            }
            wake.run();
        }

        /** Unsubscribes, keeping what is buffered receivable; then reports closed. Invariant 1's order. */
        @Override
        public void close() {
            channel.close();
            broadcast.detach(this);
            releaseSenders();
        }

        /** Unsubscribes and discards what is buffered (each value to the hook). Invariant 1's order. */
        @Override
        public void cancel(Throwable cause) {
            try {
                channel.cancel(cause);
            } finally {
                broadcast.detach(this);
                releaseSenders();
            }
        }

        /** For tests: how many broadcast senders wait for room here. */
        public int waitingSenders() {
            return channel.locked(room::size);
        }

        @Override
        public String toString() {
            return "Subscription" + channel;
        }
    }

    /**
     * @return {@code capacity}, a subscription's buffer size
     * @throws IllegalArgumentException if it is below 1
     */
    public static int checkCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException(
                    "a subscription needs a buffer: capacity must be >= 1, was " + capacity);
        }
        return capacity;
    }
}
