package dev.hoare.channels.internal;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import java.time.Duration;

/** The send-only view of a channel ({@link Channel#sendOnly()}): forwards, and hides the receive side. */
public final class SendView<E> implements SendChannel<E> {
    private final SendChannel<E> channel;

    SendView(SendChannel<E> channel) {
        this.channel = channel;
    }

    /** @return the channel this view sends to (for {@code Channels.stats}) */
    public SendChannel<E> target() {
        return channel;
    }

    @Override
    public void send(E value) throws InterruptedException {
        channel.send(value);
    }

    @Override
    public boolean send(E value, Duration timeout) throws InterruptedException {
        return channel.send(value, timeout);
    }

    @Override
    public boolean trySend(E value) {
        return channel.trySend(value);
    }

    @Override
    public void close() {
        channel.close();
    }

    @Override
    public boolean close(Throwable cause) {
        return channel.close(cause);
    }

    @Override
    public boolean isClosedForSend() {
        return channel.isClosedForSend();
    }

    /** The channel this view forwards to (for {@link Select}). */
    public SendChannel<E> channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "SendOnly" + channel;
    }
}
