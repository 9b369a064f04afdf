package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Overflow;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.Consumer;

/**
 * A bounded {@link Overflow#SUSPEND} channel whose buffer is a lock-free multi-producer
 * multi-consumer ring (D. Vyukov's bounded queue: a sequence number per slot), so that senders and
 * receivers that need not wait never take a lock nor touch the same cache line. Waiting goes
 * through a lock and two queues of {@link Waiter}s, only when the ring is full or empty.
 *
 * <h2>Ring</h2>
 * Positions {@code tail} (next to claim for a send) and {@code head} (next to take) only grow.
 * Slot {@code i = pos & mask} is free for position {@code pos} when {@code seq[i] == pos}, holds
 * the value of {@code pos} when {@code seq[i] == pos + 1}. A sender claims {@code pos} by CAS on
 * {@code tail}, writes the value, then publishes it with a release store of {@code seq = pos + 1};
 * a receiver claims by CAS on {@code head}, reads the value (the acquire of {@code seq} orders it),
 * clears the slot and frees it with a release store of {@code seq = pos + slots}. The writes a
 * sender made before sending therefore happen-before the receive that takes the value.
 * {@code tail - head} never exceeds {@code capacity}: with a power-of-two capacity the sequence
 * numbers say so; otherwise (the ring has the next power of two of slots, at least two) a sender
 * also checks {@code pos - head < capacity} before claiming.
 *
 * <p>A claimed slot is published (or freed) a few instructions after its claim, but a thread can
 * be descheduled in between. A receiver that finds the slot at {@code head} unpublished reports
 * empty only if {@code tail} says no sender claimed it; otherwise it waits for the publish, since
 * a later slot may already hold a value whose send has returned (reporting empty then is not
 * linearizable: found by ChannelWaitingLincheckTest under load, reproduced by RingLincheckTest).
 * Likewise a sender that finds the slot at {@code tail} unfreed reports full only if {@code head}
 * says no receiver claimed it. So this is Vyukov's queue made linearizable as JCTools' MPMC queue
 * does; neither operation is lock-free in the strict sense, as neither is the original's.
 *
 * <h2>Close</h2>
 * Close sets {@link #CLOSED_BIT} in {@code tail} (under the lock), so no position is claimed after
 * it: the positions below {@code tail}'s position at that moment are exactly the values sent before
 * the close. A claimed slot is always published a few instructions later (nothing can block in
 * between), so a receiver that finds the slot at {@code head} unpublished while {@code head} is
 * below that final position briefly spins. The ring is drained once {@code head} reaches it.
 * Senders queued at the close are not failed: receivers take their values straight from the queue
 * once the ring is drained, in queue order (invariant 4 below).
 *
 * <h2>Waiting</h2>
 * Invariants, under {@link #lock}:
 * <ol>
 *   <li>{@code counters[SENDERS_WAITING]} is the length of {@code senders} plus {@link #sendCases};
 *       {@code counters[RECEIVERS_WAITING]} the length of {@code receivers}
 *       ({@link #syncCountsLocked} after every change).</li>
 *   <li>A sender is queued only when it found the ring full, or other senders queued before it
 *       (new sends do not overtake queued ones: the fast path runs only while none is queued).</li>
 *   <li>A receiver is queued only when it found the ring empty and the channel open.</li>
 *   <li>After the close, {@code senders} holds only senders queued before it (a send that starts
 *       after the close fails before queueing).</li>
 * </ol>
 * No wake-up is lost, by a Dekker-style argument on both sides: a waiter increments its queue's
 * counter and then (after a full fence) re-checks the ring; an operation that changes the ring
 * claims its position with a compare-and-set of {@code tail} or {@code head} (a volatile write,
 * sequentially consistent with the counters' volatile accesses) and then, after publishing or
 * freeing the slot, reads the other side's counter. The re-check counts a claimed slot as changed
 * (it waits for the publish or the free, see Ring), so the claim is the write that matters and no
 * further fence is needed. Either the waiter's re-check sees the claim, or the operation sees the
 * waiter and acts for it: a publish
 * wakes one queued receiver to try again ({@link Waiter#RETRY}); a freed slot is refilled, under the
 * lock, with the value of the oldest queued sender, which is then complete ({@link Waiter#DONE}).
 * A receiver woken to try again that gives up instead (interrupt, timeout) passes the wake-up on.
 */
