package dev.hoare.channels;

import dev.hoare.channels.internal.SelectEnd;
import java.time.Duration;
import java.util.Optional;

/**
 * A receive channel that forwards every operation to another one, for adding behaviour around a
 * channel (a hook on close or cancel, say) while keeping it usable everywhere a Hoare channel is,
 * {@link Select} included: select waits on the channel this one forwards to.
 * {@link Channel#receiveOnly()} is one, and so is {@link Ticker}.
 *
 * @param <E> the value type
 */
public class ForwardingReceiveChannel<E> implements ReceiveChannel<E> {
    private final ReceiveChannel<E> channel;

    /**
     * @param channel the channel to forward to; a Hoare channel (or another forwarding one) for
     *     this one to be usable in {@link Select}
     */
    protected ForwardingReceiveChannel(ReceiveChannel<E> channel) {
        this.channel = java.util.Objects.requireNonNull(channel, "channel");
    }

    @Override
    public E receive() throws InterruptedException {
        return channel.receive();
    }

    @Override
    public Optional<E> receive(Duration timeout) throws InterruptedException {
        return channel.receive(timeout);
    }

    @Override
    public Optional<E> tryReceive() {
        return channel.tryReceive();
    }

    @Override
    public Received<E> receiveResult() throws InterruptedException {
        return channel.receiveResult();
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public void cancel(Throwable cause) {
        channel.cancel(cause);
    }

    @Override
    public boolean isClosedForReceive() {
        return channel.isClosedForReceive();
    }

    @Override
    public boolean isEmpty() {
        return channel.isEmpty();
    }

    /** @return the channel this one forwards to */
    protected final ReceiveChannel<E> delegate() {
        return channel;
    }

    /**
     * What a {@link Select} waits on in place of this one: {@link #delegate()}. (An end that takes
     * part in a select itself implements {@code SelectEnd.Receive} or {@code SelectEnd.Named}.)
     */
    Object forSelect() {
        return channel;
    }

    @Override
    public String toString() {
        return "ReceiveOnly" + channel;
    }
}
