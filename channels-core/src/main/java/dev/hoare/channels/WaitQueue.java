package dev.hoare.channels;

/**
 * A FIFO of {@link Waiter}s, intrusive and doubly linked so that a waiter that gives up (interrupt,
 * timeout) unlinks itself in O(1) and nothing it held stays reachable from the channel.
 * Not thread-safe: every method must be called with the owning channel's lock held.
 */
final class WaitQueue {
    private Waiter head;
    private Waiter tail;
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return head == null;
    }

    void add(Waiter w) {
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
        size--;
    }

    /** Unlinks every waiter and returns them as a chain through {@code next} (oldest first). */
    Waiter drain() {
        Waiter h = head;
        head = null;
        tail = null;
        size = 0;
        return h;
    }
}
