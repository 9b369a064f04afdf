package dev.hoare.channels.signal;

import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.reactive.ReactiveChannels;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

/**
 * POSIX signals as a {@link Flux} (or a channel), and sending them to other processes.
 *
 * <pre>{@code
 * Signals.flux(Signal.USR1, Signal.HUP).subscribe(e -> reloadConfig());
 * }</pre>
 *
 * <ul>
 *   <li>Every subscriber sees every signal (multicast). The handler of a signal is installed when
 *       its first subscriber subscribes and the previous handler is put back when its last
 *       subscriber cancels.</li>
 *   <li>{@code onNext} runs on the JVM's signal dispatcher thread; do not block in it (hand off
 *       with {@code publishOn}, or use {@link #channel}).</li>
 *   <li>TERM, INT and HUP still end the JVM as before — the JVM's own handler runs after the
 *       subscribers have seen the signal, and with it the shutdown hooks — unless a subscriber of
 *       {@link #takeOver} is present: then the application decides (say, close its input, drain,
 *       and {@code System.exit(0)}).</li>
 *   <li>Signals the JVM keeps for itself ({@link Signal#isReserved()}) are refused with
 *       {@link IllegalArgumentException}; under {@code -Xrs} the JVM delivers no signal to Java
 *       handlers, so every call fails with {@link IllegalStateException} instead of never firing.
 *       Likewise the JVM runs no handler for TERM, INT or HUP while the process ignores it
 *       (started under {@code nohup}, which ignores HUP): a subscription to such a signal ends at
 *       once with an {@link IllegalStateException} error.</li>
 * </ul>
 */
public final class Signals {
    /** One hub per signal, made on first use. Guarded by {@link #HUB_LOCK}. */
    private static final Map<Signal, SignalHub> HUBS = new EnumMap<>(Signal.class);
    private static final ReentrantLock HUB_LOCK = new ReentrantLock();

    private Signals() {
    }

    /**
     * The given signals as a multicast flux. TERM/INT/HUP still end the JVM after delivery.
     *
     * @param signals the signals to receive, at least one
     * @return a flux that installs the handlers on first subscription
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
     */
    public static Flux<SignalEvent> takeOver(Signal... signals) {
        return flux(true, signals);
    }

    /**
     * The given signals as a channel, for CSP-style code; {@code cancel()} it to put the previous
     * handlers back. Up to 64 undelivered signals wait in it.
     *
     * @param signals the signals to receive
     * @return the channel
     */
    public static ReceiveChannel<SignalEvent> channel(Signal... signals) {
        return ReactiveChannels.fromPublisher(flux(signals), 64);
    }

    private static Flux<SignalEvent> flux(boolean takeOver, Signal... signals) {
        List<SignalHub> hubs = hubs(signals);
        return Flux.merge(hubs.stream().map(hub -> Flux.<SignalEvent>create(sink -> {
            hub.add(sink, takeOver);
            sink.onDispose(() -> hub.remove(sink, takeOver));
        }, FluxSink.OverflowStrategy.BUFFER)).toList());
    }

    private static List<SignalHub> hubs(Signal... signals) {
        Objects.requireNonNull(signals, "signals");
        if (signals.length == 0) {
            throw new IllegalArgumentException("name at least one signal");
        }
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xrs")) {
            throw new IllegalStateException("the JVM runs with -Xrs, so it delivers no signal to Java handlers");
        }
        List<SignalHub> hubs = new ArrayList<>();
        for (Signal s : signals) {
            Objects.requireNonNull(s, "signal");
            if (s.isReserved()) {
                throw new IllegalArgumentException("SIG" + s + " is reserved by the JVM and cannot be handled");
            }
        }
        HUB_LOCK.lock();
        try {
            for (Signal s : signals) {
                hubs.add(HUBS.computeIfAbsent(s, SignalHub::new));
            }
        } finally {
            HUB_LOCK.unlock();
        }
        return hubs;
    }

    /**
     * Sends {@code signal} to the process {@code pid} (with the system's {@code kill} command).
     *
     * @param pid the process
     * @param signal the signal
     * @throws IllegalArgumentException if there is no such process
     * @throws SecurityException if this user may not signal it
     * @throws IOException if {@code kill} cannot be run
     * @throws InterruptedException if interrupted while waiting for {@code kill}
     */
    public static void send(long pid, Signal signal) throws IOException, InterruptedException {
        Objects.requireNonNull(signal, "signal");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive (process groups are not signalled), was " + pid);
        }
        if (ProcessHandle.of(pid).isEmpty()) {
            throw new IllegalArgumentException("no process with pid " + pid);
        }
        Process kill = new ProcessBuilder("kill", "-s", signal.name(), Long.toString(pid))
                .redirectErrorStream(true).start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill did not finish");
        }
        if (kill.exitValue() != 0) {
            if (output.contains("ermitted")) {
                throw new SecurityException("not permitted to signal pid " + pid + ": " + output);
            }
            if (output.contains("No such process")) {
                throw new IllegalArgumentException("no process with pid " + pid);
            }
            throw new IOException("kill -s " + signal + " " + pid + " failed: " + output);
        }
    }
}
