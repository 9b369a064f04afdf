package dev.hoare.channels.internal;

/**
 * A FIFO of {@link Waiter}s, intrusive and doubly linked so that a waiter that gives up (interrupt,
 * timeout) unlinks itself in O(1) and nothing it held stays reachable from the channel.
 * Not thread-safe: every method must be called with the owning channel's lock held.
 */
public final class WaitQueue {
    private Waiter head;
    private Waiter tail;
    private int size;

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return head == null;
    }

    public void add(Waiter w) {
        w.queued = true;
        w.prev = tail;
        w.next = null;
        if (tail == null) {
            head = w;
        } else {
            tail.next = w;
        }
        tail = w;
        size++;
    }

    /** @return the oldest waiter, still linked, or {@code null} if empty */
    Waiter peek() {
        return head;
    }

    /** @return the oldest waiter, unlinked, or {@code null} if empty */
    Waiter poll() {
        Waiter w = head;
        if (w != null) {
            unlink(w);
        }
        return w;
    }

    /** Unlinks {@code w}, which must be in this queue. */
    void unlink(Waiter w) {
        Waiter p = w.prev;
        Waiter n = w.next;
        if (p == null) {
            head = n;
        } else {
            p.next = n;
        }
        if (n == null) {
            tail = p;
        } else {
            n.prev = p;
        }
        w.prev = null;
        w.next = null;
        w.queued = false;
        size--;
    }

    /** Unlinks {@code w} if it is still queued (a peer may have dropped a decided case waiter). */
    public void remove(Waiter w) {
        if (w.queued) {
            unlink(w);
        }
    }

    /**
     * A waiter of this queue that stopped waiting (its time ran out, or an interrupt) gives up:
     * takes {@code lock} (the owning channel's), and if the waiter is still WAITING, unlinks it
     * (the channel is as if the operation never started) and returns {@code false}. If a peer
     * completed it in the meantime, the completion stands, the interrupt status (if any) stays set
     * for the caller, and it returns {@code true}. Must be called without the lock.
     */
    public boolean giveUp(java.util.concurrent.locks.ReentrantLock lock, Waiter self) {
        lock.lock();
        try {
            if (self.state != Waiter.WAITING) {
                return true;
            }
            remove(self);
            self.item = null;
            self.state = Waiter.ABANDONED;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Completes and unlinks the oldest waiter that can be completed, skipping (and leaving queued)
     * the case waiters of {@code exclude}, and dropping case waiters whose select is decided.
     *
     * @param exclude a select owner whose own waiters must not be paired with, or {@code null}
     * @param newState the state to complete with
     * @param item written into the waiter before completing it (a value handed to a receiver), or
     *     {@code null} to leave it (a sender whose value is taken: read it after this returns)
     * @return the completed waiter, unlinked, or {@code null} if none
     */
    public Waiter completeFirst(Waiter exclude, int newState, Object item) {
        Waiter w = head;
        while (w != null) {
            Waiter next = w.next;
            if (exclude == null || w.owner != exclude) {
                if (item != null) {
                    w.item = item;
                }
                boolean won = w.tryComplete(newState);
                unlink(w);
                if (won) {
                    return w;
                }
                if (item != null) {
                    w.item = null;
                }
            }
            w = next;
        }
        return null;
    }

    /**
     * Whether a waiter is queued that a peer could complete now: one that is not {@code exclude}'s
     * (a select owner registering, or {@code null}) and whose select, if any, is undecided.
     * (A select's registration asks this to see whether its case is ready.)
     */
    boolean hasOther(Waiter exclude) {
        for (Waiter w = head; w != null; w = w.next) {
            if (w.owner != exclude && w.owner.winner == null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Drains the queue, completing each waiter with {@code state} (a case waiter whose select is
     * decided is just dropped).
     *
     * @return the drained waiters, chained through {@code next}, for {@link Waiter#unparkAll}
     *     after unlocking
     */
    public Waiter completeAll(int state) {
        Waiter chain = drain();
        for (Waiter w = chain; w != null; w = w.next) {
            w.item = null;
            w.tryComplete(state);
        }
        return chain;
    }

    /** Unlinks every waiter and returns them as a chain through {@code next} (oldest first). */
    Waiter drain() {
        Waiter h = head;
        for (Waiter w = h; w != null; w = w.next) {
            w.queued = false;
        }
        head = null;
        tail = null;
        size = 0;
        return h;
    }
}
