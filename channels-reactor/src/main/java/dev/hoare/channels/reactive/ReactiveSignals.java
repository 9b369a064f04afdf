package dev.hoare.channels.reactive;

import dev.hoare.channels.signal.Signal;
import dev.hoare.channels.signal.SignalEvent;
import dev.hoare.channels.signal.Signals;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * POSIX signals as a {@link Flux}: {@link Signals}' handlers (in channels-core) behind Reactor.
 *
 * <pre>{@code
 * ReactiveSignals.flux(Signal.USR1, Signal.HUP).subscribe(e -> reloadConfig());
 * }</pre>
 *
 * <ul>
 *   <li>Each subscription registers a handler with {@link Signals#handle} (or
 *       {@link Signals#takeOver}) and cancelling it closes that registration, so every subscriber
 *       sees every signal (multicast) and the last one to leave puts the previous handler back.</li>
 *   <li>{@code onNext} runs on the JVM's signal dispatcher thread; do not block in it (hand off
 *       with {@code publishOn}, or use {@link Signals#channel}). Signals the subscriber has not
 *       requested wait in an unbounded buffer ({@link FluxSink.OverflowStrategy#BUFFER}).</li>
 *   <li>TERM, INT and HUP still end the JVM after delivery, unless a subscriber of
 *       {@link #takeOver} is present.</li>
 *   <li>A reserved signal, none, or {@code -Xrs} are refused when the flux is made (as by
 *       {@link Signals#checkHandleable}); a signal the process ignores (HUP under {@code nohup})
 *       ends the subscription at once with an {@link IllegalStateException} error.</li>
 * </ul>
 *
 * <p>These were {@code Signals.flux} and {@code Signals.takeOver} in channels-core before Reactor
 * moved out of it; core keeps the channel and callback forms.
 */
public final class ReactiveSignals {
    private ReactiveSignals() {
    }

    /**
     * The given signals as a multicast flux. TERM/INT/HUP still end the JVM after delivery.
     *
     * @param signals the signals to receive, at least one
     * @return a flux that registers a handler for each subscriber
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException under {@code -Xrs}; a subscription errs with it for a
     *     signal the process ignores, whose handler the JVM would never run
     */
    public static Flux<SignalEvent> flux(Signal... signals) {
        return flux(false, signals);
    }

    /**
     * Like {@link #flux}, but while a subscriber of this flux is present TERM, INT and HUP do not
     * end the JVM: the application takes over shutdown.
     *
     * @param signals the signals to receive, at least one
     * @return the flux
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException under {@code -Xrs}
     */
    public static Flux<SignalEvent> takeOver(Signal... signals) {
        return flux(true, signals);
    }

    private static Flux<SignalEvent> flux(boolean takeOver, Signal... signals) {
        Signals.checkHandleable(signals);
        Signal[] copy = signals.clone();
        return Flux.create(sink -> {
            // throws for an ignored signal: Flux.create turns that into the subscription's error
            Signals.Registration registration = takeOver
                    ? Signals.takeOver(sink::next, copy)
                    : Signals.handle(sink::next, copy);
            sink.onDispose(registration::close);
        }, FluxSink.OverflowStrategy.BUFFER);
    }
}
