package dev.hoare.channels.reactive;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoare.channels.BroadcastChannel;
import dev.hoare.channels.ChannelProbes;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** A subscription of a {@link BroadcastChannel} as a Flux (moved here from channels-core's BroadcastChannelTest). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BroadcastFluxTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static <E> List<E> drain(ReceiveChannel<E> ch) throws InterruptedException {
        List<E> out = new ArrayList<>();
        for (Received<E> r; (r = ch.receiveResult()).ok(); ) {
            out.add(r.value());
        }
        return out;
    }

    @Test
    void aFluxOfASubscriptionFollowsDemandAndItsCancelDetaches() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(8);
        ReceiveChannel<Integer> s = b.subscribe();
        ReceiveChannel<Integer> other = b.subscribe();
        for (int i = 0; i < 5; i++) {
            b.send(i);
        }
        StepVerifier.create(ReactiveChannels.toFlux(s, Schedulers.boundedElastic(), OnCancel.CANCEL), 0)
                .thenRequest(2)
                .expectNext(0, 1)
                .thenRequest(1)
                .expectNext(2)
                .thenCancel()
                .verify(WAIT);
        ChannelProbes.awaitTrue("the cancelled subscription detached", () -> b.subscriberCount() == 1);
        b.send(5);
        b.close();
        assertEquals(List.of(0, 1, 2, 3, 4, 5), drain(other));
        StepVerifier.create(ReactiveChannels.toFlux(b.subscribe())).expectComplete().verify(WAIT);
    }

    @Test
    void aFluxOfASubscriptionCompletesAfterTheValuesAndErrorsWithTheCause() throws Exception {
        BroadcastChannel<Integer> b = BroadcastChannel.buffered(4);
        ReceiveChannel<Integer> s = b.subscribe();
        b.send(1);
        b.send(2);
        IllegalStateException cause = new IllegalStateException("boom");
        b.close(cause);
        StepVerifier.create(ReactiveChannels.toFlux(s)).expectNext(1, 2).expectErrorMatches(e -> e == cause
                || e.getCause() == cause).verify(WAIT);
    }
}
