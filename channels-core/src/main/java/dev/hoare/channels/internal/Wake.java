package dev.hoare.channels.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * What an operation done under channel locks must do once it has released them (STYLE: never wake
 * a waiter while holding a lock you keep using): the waiters it completed, to unpark, and the value
 * it dropped, to hand to that channel's undelivered hook. One per operation; not thread-safe.
 * Usually one channel drops at most one value per operation; a broadcast's send may drop one in
 * each of its subscriptions, which {@link #moreDrops} holds.
 */
public final class Wake {
    private Waiter first;
    private List<Waiter> more;
    private AbstractChannel<?> dropFrom;
    private Object dropped;
    /** Further drops after the first, as pairs (channel, value); {@code null} until there is one. */
    private List<Object> moreDrops;

    /** Records a completed waiter to unpark later; {@code null} is ignored. */
    public void add(Waiter w) {
        if (w == null) {
            return;
        }
        if (first == null) {
            first = w;
        } else {
            if (more == null) {
                more = new ArrayList<>(4);
            }
            more.add(w);
        }
    }

    /** Records a value {@code channel} dropped by its overflow policy. */
    void drop(AbstractChannel<?> channel, Object value) {
        if (dropped == null) {
            dropFrom = channel;
            dropped = value;
            return;
        }
        if (moreDrops == null) {
            moreDrops = new ArrayList<>(4);
        }
        moreDrops.add(channel);
        moreDrops.add(value);
    }

    boolean isEmpty() {
        return first == null && dropped == null;
    }

    /**
     * Must be called with no channel lock held: unparks, then runs the hook for each drop (which may
     * throw: every drop still reaches its hook, then the first failure is thrown, later ones suppressed).
     */
    public void run() {
        if (first != null) {
            first.unpark();
            if (more != null) {
                more.forEach(Waiter::unpark);
            }
        }
        if (dropped == null) {
            return;
        }
        if (moreDrops == null) {
            dropFrom.deliverUndelivered(dropped);
            return;
        }
        RuntimeException failure = deliver(dropFrom, dropped, null);
        for (int i = 0; i < moreDrops.size(); i += 2) {
            failure = deliver((AbstractChannel<?>) moreDrops.get(i), moreDrops.get(i + 1), failure);
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException deliver(AbstractChannel<?> channel, Object value, RuntimeException failure) {
        try {
            channel.deliverUndelivered(value);
        } catch (RuntimeException e) {
            if (failure == null) {
                return e;
            }
            failure.addSuppressed(e);
        }
        return failure;
    }
}
