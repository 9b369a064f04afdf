package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelStats;

/**
 * A channel end that keeps counters ({@link ChannelStats}): every in-process channel, a broadcast
 * subscription, a remote end. Reading them is off the hot path: it may take the end's lock
 * briefly, and is meant for a monitor polling a few times a second, not for every operation.
 */
public interface Counted {
    /** @return a snapshot of the end's counters (see {@link ChannelStats} for what each means) */
    ChannelStats stats();

    /** @return the end's name, or {@code ""} if it has none (then it is not published) */
    String name();

    /** @return whether nothing more can happen on the end (closed and drained): it leaves the registry */
    boolean finished();
}
