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
     * Sends {@code signal} to the process {@code pid}, as {@code kill(2)} does, its failures told
     * apart as {@code kill(2)}'s errno would: no such process ({@code ESRCH}), not permitted
     * ({@code EPERM}), a signal this system does not have ({@code EINVAL}).
     *
     * <p>Core calls no native code (JNR comes with the transports that need it, and
     * {@code ProcessHandle} sends only TERM and KILL), so the system's {@code kill -s NAME PID}
     * delivers the signal; but what went wrong is decided from the process table and the
     * target's owner, never from the words {@code kill} prints, which depend on its language and
     * its implementation (a shell's builtin or procps). Its text only completes the message.
     *
     * @param pid the process
     * @param signal the signal
     * @throws IllegalArgumentException if there is no such process ({@code ESRCH}, also for a
     *     pid not above 0: process groups are not signalled), or this system has no such signal
     *     ({@code EINVAL})
     * @throws SecurityException if this user may not signal it ({@code EPERM}: another user's
     *     process, and this one is not root)
     * @throws IOException if {@code kill} cannot be run, or fails for another reason
     * @throws InterruptedException if interrupted while waiting for {@code kill}
     */
    public static void send(long pid, Signal signal) throws IOException, InterruptedException {
        Objects.requireNonNull(signal, "signal");
        if (pid <= 0) {
            throw new IllegalArgumentException("pid must be positive (process groups are not signalled), was " + pid);
        }
        java.util.Optional<ProcessHandle> target = ProcessHandle.of(pid);
        if (target.isEmpty() || !target.get().isAlive()) {
            throw noSuchProcess(pid);
        }
        ProcessBuilder pb = new ProcessBuilder("kill", "-s", signal.name(), Long.toString(pid)).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C"); // only for the message: nothing below reads its words
        Process kill = pb.start();
        String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!kill.waitFor(10, TimeUnit.SECONDS)) {
            kill.destroyForcibly();
            throw new IOException("kill did not finish");
        }
        if (kill.exitValue() == 0) {
            return;
        }
        if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
            throw noSuchProcess(pid); // it ended meanwhile
        }
        Integer owner = uid(pid);
        Integer me = uid(ProcessHandle.current().pid());
        if (owner != null && me != null && me != 0 && !owner.equals(me)) {
            throw new SecurityException("not permitted to signal pid " + pid + " (EPERM): it is uid " + owner
                    + "'s process, this one is uid " + me + "'s (kill: " + output + ")");
        }
        if (owner != null && owner.equals(me) || me != null && me == 0) { // permitted, and it exists: the signal is the problem
            throw new IllegalArgumentException("this system has no signal SIG" + signal + " (EINVAL; kill: " + output + ")");
        }
        throw new IOException("kill -s " + signal + " " + pid + " failed: " + output);
    }

    private static IllegalArgumentException noSuchProcess(long pid) {
        return new IllegalArgumentException("no such process: pid " + pid + " (ESRCH)");
    }

    /** @return the real owner of a process ({@code /proc/PID}'s uid), or {@code null} where that cannot be read */
    private static Integer uid(long pid) {
        try {
            return (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc", Long.toString(pid)), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
