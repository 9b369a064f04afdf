package dev.hoare.channels.uds;

import dev.hoare.channels.remote.StreamChannels;
import java.time.Duration;
import java.util.Optional;

/**
 * A worker's end of a redelivering {@link WorkQueue} ({@link UnixChannels#connectWorker}): one
 * socket, the values coming in with the worker's credits (at most the capacity buffered ahead of
 * it), the acknowledgements going back. Receive a {@link WorkItem}, do the work, {@link WorkItem#ack()}.
 *
 * @param <T> the value type
 */
public final class WorkReceiver<T> implements AutoCloseable {
    private final StreamChannels.Duplex<Long, WorkItem.Numbered<T>> connection;

    WorkReceiver(StreamChannels.Duplex<Long, WorkItem.Numbered<T>> connection) {
        this.connection = connection;
    }

    /**
     * @return the next value, waiting for one
     * @throws dev.hoare.channels.ChannelClosedException once the queue closed and everything given
     *     to this worker was received ({@link dev.hoare.channels.PeerLostException} as the cause if the queue's process died)
     * @throws InterruptedException if interrupted while waiting
     */
    public WorkItem<T> receive() throws InterruptedException {
        return item(connection.in().receive());
    }

    /**
     * @param timeout how long to wait
     * @return the next value, or empty if none came in time
     * @throws dev.hoare.channels.ChannelClosedException as {@link #receive()}
     * @throws InterruptedException if interrupted while waiting
     */
    public Optional<WorkItem<T>> receive(Duration timeout) throws InterruptedException {
        return connection.in().receive(timeout).map(this::item);
    }

    private WorkItem<T> item(WorkItem.Numbered<T> n) {
        return new WorkItem<>(n.value(), n.sequence(), connection.out());
    }

    /**
     * Leaves the queue: the values given to this worker and not acknowledged go to other workers.
     */
    @Override
    public void close() {
        connection.close();
    }
}
