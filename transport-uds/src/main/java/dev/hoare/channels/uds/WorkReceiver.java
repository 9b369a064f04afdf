package dev.hoare.channels.uds;

import dev.hoare.channels.remote.StreamChannels;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A worker's end of a redelivering {@link WorkQueue} ({@link UnixChannels#connectWorker}): one
 * socket, the values coming in with the worker's credits (at most the capacity buffered ahead of
 * it), the acknowledgements going back. Receive a {@link WorkItem}, do the work, {@link WorkItem#ack()}.
 *
 * <p>At most {@code max(1, capacity)} values are in the worker's hands unacknowledged: a receive
 * beyond that waits until one is acknowledged (by another thread of the worker). So what a worker
 * holds of the queue's, and what its death sends again, is bounded: its buffer (capacity) plus its
 * hands (capacity). A thread that receives again without acknowledging what it holds waits for ever
 * at that bound: acknowledge first, or give the worker a larger capacity.
 *
 * @param <T> the value type
 */
public final class WorkReceiver<T> implements AutoCloseable {
    private final StreamChannels.Duplex<Long, WorkItem.Numbered<T>> connection;
    /** One permit per value that may be in hand unacknowledged; a receive takes one, an ack gives it back. */
    private final Semaphore hands;

    WorkReceiver(StreamChannels.Duplex<Long, WorkItem.Numbered<T>> connection, int capacity) {
        this.connection = connection;
        this.hands = new Semaphore(Math.max(1, capacity));
    }

    /**
     * @return the next value, waiting for one
     * @throws dev.hoare.channels.ChannelClosedException once the queue closed and everything given
     *     to this worker was received ({@link dev.hoare.channels.PeerLostException} as the cause if the queue's process died)
     * @throws InterruptedException if interrupted while waiting
     */
    public WorkItem<T> receive() throws InterruptedException {
        hands.acquire();
        boolean taken = false;
        try {
            WorkItem<T> item = item(connection.in().receive());
            taken = true;
            return item;
        } finally {
            if (!taken) {
                hands.release();
            }
        }
    }

    /**
     * @param timeout how long to wait
     * @return the next value, or empty if none came in time
     * @throws dev.hoare.channels.ChannelClosedException as {@link #receive()}
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<WorkItem<T>> receive(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        if (!hands.tryAcquire(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
            return Optional.empty();
        }
        Optional<WorkItem<T>> item = Optional.empty();
        try {
            item = connection.in().receive(Duration.ofNanos(Math.max(0, deadline - System.nanoTime()))).map(this::item);
            return item;
        } finally {
            if (item.isEmpty()) {
                hands.release();
            }
        }
    }

    private WorkItem<T> item(WorkItem.Numbered<T> n) {
        return new WorkItem<>(n.value(), n.sequence(), connection.out(), hands);
    }

    /**
     * Leaves the queue: the values given to this worker and not acknowledged go to other workers.
     */
    @Override
    public void close() {
        connection.close();
    }
}
