package dev.hoare.channels;

import java.util.Objects;

/**
 * A snapshot of one channel end's counters ({@link Channels#stats}), or of one slot of another
 * process's counters file ({@link Counters#read}). Counts are cumulative since the end was made,
 * so two snapshots give rates. A field the end does not keep is {@link #UNKNOWN} ({@code -1}).
 *
 * <p>The snapshot is not atomic across fields: each field is exact when read, but a value sent
 * between two reads may be counted in {@code sent} and not yet in {@code depth}. Taken with no
 * operation running (a test's quiet moment), it is exact: {@code sent - received} is then the
 * depth of a buffered channel.
 *
 * <h2>What is counted</h2>
 * <ul>
 *   <li>{@code sent}: values the channel accepted (buffered, handed to a receiver, or dropped by
 *       an overflow policy); a send that failed or timed out is not counted.</li>
 *   <li>{@code received}: values receivers took. Values discarded by {@code cancel} are in
 *       neither {@code received} nor {@code depth} afterwards.</li>
 *   <li>{@code blockedSenders}, {@code blockedReceivers}: threads (and selects) waiting now.</li>
 *   <li>{@code sendBlockedNanos}, {@code receiveBlockedNanos}: total time threads spent waiting
 *       in {@code send} and {@code receive} on this end, summed over threads and added when each
 *       wait ends (a wait in progress is not in it yet); a {@code select}'s waits are not
 *       counted here, since a select waits on several channels at once.</li>
 *   <li>Remote ends also count frames and bytes in and out on their link, the credits the
 *       sender holds (values it may still send), the peer's pid and whether it is alive.</li>
 * </ul>
 *
 * @param name                the end's name ({@code Channel.builder().name(...)}, or a remote end's
 *                            address), or {@code ""} if it has none
 * @param transport           {@code inproc}, {@code broadcast} (a subscription), or the remote scheme
 *                            ({@code uds}, {@code fifo}, {@code shm}, ...)
 * @param sent                values sent (accepted) so far
 * @param received            values received so far
 * @param depth               values waiting in the buffer now
 * @param capacity            the buffer's capacity: 0 unbuffered, {@link Long#MAX_VALUE} unlimited
 * @param blockedSenders      senders waiting now
 * @param blockedReceivers    receivers waiting now
 * @param sendBlockedNanos    total nanoseconds senders waited
 * @param receiveBlockedNanos total nanoseconds receivers waited
 * @param framesOut           frames written to the link (remote ends), else {@link #UNKNOWN}
 * @param framesIn            frames read from the link (remote ends), else {@link #UNKNOWN}
 * @param bytesOut            bytes written to the link (remote ends), else {@link #UNKNOWN}
 * @param bytesIn             bytes read from the link (remote ends), else {@link #UNKNOWN}
 * @param credits             values a remote sender may still send before it waits, else {@link #UNKNOWN}
 * @param peerPid             the peer process (remote ends, when the transport knows it), else {@link #UNKNOWN}
 * @param peerAlive           {@code 1} the peer is there, {@code 0} it was lost (or its process is
 *                            dead), {@link #UNKNOWN} for an in-process end
 * @param links               the links the end has now: 1 for a connected remote end, the connected
 *                            clients of a server's end, 0 once its peer is gone; {@link #UNKNOWN}
 *                            for an in-process end
 */
public record ChannelStats(String name, String transport, long sent, long received, long depth, long capacity,
        long blockedSenders, long blockedReceivers, long sendBlockedNanos, long receiveBlockedNanos,
        long framesOut, long framesIn, long bytesOut, long bytesIn, long credits, long peerPid, long peerAlive, long links) {

    /** A field the end does not keep. */
    public static final long UNKNOWN = -1;

    /**
     * @throws NullPointerException if {@code name} or {@code transport} is null
     */
    public ChannelStats {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(transport, "transport");
    }

    /**
     * The counters of an in-process end (the remote-only fields {@link #UNKNOWN}).
     *
     * @return the snapshot
     */
    public static ChannelStats inProcess(String name, String transport, long sent, long received, long depth, long capacity,
            long blockedSenders, long blockedReceivers, long sendBlockedNanos, long receiveBlockedNanos) {
        return new ChannelStats(name, transport, sent, received, depth, capacity, blockedSenders, blockedReceivers,
                sendBlockedNanos, receiveBlockedNanos, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN);
    }
}
