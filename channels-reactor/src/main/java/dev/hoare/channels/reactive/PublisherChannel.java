package dev.hoare.channels.reactive;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.Received;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * {@link ReactiveChannels#fromPublisher}: a receive channel fed by a publisher.
 *
 * <p>Credit: {@code capacity} is requested at subscription, then one more each time the
 * application takes a value; so the publisher never has more than {@code capacity} values
 * requested beyond what the application has taken. Arriving values wait in {@code inbox} (never
 * more than {@code capacity}; {@code onNext} never blocks the publisher's thread); a pump on a
 * virtual thread hands them on through the unbuffered {@code out} channel, which is what this
 * channel forwards to, so {@code out.send} returns exactly when the application took a value.
 * Complete closes the channel after the values before it; error closes it with the cause;
 * {@link #cancel} (or {@link #close}) cancels the subscription.
 */
final class PublisherChannel<T> extends ForwardingReceiveChannel<T> implements Subscriber<T> {
    private final Channel<T> inbox;
    private final Channel<T> out;
    private final int capacity;
    private final AtomicReference<Subscription> subscription = new AtomicReference<>();
    private volatile boolean stopped;

    private PublisherChannel(Channel<T> out, int capacity) {
        super(out);
        this.out = out;
        this.capacity = capacity;
        this.inbox = Channel.unlimited();
    }

    static <T> PublisherChannel<T> subscribe(Publisher<T> publisher, int capacity) {
        Objects.requireNonNull(publisher, "publisher");
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1 (values requested ahead), was " + capacity);
        }
        PublisherChannel<T> ch = new PublisherChannel<>(Channel.unbuffered(), capacity);
        Thread.ofVirtual().name("hoare-from-publisher").start(ch::pump);
        publisher.subscribe(ch);
        return ch;
    }

    @Override
    public void onSubscribe(Subscription s) {
        Objects.requireNonNull(s, "subscription");
        if (!subscription.compareAndSet(null, s) || stopped) {
            s.cancel(); // a second subscription, or the channel was already cancelled (rule 2.5)
            return;
        }
        s.request(capacity);
    }

    @Override
    public void onNext(T value) {
        Objects.requireNonNull(value, "onNext(null)");
        try {
            inbox.trySend(value); // unlimited: never refuses while open; at most `capacity` are ever there
        } catch (ChannelClosedException cancelledMeanwhile) {
            // the channel was cancelled: the value has nowhere to go
        }
    }

    @Override
    public void onError(Throwable t) {
        inbox.close(Objects.requireNonNull(t, "onError(null)"));
    }

    @Override
    public void onComplete() {
        inbox.close();
    }

    /** Moves values from the inbox to the application, one at a time, re-crediting the publisher. */
    private void pump() {
        try {
            Received<T> r;
            while ((r = inbox.receiveResult()).ok()) {
                out.send(r.value());
                Subscription s = subscription.get();
                if (s != null && !stopped) {
                    s.request(1);
                }
            }
            out.close(r.cause().orElse(null));
        } catch (InterruptedException | ChannelClosedException stop) {
            stop();
        }
    }

    private void stop() {
        stopped = true;
        Subscription s = subscription.getAndSet(CANCELLED);
        if (s != null && s != CANCELLED) {
            s.cancel();
        }
        inbox.cancel();
    }

    /** Closes the channel: the subscription is cancelled and nothing more is received from the publisher. */
    @Override
    public void close() {
        stop();
        out.close();
    }

    /** Cancels the channel and the subscription. */
    @Override
    public void cancel(Throwable cause) {
        stop();
        out.cancel(cause);
    }

    private static final Subscription CANCELLED = new Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };
}
