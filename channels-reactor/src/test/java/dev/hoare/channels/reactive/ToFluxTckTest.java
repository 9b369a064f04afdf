package dev.hoare.channels.reactive;

import dev.hoare.channels.Channel;
import org.reactivestreams.Publisher;
import org.reactivestreams.tck.PublisherVerification;
import org.reactivestreams.tck.TestEnvironment;

/**
 * The Reactive Streams TCK against the publisher {@link ReactiveChannels#toSharedFlux} returns
 * (the single-subscriber {@code toFlux} refuses the TCK's second subscriptions by design). Each
 * publisher drains a channel that holds {@code elements} values and is then closed.
 */
public class ToFluxTckTest extends PublisherVerification<Integer> {

    public ToFluxTckTest() {
        super(new TestEnvironment(2000L, 500L));
    }

    @Override
    public Publisher<Integer> createPublisher(long elements) {
        Channel<Integer> ch = Channel.unlimited();
        for (int i = 0; i < elements; i++) {
            ch.trySend(i);
        }
        ch.close();
        return ReactiveChannels.toSharedFlux(ch);
    }

    @Override
    public Publisher<Integer> createFailedPublisher() {
        Channel<Integer> ch = Channel.unbuffered();
        ch.close(new IllegalStateException("failed on purpose"));
        return ReactiveChannels.toSharedFlux(ch);
    }

    @Override
    public long maxElementsFromPublisher() {
        return 4096;
    }
}
