package dev.hoare.channels;

import java.time.Duration;

/**
 * The sending end of a channel: Go's {@code chan<- E}.
 *
 * <p>Values are never null ({@link NullPointerException}). A value handed to a successful send
 * is received exactly once, or — only after {@link ReceiveChannel#cancel()} or an overflow drop —
 * passed to the channel's {@code onUndelivered} hook. Writes a thread makes before a send
 * happen-before the matching receive returns.
 *
 * <h2>Blocking</h2>
 * {@link #send(Object)} waits while the channel has no room (a full buffer, or no receiver for an
 * unbuffered channel); {@link #trySend(Object)} never waits; {@link #send(Object, Duration)} waits
 * at most the given time. Waiting parks the thread (virtual threads unmount); an interrupt ends the
 * wait with {@link InterruptedException} and leaves the channel as if the send had never been
 * attempted. If the value was taken at the same moment the interrupt arrived, the send succeeds
 * and the thread's interrupt status is set again instead.
 *
 * <h2>Close</h2>
 * {@link #close()} puts a close token after every value already sent, including the values of
 * senders blocked at that moment: those senders still complete when receivers take their values.
 * Every send that starts after the close throws {@link ChannelClosedException} carrying the cause.
 * {@link #isClosedForSend()} flips to {@code true} at the close.
 *
 * @param <E> the value type
 */
public interface SendChannel<E> extends AutoCloseable {

    /**
     * Sends {@code value}, waiting while the channel has no room.
     *
     * @param value the value, not null
     * @throws ChannelClosedException if the channel is closed (before or while waiting: a waiting
     *     sender is only failed by {@link ReceiveChannel#cancel()}; a plain close lets it deliver)
     * @throws InterruptedException if interrupted while waiting; the value was not sent
     */
    void send(E value) throws InterruptedException;

    /**
     * Sends {@code value}, waiting at most {@code timeout} for room.
     *
     * @param value the value, not null
     * @param timeout the longest wait; zero or negative means do not wait (as {@link #trySend})
     * @return {@code true} if sent, {@code false} if the time ran out first (the value was not sent)
     * @throws ChannelClosedException if the channel is closed
     * @throws InterruptedException if interrupted while waiting; the value was not sent
     */
    boolean send(E value, Duration timeout) throws InterruptedException;

    /**
     * Sends {@code value} if that is possible without waiting: there is buffer room, a drop policy
     * applies, or (unbuffered) a receiver is already waiting.
     *
     * @param value the value, not null
     * @return {@code true} if sent
     * @throws ChannelClosedException if the channel is closed
     */
    boolean trySend(E value);

    /**
     * Closes the channel (idempotent). Values already sent, blocked senders included, are still
     * received, in order; then every receive reports closed.
     */
    @Override
    void close();

    /**
     * Closes the channel with a cause that receivers see once they have drained it.
     *
     * @param cause why the channel closed; may be {@code null} (a plain close)
     * @return {@code true} if this call closed the channel, {@code false} if it was already closed
     */
    boolean close(Throwable cause);

    /** @return {@code true} once the channel is closed or cancelled; sends then throw */
    boolean isClosedForSend();
}
