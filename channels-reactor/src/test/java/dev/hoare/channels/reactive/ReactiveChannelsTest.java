package dev.hoare.channels.reactive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProbes;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ReactiveChannelsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static Channel<Integer> filled(int capacity, int values) throws InterruptedException {
        Channel<Integer> ch = Channel.buffered(capacity);
        for (int i = 0; i < values; i++) {
            ch.send(i);
        }
        return ch;
    }

    @Test
    void demandMapsExactlyToReceives() throws Exception {
        Channel<Integer> ch = filled(100, 10);
        StepVerifier.create(ReactiveChannels.toFlux(ch), 0)
                .expectSubscription()
                .then(() -> assertEquals(10, ch.size(), "no request, no receive"))
                .thenRequest(3)
                .expectNext(0, 1, 2)
                .then(() -> ChannelProbes.awaitTrue("3 taken", () -> ch.size() == 7))
                .thenRequest(2)
                .expectNext(3, 4)
                .thenCancel()
                .verify(WAIT);
        assertEquals(5, ch.size(), "request(3) + request(2) took exactly five");
        assertFalse(ch.isClosedForSend(), "KEEP_OPEN is the default");
    }

    @Test
    void closeCompletesTheFluxAndACauseErrorsIt() throws Exception {
        Channel<Integer> ch = filled(4, 2);
        ch.close();
        StepVerifier.create(ReactiveChannels.toFlux(ch)).expectNext(0, 1).expectComplete().verify(WAIT);

        Channel<Integer> failed = filled(4, 1);
        IllegalStateException cause = new IllegalStateException("upstream");
        failed.close(cause);
        StepVerifier.create(ReactiveChannels.toFlux(failed)).expectNext(0)
                .expectErrorSatisfies(e -> assertSame(cause, e)).verify(WAIT);
    }

    @Test
    void cancelStopsAWaitingReceiveWithoutTakingAnything() throws Exception {
        Channel<Integer> ch = Channel.unbuffered();
        StepVerifier.create(ReactiveChannels.toFlux(ch), 0)
                .thenRequest(1)
                .then(() -> ChannelProbes.awaitWaitingReceivers(ch, 1))
                .thenCancel()
                .verify(WAIT);
        ChannelProbes.awaitWaitingReceivers(ch, 0);
        assertFalse(ch.trySend(1), "nobody receives any more");
    }

    @Test
    void cancelCanCloseOrCancelTheChannel() throws Exception {
        Channel<Integer> closeMe = filled(4, 3);
        StepVerifier.create(ReactiveChannels.toFlux(closeMe, ReactiveChannels.virtualThreads(), OnCancel.CLOSE), 0)
                .thenRequest(1).expectNext(0).thenCancel().verify(WAIT);
        assertTrue(closeMe.isClosedForSend());
        assertEquals(List.of(1, 2), closeMe.stream().toList(), "close keeps what was sent");

        Channel<Integer> cancelMe = filled(4, 3);
        StepVerifier.create(ReactiveChannels.toFlux(cancelMe, ReactiveChannels.virtualThreads(), OnCancel.CANCEL), 0)
                .thenRequest(1).expectNext(0).thenCancel().verify(WAIT);
        assertTrue(cancelMe.isClosedForReceive(), "cancel discards the rest");
    }

    @Test
    void aSecondSubscriberGetsAClearError() throws Exception {
        Channel<Integer> ch = filled(4, 1);
        Flux<Integer> flux = ReactiveChannels.toFlux(ch);
        StepVerifier.create(flux, 0).thenRequest(1).expectNext(0).thenCancel().verify(WAIT);
        StepVerifier.create(flux).expectErrorSatisfies(e -> {
            assertTrue(e instanceof IllegalStateException);
            assertTrue(e.getMessage().contains("toSharedFlux"), e.getMessage());
        }).verify(WAIT);
    }

    @Test
    void onNextIsNeverConcurrentAndRunsOnAVirtualThread() throws Exception {
        Channel<Integer> ch = Channel.buffered(64);
        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 10_000; i++) {
                    ch.send(i);
                }
                ch.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        AtomicInteger inside = new AtomicInteger();
        AtomicBoolean overlap = new AtomicBoolean();
        AtomicBoolean platform = new AtomicBoolean();
        List<Integer> got = ReactiveChannels.toFlux(ch)
                .doOnNext(v -> {
                    if (inside.incrementAndGet() != 1) {
                        overlap.set(true);
                    }
                    if (!Thread.currentThread().isVirtual()) {
                        platform.set(true);
                    }
                    inside.decrementAndGet();
                })
                .limitRate(7) // many small requests, so that requests race the drain loop
                .collectList().block(WAIT);
        producer.join();
        assertEquals(IntStream.range(0, 10_000).boxed().toList(), got);
        assertFalse(overlap.get(), "onNext ran concurrently");
        assertFalse(platform.get(), "onNext ran on a platform thread");
    }

    @Test
    void theSharedFluxHandsEachValueToExactlyOneSubscriber() throws Exception {
        Channel<Integer> ch = Channel.buffered(16);
        Flux<Integer> shared = ReactiveChannels.toSharedFlux(ch);
        ConcurrentLinkedQueue<Integer> a = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> b = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(2);
        shared.doFinally(s -> done.countDown()).subscribe(a::add);
        shared.doFinally(s -> done.countDown()).subscribe(b::add);
        for (int i = 0; i < 5000; i++) {
            ch.send(i);
        }
        ch.close();
        assertTrue(done.await(10, TimeUnit.SECONDS));
        List<Integer> all = new ArrayList<>(a);
        all.addAll(b);
        all.sort(null);
        assertEquals(IntStream.range(0, 5000).boxed().toList(), all);
    }

    @Test
    void fromPublisherNeverHasMoreThanCapacityRequestedAheadOfTheApplication() throws Exception {
        AtomicLong requested = new AtomicLong();
        int capacity = 8;
        ReceiveChannel<Integer> ch = ReactiveChannels.fromPublisher(
                Flux.range(0, 1000).doOnRequest(n -> requested.addAndGet(n)), capacity);
        int taken = 0;
        for (Integer v : ch) {
            assertEquals(taken, v);
            taken++;
            assertTrue(requested.get() - taken <= capacity,
                    "requested " + requested.get() + " with " + taken + " taken");
            if (taken % 100 == 0) {
                Thread.sleep(1); // a slow consumer: the publisher must not run ahead
                assertTrue(requested.get() - taken <= capacity);
            }
        }
        assertEquals(1000, taken, "complete closed the channel after every value");
    }

    @Test
    void fromPublisherClosesWithTheErrorAsCause() throws Exception {
        IllegalStateException boom = new IllegalStateException("boom");
        ReceiveChannel<Integer> ch = ReactiveChannels.fromPublisher(Flux.just(1, 2).concatWith(Flux.error(boom)), 4);
        assertEquals(1, ch.receive());
        assertEquals(2, ch.receive());
        ChannelClosedException e = assertThrows(ChannelClosedException.class, ch::receive);
        assertSame(boom, e.getCause());
    }

    @Test
    void cancellingTheChannelCancelsTheSubscription() throws Exception {
        CountDownLatch cancelled = new CountDownLatch(1);
        ReceiveChannel<Integer> ch = ReactiveChannels.fromPublisher(Flux.<Integer>never().doOnCancel(cancelled::countDown), 4);
        ch.cancel();
        assertTrue(cancelled.await(10, TimeUnit.SECONDS));
        assertTrue(ch.isClosedForReceive());
    }

    @Test
    void aChannelFromAPublisherIsASelectCase() throws Exception {
        ReceiveChannel<Integer> ch = ReactiveChannels.fromPublisher(Flux.just(7).delayElements(Duration.ofMillis(5)), 1);
        assertEquals(7, Select.<Integer>select().onReceive(ch, v -> v).run());
    }

    @Test
    void sendPumpsWithBackPressureAndCompletesWithThePublisher() throws Exception {
        Channel<Integer> ch = Channel.unbuffered();
        AtomicLong requested = new AtomicLong();
        CountDownLatch completed = new CountDownLatch(1);
        ReactiveChannels.send(Flux.range(0, 200).doOnRequest(requested::addAndGet)
                .subscribeOn(Schedulers.parallel()), ch).doOnSuccess(v -> completed.countDown()).subscribe();
        for (int i = 0; i < 200; i++) {
            assertEquals(i, ch.receive());
            assertTrue(requested.get() <= i + 3, "requested " + requested.get() + " after " + (i + 1) + " received");
        }
        assertTrue(completed.await(10, TimeUnit.SECONDS));
        assertFalse(ch.isClosedForSend(), "the channel is left open");
    }
}
