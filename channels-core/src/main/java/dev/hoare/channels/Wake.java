package dev.hoare.channels;

import java.util.ArrayList;
import java.util.List;

/**
 * What an operation done under channel locks must do once it has released them (STYLE: never wake
 * a waiter while holding a lock you keep using): the waiters it completed, to unpark, and the value
 * it dropped, to hand to that channel's undelivered hook. One per operation; not thread-safe.
 */
final class Wake {
    private Waiter first;
    private List<Waiter> more;
    private AbstractChannel<?> dropFrom;
    private Object dropped;

    /** Records a completed waiter to unpark later; {@code null} is ignored. */
    void add(Waiter w) {
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
        dropFrom = channel;
        dropped = value;
    }

    boolean isEmpty() {
        return first == null && dropped == null;
    }

    /** Must be called with no channel lock held: unparks, then runs the hook (which may throw). */
    void run() {
        if (first != null) {
            first.unpark();
            if (more != null) {
                more.forEach(Waiter::unpark);
            }
        }
        if (dropped != null) {
            dropFrom.deliverUndelivered(dropped);
        }
    }
}