public final class RingChannel<E> extends AbstractChannel<E> {
    /** Capacities above this use {@link LockChannel}, whose buffer grows as needed instead of up front. */
    public static final int MAX_CAPACITY = 1 << 16;

    private static final VarHandle SEQ = MethodHandles.arrayElementVarHandle(long[].class);
    private static final long CLOSED_BIT = 1L << 62;
    private static final long POSITION_MASK = CLOSED_BIT - 1;

    /*
     * The four counters live in one array, 128 bytes apart where it matters, so that the head
     * (written by receivers) and the tail (written by senders) never share a cache line (false
     * sharing would make every send and receive miss); the waiting counts are read by everyone and
     * written rarely, so they share a line of their own.
     */
    private static final int TAIL = 16;
    private static final int HEAD = 32;
    private static final int SENDERS_WAITING = 48;
    private static final int RECEIVERS_WAITING = 49;
    private final AtomicLongArray counters = new AtomicLongArray(64);

    private final Object[] items;
    private final long[] seqs;
    private final int mask;
    /** Whether the ring has more slots than the capacity, so senders must also check the head. */
    private final boolean limited;

    /** Written under {@link #lock} (which guards the queues and the close cause, and is never taken on the fast paths). */
    private volatile boolean cancelled;
    /** Set by cancel once it has taken every value out of the ring (under the lock). */
    private volatile boolean drained;
    /**
     * Selects waiting to send. Unlike {@link AbstractChannel#senders} (plain senders, whose values
     * receivers move into the ring for them), a select is only woken to try again ({@link Waiter#RETRY})
     * when room appears: moving its value could not be undone if another of its cases won meanwhile.
     * Guarded by {@link #lock}.
     */
    private final WaitQueue sendCases = new WaitQueue();
    /**
     * Counters ({@link #stats}) that the ring's positions do not give: values a receiver took
     * straight from a sender queued before the close, and values cancel discarded from the ring.
     * The sent count is {@code tail + handedOver} and the received count
     * {@code head - discarded + handedOver}: the fast paths count nothing themselves.
     * Guarded by {@link #lock}.
     */
    private long handedOver;
    private long discarded;

