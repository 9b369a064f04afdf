package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelInterruptedException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.util.Iterator;
import java.util.NoSuchElementException;

/** Iterator over a {@link ReceiveChannel}: one {@code receiveResult()} per {@code hasNext()} that needs one. */
public final class ChannelIterator<E> implements Iterator<E> {
    private final ReceiveChannel<E> channel;
    private Received<E> next;

    public ChannelIterator(ReceiveChannel<E> channel) {
        this.channel = channel;
    }

    @Override
    public boolean hasNext() {
        if (next == null) {
            try {
                next = channel.receiveResult();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ChannelInterruptedException(e);
            }
        }
        if (next.ok()) {
            return true;
        }
        if (next.cause().isPresent()) {
            throw new ChannelClosedException(next.cause().get());
        }
        return false;
    }

    @Override
    public E next() {
        if (!hasNext()) {
            throw new NoSuchElementException("channel closed");
        }
        E value = next.value();
        next = null;
        return value;
    }
}
