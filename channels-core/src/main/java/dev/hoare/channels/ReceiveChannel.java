package dev.hoare.channels;

import dev.hoare.channels.internal.ChannelIterator;
import java.time.Duration;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The receiving end of a channel: Go's {@code <-chan E}.
 *
 * <p>Values arrive in the order they were sent (per sender; across concurrent senders in the order
 * their sends took effect). Each value is received by exactly one receiver.
 *
 * <h2>Blocking</h2>
 * {@link #receive()} waits while the channel is empty; {@link #tryReceive()} never waits;
 * {@link #receive(Duration)} waits at most the given time. An interrupt ends a wait with
 * {@link InterruptedException} and takes nothing from the channel; if a value was handed over at
 * the same moment, the receive returns it and sets the interrupt status again instead.
 *
 * <h2>Closed</h2>
 * After a close, receives still return every value sent before it; only then do they report closed:
 * {@link #receive()} throws {@link ChannelClosedException} with the close cause,
 * {@link #receiveResult()} returns {@link Received#closed}, iteration ends, and
 * {@link #isClosedForReceive()} flips to {@code true}. Writes made before the close happen-before a
 * receive that reports closed.
 *
 * <h2>Cancel</h2>
 * {@link #cancel()} is the discarding close: buffered values and values of blocked senders are not
 * delivered (buffered ones go to the {@code onUndelivered} hook), blocked senders fail with
 * {@link ChannelClosedException}, blocked receivers report closed.
 *
 * @param <E> the value type
 */
public interface ReceiveChannel<E> extends Iterable<E>, AutoCloseable {

    /**
     * Receives the next value, waiting while the channel is empty.
     *
     * @return the value
     * @throws ChannelClosedException (carrying the close cause) once the channel is closed and drained
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     */
    E receive() throws InterruptedException;

    /**
     * Receives the next value, waiting at most {@code timeout}.
     *
     * @param timeout the longest wait; zero or negative means do not wait (as {@link #tryReceive})
     * @return the value, or empty if the time ran out
     * @throws ChannelClosedException once the channel is closed and drained
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     */
    Optional<E> receive(Duration timeout) throws InterruptedException;

    /**
     * Receives a value if one is there now.
     *
     * @return the value, or empty if the channel is empty (but not closed and drained)
     * @throws ChannelClosedException once the channel is closed and drained
     */
    Optional<E> tryReceive();

    /**
     * Receives the next value, waiting while the channel is empty, and reports closed as a result
     * instead of an exception: Go's {@code v, ok := <-ch}.
     *
     * @return a value, or {@link Received#closed} (with the cause) once closed and drained
     * @throws InterruptedException if interrupted while waiting; nothing was taken
     */
    Received<E> receiveResult() throws InterruptedException;

    /**
     * Closes the channel, as {@link SendChannel#close()}: no more sends are accepted, and the values
     * already sent stay receivable. On a receive-only endpoint it releases the endpoint. Idempotent.
     */
    @Override
    void close();

    /** Cancels the channel with no particular cause: {@code cancel(null)}. */
    default void cancel() {
        cancel(null);
    }

    /**
     * The discarding close: marks the channel closed, discards every buffered value (each goes to the
     * {@code onUndelivered} hook once), fails blocked senders with {@link ChannelClosedException}
     * and wakes blocked receivers, which report closed. Idempotent; a cancel after a close still
     * discards what is buffered.
     *
     * @param cause the cause receivers and senders see; {@code null} gives a
     *     {@link java.util.concurrent.CancellationException}
     */
    void cancel(Throwable cause);

    /** @return {@code true} once the channel is closed and every value sent before the close is received */
    boolean isClosedForReceive();

    /** @return {@code true} if nothing is there to receive now */
    boolean isEmpty();

    /**
     * Iterates until the channel is closed and drained. {@code next()} blocks like {@link #receive()};
     * if the close carried a cause, {@code hasNext()} throws {@link ChannelClosedException} with it
     * instead of returning {@code false}, so a failure upstream is not mistaken for a normal end.
     * An interrupt while waiting throws {@link ChannelInterruptedException} (the interrupt status is
     * set again).
     */
    @Override
    default Iterator<E> iterator() {
        return new ChannelIterator<>(this);
    }

    /**
     * A sequential stream of the values, ending when the channel is closed and drained; same rules
     * as {@link #iterator()}.
     *
     * @return the stream
     */
    default Stream<E> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL), false);
    }
}