    public RingChannel(int capacity, Consumer<? super E> onUndelivered) {
        super(capacity, Overflow.SUSPEND, onUndelivered);
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("ring capacity out of range: " + capacity);
        }
        // At least two slots: with one, "published for pos" (pos + 1) and "free for pos + 1" would be
        // the same sequence number.
        int slots = Math.max(2, Integer.highestOneBit(capacity) == capacity ? capacity : Integer.highestOneBit(capacity) << 1);
        this.items = new Object[slots];
        this.seqs = new long[slots];
        for (int i = 0; i < slots; i++) {
            seqs[i] = i;
        }
        this.mask = slots - 1;
        this.limited = slots != capacity;
        VarHandle.releaseFence(); // publish the initial sequence numbers before the channel escapes
    }

    // ---------------------------------------------------------------- ring primitives

    private static final int OK = 0;
    private static final int FULL = 1;
    private static final int SHUT = 2;

    /** Claims, fills and publishes one slot: OK, FULL, or SHUT (closed). Takes no lock; any thread. */
    private int offer(Object value) {
        for (int spins = 0; ; ) {
            long t = counters.get(TAIL);
            if ((t & CLOSED_BIT) != 0) {
                return SHUT;
            }
            int i = (int) t & mask;
            long seq = (long) SEQ.getAcquire(seqs, i);
            if (seq == t) {
                if (limited && t - counters.get(HEAD) >= capacity) {
                    return FULL;
                }
                if (counters.compareAndSet(TAIL, t, t + 1)) {
                    items[i] = value;
                    SEQ.setRelease(seqs, i, t + 1);
                    return OK;
                }
            } else if (seq < t) {
                if (t - counters.get(HEAD) >= capacity) {
                    return FULL;
                }
                // A receiver claimed position t - slots and is freeing its slot: full only until
                // then, and that receive may already have returned to a thread that is now waiting
                // for this send to succeed.
                spins = awaitOtherClaim(spins);
            }
            // else another sender claimed t first: retry with the new tail
        }
    }

    /** Claims and empties the slot at the head: the value, or {@code null} if no sender claimed it. Takes no lock. */
    private Object poll() {
        for (int spins = 0; ; ) {
            long h = counters.get(HEAD);
            int i = (int) h & mask;
            long seq = (long) SEQ.getAcquire(seqs, i);
            if (seq == h + 1) {
                if (counters.compareAndSet(HEAD, h, h + 1)) {
                    Object v = items[i];
                    items[i] = null;
                    SEQ.setRelease(seqs, i, h + mask + 1);
                    return v;
                }
            } else if (seq <= h) {
                if ((counters.get(TAIL) & POSITION_MASK) <= h) {
                    return null;
                }
                // A sender claimed h and is publishing it. Empty only until then — and a later
                // position may hold a value whose send has returned, so "empty" would be false.
                spins = awaitOtherClaim(spins);
            }
            // else another receiver took h first: retry
        }
    }

    /**
     * One step of waiting for another thread to finish a slot it claimed: a few instructions, or
     * as long as the scheduler keeps that thread off its CPU, so after a short spin this yields.
     *
     * @return the next step's count
     */
    private static int awaitOtherClaim(int spins) {
        if (spins < 64) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
        return spins + 1;
    }

    /**
     * Cancel's drain, with the lock held and the tail closed (no position is claimed any more):
     * claims every position up to {@code end} with one compare-and-set of the head, so that a
     * receiver either took the head before it or finds nothing after it — never a value from the
     * middle while cancel discards the ones before (found by ChannelLincheckTest) — then empties
     * them in order, waiting for a sender that claimed one before the close to publish it.
     */
    private void takeAll(long end, List<Object> into) {
        long h;
        do {
            h = counters.get(HEAD);
            if (h >= end) {
                return;
            }
        } while (!counters.compareAndSet(HEAD, h, end));
        for (long p = h; p < end; p++) {
            int i = (int) p & mask;
            while ((long) SEQ.getAcquire(seqs, i) != p + 1) {
                Thread.onSpinWait(); // claimed before the close, being written
            }
            into.add(items[i]);
            items[i] = null;
            SEQ.setRelease(seqs, i, p + mask + 1);
        }
    }

    // ---------------------------------------------------------------- waking, under the lock

    /** Must be called with the lock held, after any queue change: the counters mirror the queues (invariant 1). */
    private void syncCountsLocked() {
        // Only changed counts are written: each write is a volatile store with a full fence.
        int sending = senders.size() + sendCases.size();
        if (counters.get(SENDERS_WAITING) != sending) {
            counters.set(SENDERS_WAITING, sending);
        }
        int receiving = receivers.size();
        if (counters.get(RECEIVERS_WAITING) != receiving) {
            counters.set(RECEIVERS_WAITING, receiving);
        }
    }

    /**
     * Must be called with the lock held, after values were published: wake one queued receiver
     * to try again.
     */
    private void publishedLocked(Wake wake) {
        wake.add(receivers.completeFirst(null, Waiter.RETRY, null));
        syncCountsLocked();
    }

    /**
     * Must be called with the lock held, after a slot was freed: refill the ring from the oldest
     * queued senders, then, if room is left, wake one select waiting to send to try again.
     */
    private void freedLocked(Wake wake) {
        if (moveQueuedSendersLocked(wake)) {
            publishedLocked(wake);
        }
        if (!sendCases.isEmpty() && senders.isEmpty() && freeSlots() > 0) { // cheap checks first
            wake.add(sendCases.completeFirst(null, Waiter.RETRY, null));
        }
        syncCountsLocked();
    }

    /**
     * Must be called with the lock held: moves the values of the oldest queued senders into the
     * ring while it has room (and is open), completing those senders. Only plain senders queue
     * here (a select's send case waits in {@link #sendCases}), so a move can never be undone.
     *
     * @return whether any value was moved
     */
    private boolean moveQueuedSendersLocked(Wake wake) {
        boolean moved = false;
        Waiter s;
        while ((s = senders.peek()) != null && offer(s.item) == OK) {
            senders.unlink(s);
            s.item = null;
            s.tryComplete(Waiter.DONE);
            wake.add(s);
            moved = true;
        }
        return moved;
    }

    /**
     * After a value was published without the lock: wake one queued receiver, if any, to try again.
     * No fence is needed before the read of the count: the claim (the compare-and-set of the tail)
     * is the store of the Dekker pair (see Waiting), and it is already sequentially consistent.
     */
    private void afterPublish() {
        if (counters.get(RECEIVERS_WAITING) != 0) {
            withLock(this::publishedLocked);
        }
    }

    /** After a slot was freed without the lock: refill it from queued senders, if any. No fence: as {@link #afterPublish}. */
    private void afterFree() {
        if (counters.get(SENDERS_WAITING) != 0) {
            withLock(this::freedLocked);
        }
    }

    /** Runs {@code body} under the lock, then (unlocked) the wake-ups it recorded. Slow paths only. */
    private void withLock(java.util.function.Consumer<Wake> body) {
        Wake wake = new Wake();
        lock.lock();
        try {
            body.accept(wake);
        } finally {
            lock.unlock();
        }
        wake.run();
    }

    /** Capacity minus the values in the ring (claimed slots count as taken). */
    private long freeSlots() {
        long h = counters.get(HEAD);
        return capacity - ((counters.get(TAIL) & POSITION_MASK) - h);
    }

    // ---------------------------------------------------------------- send

    @Override
    protected boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        if (counters.get(SENDERS_WAITING) == 0) {
            int r = offer(value);
            if (r == OK) {
                afterPublish();
                return true;
            }
            if (r == SHUT) {
                throw new ChannelClosedException(closeCause());
            }
        }
        return sendSlow(value, block, timed, deadline);
    }

    /** The ring was full or other senders are queued: queue up (under the lock) and wait. */
    private boolean sendSlow(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        Waiter self = new Waiter(value);
        Wake wake = new Wake();
        lock.lock();
        try {
            if ((counters.get(TAIL) & CLOSED_BIT) != 0) {
                throw new ChannelClosedException(closeCause);
            }
            senders.add(self);
            syncCountsLocked();
            VarHandle.fullFence();
            // Re-check: room freed before our count was visible would otherwise go unnoticed.
            if (moveQueuedSendersLocked(wake)) {
                publishedLocked(wake);
            }
            if (!block && self.state == Waiter.WAITING) {
                senders.unlink(self);
                self.state = Waiter.ABANDONED;
            }
            syncCountsLocked();
        } finally {
            lock.unlock();
        }
        wake.run(); // may unpark self: harmless
        if (self.state == Waiter.DONE) {
            return true;
        }
        if (!block) {
            return false;
        }
        if (!ChannelWaitEvent.await(self, this, ChannelWaitEvent.SEND, timed, deadline) && giveUpSend(self)) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return false;
        }
        if (self.state == Waiter.DONE) {
            return true;
        }
        throw new ChannelClosedException(closeCause()); // CLOSED: cancelled while waiting
    }

    /** The sender's own thread, after a timeout or interrupt: unqueue it unless it was completed. */
    private boolean giveUpSend(Waiter self) {
        lock.lock();
        try {
            if (self.state != Waiter.WAITING) {
                return false;
            }
            senders.remove(self);
            syncCountsLocked();
            self.item = null;
            self.state = Waiter.ABANDONED;
            return true;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- receive

    @Override
    Object doReceive(boolean block, boolean timed, long deadline) throws InterruptedException {
        for (;;) {
            Object v = poll();
            if (v != null) {
                afterFree();
                return v;
            }
            if ((counters.get(TAIL) & CLOSED_BIT) != 0) {
                Wake wake = new Wake();
                lock.lock();
                try {
                    v = receiveClosedLocked(wake);
                } finally {
                    lock.unlock();
                }
                wake.run();
                if (v != EMPTY) {
                    return v;
                }
                continue; // the ring was not drained after all: take the value next time round
            }
            if (!block) {
                return EMPTY;
            }
            Object r = receiveSlow(timed, deadline);
            if (r != null) {
                return r;
            }
            // woken to try again
        }
    }

    /**
     * Must be called with the lock held, once the ring looked empty and the channel is closed:
     * waits out claimed slots still being published, then takes a value from the ring, or from
     * a sender queued before the close, or reports {@link #CLOSED}.
     *
     * @return a value, {@link #CLOSED}, or {@link #EMPTY} if a value turned up in the ring (retry)
     */
    private Object receiveClosedLocked(Wake wake) {
        long end = counters.get(TAIL) & POSITION_MASK;
        while (counters.get(HEAD) < end) {
            if (seqPublishedAtHead()) {
                return EMPTY;
            }
            Thread.onSpinWait(); // a sender claimed a slot before the close and is publishing it
        }
        Waiter s = senders.completeFirst(null, Waiter.DONE, null);
        if (s == null) {
            return CLOSED;
        }
        syncCountsLocked();
        Object v = s.item;
        s.item = null;
        wake.add(s);
        handedOver++;
        return v;
    }

    /** Whether the slot at the head holds a published value. */
    private boolean seqPublishedAtHead() {
        long h = counters.get(HEAD);
        return (long) SEQ.getAcquire(seqs, (int) h & mask) == h + 1;
    }

    /**
     * Queue up as a receiver, re-check, and wait. Returns a value (taken by the re-check),
     * {@link #EMPTY} on timeout, or {@code null} when woken to try again.
     */
    private Object receiveSlow(boolean timed, long deadline) throws InterruptedException {
        Waiter self = new Waiter(null);
        lock.lock();
        try {
            receivers.add(self);
            syncCountsLocked();
        } finally {
            lock.unlock();
        }
        VarHandle.fullFence();
        // Re-check: a value published before our count was visible would otherwise go unnoticed.
        Object v = poll();
        if (v != null || (counters.get(TAIL) & CLOSED_BIT) != 0) {
            giveUpReceive(self);
            if (v != null) {
                afterFree();
                return v;
            }
            return null;
        }
        if (ChannelWaitEvent.await(self, this, ChannelWaitEvent.RECEIVE, timed, deadline)) {
            return null;
        }
        giveUpReceive(self);
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return EMPTY;
    }

    /**
     * The receiver's own thread no longer waits: unqueue it, or, if it was already woken to try
     * again, pass that wake-up on to the next queued receiver so that it is not lost.
     */
    private void giveUpReceive(Waiter self) {
        Wake wake = new Wake();
        lock.lock();
        try {
            if (self.state == Waiter.WAITING) {
                receivers.remove(self);
                self.state = Waiter.ABANDONED;
            } else if (self.state == Waiter.RETRY) {
                publishedLocked(wake);
            }
            syncCountsLocked();
        } finally {
            lock.unlock();
        }
        wake.run();
    }

    // ---------------------------------------------------------------- select (SelectEnd)

    /*
     * Try now is the lock-free doReceive / doSend (AbstractChannel). Registering queues the case
     * waiter and publishes the count under the lock, then (full fence) looks at the ring: the
     * same Dekker argument as receiveSlow / sendSlow (see Waiting above), so a value published or
     * a slot freed after the look finds the waiter and wakes it with RETRY.
     */

    /** Queues a receive case; ready if the ring holds (or is about to hold) a value, or the channel is closed. */
    @Override
    public boolean selectRegisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            receivers.add(caseWaiter);
            syncCountsLocked();
            VarHandle.fullFence();
            long t = counters.get(TAIL);
            return (t & CLOSED_BIT) != 0 || (t & POSITION_MASK) > counters.get(HEAD);
        } finally {
            lock.unlock();
        }
    }

    /** Queues a send case; ready if a slot is free and no plain sender is queued, or the channel is closed. */
    @Override
    public boolean selectRegisterSend(Waiter caseWaiter) {
        lock.lock();
        try {
            sendCases.add(caseWaiter);
            syncCountsLocked();
            VarHandle.fullFence();
            return (counters.get(TAIL) & CLOSED_BIT) != 0 || (senders.isEmpty() && freeSlots() > 0);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectUnregisterReceive(Waiter caseWaiter) {
        lock.lock();
        try {
            receivers.remove(caseWaiter);
            syncCountsLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectUnregisterSend(Waiter caseWaiter) {
        lock.lock();
        try {
            sendCases.remove(caseWaiter);
            syncCountsLocked();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int waitingSenders() {
        return locked(() -> senders.size() + sendCases.size());
    }

    @Override
    public void selectPassOnRetryReceive() {
        withLock(wake -> {
            wake.add(receivers.completeFirst(null, Waiter.RETRY, null));
            syncCountsLocked();
        });
    }

    @Override
    public void selectPassOnRetrySend() {
        withLock(wake -> {
            wake.add(sendCases.completeFirst(null, Waiter.RETRY, null));
            syncCountsLocked();
        });
    }

    // ---------------------------------------------------------------- close and cancel

    @Override
    public boolean close(Throwable cause) {
        Wake wake = new Wake();
        boolean closedNow;
        lock.lock();
        try {
            closedNow = markClosedLocked(cause);
            if (closedNow) {
                // Receivers and selects retry and find the close; queued plain senders stay (invariant 4).
                retryAllLocked(wake);
            }
        } finally {
            lock.unlock();
        }
        wake.run();
        return closedNow;
    }

    @Override
    public void cancel(Throwable cause) {
        List<Object> discarded = new ArrayList<>();
        Wake wake = new Wake();
        lock.lock();
        try {
            if (cancelled) {
                return;
            }
            cancelled = true;
            markClosedLocked(cause != null ? cause : new CancellationException("channel cancelled"));
            takeAll(counters.get(TAIL) & POSITION_MASK, discarded);
            this.discarded += discarded.size();
            drained = true;
            addAll(wake, senders.completeAll(Waiter.CLOSED));
            retryAllLocked(wake);
        } finally {
            lock.unlock();
        }
        wake.run();
        deliverUndelivered(discarded.toArray());
    }

    /**
     * Must be called with the lock held: sets the close cause and the tail's closed bit, unless
     * the channel is already closed (a cancel after a close keeps the close's cause).
     *
     * @return whether this call closed the channel
     */
    private boolean markClosedLocked(Throwable cause) {
        if ((counters.get(TAIL) & CLOSED_BIT) != 0) {
            return false;
        }
        closeCause = cause;
        counters.getAndUpdate(TAIL, t -> t | CLOSED_BIT);
        return true;
    }

    /** Must be called with the lock held: every queued receiver and select is woken to try again. */
    private void retryAllLocked(Wake wake) {
        addAll(wake, receivers.completeAll(Waiter.RETRY));
        addAll(wake, sendCases.completeAll(Waiter.RETRY));
        syncCountsLocked();
    }

    /** Moves a chain from {@link WaitQueue#completeAll} into {@code wake}, unlinking it. */
    private static void addAll(Wake wake, Waiter chain) {
        for (Waiter w = chain; w != null; ) {
            Waiter next = w.next;
            w.next = null;
            w.prev = null;
            wake.add(w);
            w = next;
        }
    }

    // ---------------------------------------------------------------- state

    @Override
    public boolean isClosedForSend() {
        if ((counters.get(TAIL) & CLOSED_BIT) == 0) {
            return false;
        }
        if (cancelled && !drained) {
            // a cancel is discarding the values under the lock: once it has, none of them can be
            // received after this said closed (found by ChannelLincheckTest: cancel must look atomic)
            lock.lock();
            lock.unlock();
        }
        return true;
    }

    @Override
    public boolean isClosedForReceive() {
        long t = counters.get(TAIL);
        if ((t & CLOSED_BIT) == 0 || counters.get(HEAD) < (t & POSITION_MASK)) {
            return false;
        }
        return locked(senders::isEmpty);
    }

    @Override
    public boolean isEmpty() {
        return size() == 0 && counters.get(SENDERS_WAITING) == 0;
    }

    /**
     * The counters: sent and received are the ring's positions (plus {@link #handedOver}), the
     * blocked counts are the queues' mirrored counts; read under the lock so that a cancel's
     * discards and the positions agree.
     */
    @Override
    public dev.hoare.channels.ChannelStats stats() {
        lock.lock();
        try {
            long h = counters.get(HEAD);
            long t = counters.get(TAIL) & POSITION_MASK;
            return dev.hoare.channels.ChannelStats.inProcess(name(), "inproc", t + handedOver, h - discarded + handedOver,
                    Math.max(0, Math.min(capacity, t - h)), capacity, senders.size() + sendCases.size(), receivers.size(),
                    sendBlockedNanos(), receiveBlockedNanos());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int size() {
        long h = counters.get(HEAD);
        long t = counters.get(TAIL) & POSITION_MASK;
        return (int) Math.max(0, Math.min(capacity, t - h));
    }

}
