package dev.hoare.channels.reactive;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Bridges between Hoare channels and Project Reactor, with back-pressure intact in both directions.
 *
 * <h2>Channel → Flux</h2>
 * {@link #toFlux(ReceiveChannel)}: each {@code request(n)} becomes at most {@code n} receives;
 * {@code onNext} is never called concurrently and runs on a worker of the scheduler (by default a
 * new virtual thread, {@link #virtualThreads()}), never on the subscriber's thread; the flux
 * completes when the channel is closed and drained, and errors with the close cause if it had one.
 * Cancelling stops receiving (a waiting receive is interrupted; nothing is taken) and, per
 * {@link OnCancel}, leaves the channel open, closes it or cancels it. The flux accepts one
 * subscriber; a second gets {@link IllegalStateException}. {@link #toSharedFlux} accepts any
 * number, and each value goes to exactly one of them.
 *
 * <h2>Publisher → channel</h2>
 * {@link #fromPublisher}: a receive channel that requests only as it has room — never more than
 * {@code capacity} values requested beyond what the application has taken — closes on complete,
 * closes with the cause on error, and cancels the subscription when cancelled or closed.
 * {@link #send}: a {@link Mono} that pumps a publisher into a channel, one value requested per
 * value sent, and completes when the publisher does.
 *
 * <p>All blocking happens on virtual threads (or the scheduler given), never on a Reactor
 * non-blocking thread.
 */
public final class ReactiveChannels {
    private static final Scheduler VIRTUAL_THREADS =
            Schedulers.fromExecutorService(Executors.newVirtualThreadPerTaskExecutor(), "hoare-virtual");

    private ReactiveChannels() {
    }

    /** @return the default scheduler of the bridges: every task on a new virtual thread */
    public static Scheduler virtualThreads() {
        return VIRTUAL_THREADS;
    }

    /**
     * A single-subscriber flux of the channel's values, receiving on virtual threads; cancel leaves
     * the channel open.
     *
     * @param channel the channel to drain
     * @param <T> the value type
     * @return the flux
     */
    public static <T> Flux<T> toFlux(ReceiveChannel<T> channel) {
        return toFlux(channel, VIRTUAL_THREADS, OnCancel.KEEP_OPEN);
    }

    /**
     * A single-subscriber flux of the channel's values, receiving on {@code scheduler}.
     *
     * @param channel the channel to drain
     * @param scheduler where the blocking receives and {@code onNext} run; give one whose workers
     *     may block (not {@code Schedulers.parallel()})
     * @param <T> the value type
     * @return the flux
     */
    public static <T> Flux<T> toFlux(ReceiveChannel<T> channel, Scheduler scheduler) {
        return toFlux(channel, scheduler, OnCancel.KEEP_OPEN);
    }

    /**
     * A single-subscriber flux of the channel's values.
     *
     * @param channel the channel to drain
     * @param scheduler where the blocking receives and {@code onNext} run
     * @param onCancel what a cancel does to the channel
     * @param <T> the value type
     * @return the flux
     */
    public static <T> Flux<T> toFlux(ReceiveChannel<T> channel, Scheduler scheduler, OnCancel onCancel) {
        AtomicBoolean subscribed = new AtomicBoolean();
        Flux<T> shared = toSharedFlux(channel, scheduler, onCancel);
        return Flux.defer(() -> subscribed.compareAndSet(false, true) ? shared
                : Flux.error(new IllegalStateException(
                        "this flux of " + channel + " already has its subscriber; use toSharedFlux for several")));
    }

    /**
     * A flux that any number of subscribers may subscribe to; each value of the channel goes to
     * exactly one of them (whichever receives it), as with several receivers of a channel.
     *
     * @param channel the channel to drain
     * @param <T> the value type
     * @return the flux
     */
    public static <T> Flux<T> toSharedFlux(ReceiveChannel<T> channel) {
        return toSharedFlux(channel, VIRTUAL_THREADS, OnCancel.KEEP_OPEN);
    }

    /**
     * {@link #toSharedFlux(ReceiveChannel)} with a scheduler and a cancel policy (applied when any
     * subscriber cancels).
     *
     * @param channel the channel to drain
     * @param scheduler where the blocking receives and {@code onNext} run
     * @param onCancel what a cancel does to the channel
     * @param <T> the value type
     * @return the flux
     */
    public static <T> Flux<T> toSharedFlux(ReceiveChannel<T> channel, Scheduler scheduler, OnCancel onCancel) {
        Objects.requireNonNull(channel, "channel");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(onCancel, "onCancel");
        return Flux.create(sink -> {
            ChannelPump<T> pump = new ChannelPump<>(channel, sink, scheduler, onCancel);
            sink.onCancel(pump::cancel);
            sink.onRequest(pump::request);
            pump.request(0);
        });
    }

    /**
     * A receive channel fed by {@code publisher} (subscribed to at once).
     *
     * @param publisher the source
     * @param capacity how many values may be requested beyond what the application has taken; at least 1
     * @param <T> the value type
     * @return the channel; cancel or close it to cancel the subscription
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    public static <T> ReceiveChannel<T> fromPublisher(Publisher<T> publisher, int capacity) {
        return PublisherChannel.subscribe(publisher, capacity);
    }

    /**
     * Pumps {@code publisher} into {@code channel}: one value requested, sent (waiting for room on
     * a virtual thread), then the next. The Mono completes when the publisher completes (the
     * channel is left open), errors with the publisher's error or a {@link ChannelClosedException}
     * if the channel closes first; cancelling it cancels the publisher.
     *
     * @param publisher the source
     * @param channel where its values go
     * @param <T> the value type
     * @return a cold Mono: nothing happens until it is subscribed to
     */
    public static <T> Mono<Void> send(Publisher<T> publisher, SendChannel<T> channel) {
        Objects.requireNonNull(publisher, "publisher");
        Objects.requireNonNull(channel, "channel");
        return Flux.from(publisher)
                .publishOn(VIRTUAL_THREADS, 1)
                .<T>handle((v, sink) -> {
                    try {
                        channel.send(v); // blocks a virtual thread, never a Reactor one
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        sink.error(e);
                    }
                })
                .then();
    }
}
