package dev.hoare.channels.internal;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The named channel ends of this process, for the counters file ({@link dev.hoare.channels.Counters}). Ends are
 * held weakly (registering one never keeps it alive) and leave when they are collected or
 * {@link Counted#finished() finished}. Registering starts publishing if the system property
 * {@code hoare.counters} is {@code true}.
 *
 * <p>Thread-safe; registering is one queue insert, done once per named end when it is made.
 */
public final class CountersRegistry {
    private static final ConcurrentLinkedQueue<WeakReference<Counted>> ENDS = new ConcurrentLinkedQueue<>();

    private static volatile boolean autoFailed;
    private static final int MIN_PRUNE = 1024;
    /** Registrations since the last prune, and how many more trigger the next one (twice the live ends, at least 1024). */
    private static final java.util.concurrent.atomic.AtomicInteger REGISTERED = new java.util.concurrent.atomic.AtomicInteger();
    private static volatile int pruneAt = MIN_PRUNE;

    private CountersRegistry() {
    }

    /**
     * Adds an end: a named in-process channel (an unnamed one is ignored: it is never published),
     * or a remote end, published once it has a name (its first link's address).
     *
     * @param end the end, its name already set
     */
    public static void register(Counted end) {
        if (end.name().isEmpty() && end instanceof AbstractChannel) {
            return; // an unnamed in-process channel never gets a name; a remote end is named by its first link
        }
        ENDS.add(new WeakReference<>(end));
        if (REGISTERED.incrementAndGet() >= pruneAt) {
            // Without a publisher nobody calls live(): prune here, amortized O(1) per registration.
            REGISTERED.set(0);
            pruneAt = Math.max(MIN_PRUNE, 2 * live().size());
        }
        if (!autoFailed && Boolean.getBoolean("hoare.counters") && dev.hoare.channels.Counters.publishedFile().isEmpty()) {
            try {
                dev.hoare.channels.Counters.publish();
            } catch (java.io.IOException | RuntimeException e) {
                autoFailed = true; // said once, not at every named channel
                System.getLogger("dev.hoare.channels").log(System.Logger.Level.WARNING,
                        "hoare.counters=true: cannot publish this process's counters", e);
            }
        }
    }

    /** @return the named ends alive and not finished now, in registration order; drops the others */
    public static List<Counted> live() {
        List<Counted> live = new ArrayList<>();
        for (Iterator<WeakReference<Counted>> it = ENDS.iterator(); it.hasNext(); ) {
            Counted end = it.next().get();
            if (end == null || end.finished()) {
                it.remove();
            } else if (!end.name().isEmpty()) {
                live.add(end);
            }
        }
        return live;
    }
}
