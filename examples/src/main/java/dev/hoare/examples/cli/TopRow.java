package dev.hoare.examples.cli;

import java.util.List;

/**
 * One line of {@code hoare top}: a channel end, a ring, a socket or a sync primitive as one
 * sample shows it. Counts are cumulative since the owner opened it, so two samples give rates.
 * A field that the source cannot know is {@code -1} ({@link #UNKNOWN}).
 *
 * @param name             the channel's name (builder name, or the remote address, or the file name)
 * @param transport        {@code inproc}, {@code broadcast}, {@code fifo}, {@code uds}, {@code shm},
 *                         {@code process}, {@code semaphore}, {@code mutex}, {@code event}, ...
 * @param pid              the process whose view this is (the publisher of the counters, or the
 *                         ring's reader), {@link #UNKNOWN} if none
 * @param alive            whether {@code pid} is alive now
 * @param depth            values queued now
 * @param capacity         the buffer's capacity ({@code 0} unbuffered, {@code Long.MAX_VALUE} unbounded)
 * @param sent             values sent into it so far (cumulative)
 * @param received         values received from it so far (cumulative)
 * @param blockedSenders   senders blocked in it now
 * @param blockedReceivers receivers blocked in it now
 * @param peers            the other processes on it (ring writers, socket clients), with liveness
 */
public record TopRow(String name, String transport, long pid, boolean alive, long depth, long capacity,
        long sent, long received, long blockedSenders, long blockedReceivers, List<Peer> peers) {
    /** A field the source cannot know. */
    public static final long UNKNOWN = -1;

    public TopRow {
        peers = List.copyOf(peers);
    }

    /** Another process on the channel, and whether it is alive. */
    public record Peer(long pid, boolean alive) {
    }

    /** The key that identifies the same row across samples (for rates). */
    public String key() {
        return transport + '\u0000' + name + '\u0000' + pid;
    }
}
