package dev.hoare.channels;

import java.time.Duration;
import java.util.Optional;

/** The receive-only view of a channel ({@link Channel#receiveOnly()}): forwards, and hides the send side. */
class ReceiveView<E> implements ReceiveChannel<E> {
    private final ReceiveChannel<E> channel;

    ReceiveView(ReceiveChannel<E> channel) {
        this.channel = channel;
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

    /** The channel this view forwards to (for {@link Select}). */
    ReceiveChannel<E> channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "ReceiveOnly" + channel;
    }
}
