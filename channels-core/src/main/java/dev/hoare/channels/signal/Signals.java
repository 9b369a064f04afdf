package dev.hoare.channels.signal;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.ReceiveChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * POSIX signals as a channel or a callback, and sending them to other processes.
 *
 * <pre>{@code
 * ReceiveChannel<SignalEvent> hups = Signals.channel(Signal.HUP);
 * for (SignalEvent e : hups) {
 *     reloadConfig();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>Every handler sees every signal (multicast). The JVM-level handler of a signal is installed
 *       when its first handler is registered and the previous one is put back when its last handler
 *       is closed.</li>
 *   <li>A handler given to {@link #handle} runs on the JVM's signal dispatcher thread; do not block
 *       in it (hand off to a channel, or use {@link #channel}). One that throws is reported to that
 *       thread's uncaught-exception handler; the others still run.</li>
 *   <li>TERM, INT and HUP still end the JVM as before — the JVM's own handler runs after the
 *       handlers have seen the signal, and with it the shutdown hooks — unless a handler of
 *       {@link #takeOver} is registered: then the application decides (say, close its input, drain,
 *       and {@code System.exit(0)}).</li>
 *   <li>Signals the JVM keeps for itself ({@link Signal#isReserved()}) are refused with
 *       {@link IllegalArgumentException}; under {@code -Xrs} the JVM delivers no signal to Java
 *       handlers, so every call fails with {@link IllegalStateException} instead of never firing.
 *       Likewise the JVM runs no handler for TERM, INT or HUP while the process ignores it
 *       (started under {@code nohup}, which ignores HUP): registering for such a signal fails at
 *       once with an {@link IllegalStateException}.</li>
 * </ul>
 *
 * <p>The same signals as a Reactor {@code Flux} are in the module channels-reactor
 * ({@code dev.hoare.channels.reactive.ReactiveSignals}), built on {@link #handle} and {@link #takeOver}.
 */
public final class Signals {
    /** Up to this many undelivered signals wait in a {@link #channel}. */
    private static final int CHANNEL_CAPACITY = 64;

    /** One hub per signal, made on first use. Guarded by {@link #HUB_LOCK}. */
    private static final Map<Signal, SignalHub> HUBS = new EnumMap<>(Signal.class);
    private static final ReentrantLock HUB_LOCK = new ReentrantLock();

    private Signals() {
    }

    /**
     * A registration of a handler; {@link #close} it to stop handling (the last one of a signal puts
     * the previous handler back). Closing twice does nothing.
     */
    public interface Registration extends AutoCloseable {
        /** Stops handling; never fails. */
        @Override
        void close();
    }

    /**
     * Runs {@code handler} on every one of the given signals until the registration is closed.
     * TERM/INT/HUP still end the JVM after the handlers ran.
     *
     * @param handler called on the JVM's signal dispatcher thread; must not block
     * @param signals the signals to handle, at least one
     * @return the registration, to close when done
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException under {@code -Xrs}, or for a signal the process ignores, whose
     *     handler the JVM would never run (nothing stays registered then)
     */
    public static Registration handle(Consumer<? super SignalEvent> handler, Signal... signals) {
        return register(handler, false, signals);
    }

    /**
     * Like {@link #handle}, but while this registration is open TERM, INT and HUP do not end the
     * JVM: the application takes over shutdown.
     *
     * @param handler called on the JVM's signal dispatcher thread; must not block
     * @param signals the signals to handle, at least one
     * @return the registration, to close when done
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException as for {@link #handle}
     */
    public static Registration takeOver(Consumer<? super SignalEvent> handler, Signal... signals) {
        return register(handler, true, signals);
    }

    /**
     * Checks, without installing anything, that these signals can be handled in this JVM: what
     * {@link #handle} refuses before it installs a handler.
     *
     * @param signals the signals, at least one
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException under {@code -Xrs}
     */
    public static void checkHandleable(Signal... signals) {
        Objects.requireNonNull(signals, "signals");
        if (signals.length == 0) {
            throw new IllegalArgumentException("name at least one signal");
        }
        if (ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-Xrs")) {
            throw new IllegalStateException("the JVM runs with -Xrs, so it delivers no signal to Java handlers");
        }
        for (Signal s : signals) {
            Objects.requireNonNull(s, "signal");
            if (s.isReserved()) {
                throw new IllegalArgumentException("SIG" + s + " is reserved by the JVM and cannot be handled");
            }
        }
    }

    /**
     * The given signals as a channel, for CSP-style code; {@code cancel()} or {@code close()} it to
     * put the previous handlers back. Up to 64 undelivered signals wait in it; when it is full the
     * oldest is dropped for the newest (POSIX merges a pending signal with a new one of its kind
     * too, so a handler of signals never counts on seeing each one).
     *
     * @param signals the signals to receive, at least one
     * @return the channel
     * @throws IllegalArgumentException for a reserved signal or none
     * @throws IllegalStateException as for {@link #handle}
     */
    public static ReceiveChannel<SignalEvent> channel(Signal... signals) {
        Channel<SignalEvent> events = Channel.buffered(CHANNEL_CAPACITY, Overflow.DROP_OLDEST);
        Registration registration = handle(event -> {
            try {
                events.trySend(event); // DROP_OLDEST: never blocks the signal thread
            } catch (ChannelClosedException closedMeanwhile) {
                // the channel was closed or cancelled: the registration is being closed too
            }
        }, signals);
        return new SignalChannel(events, registration);
    }

    /** {@link #channel}: closing or cancelling it closes the registration too. */
    private static final class SignalChannel extends ForwardingReceiveChannel<SignalEvent> {
        private final Registration registration;

        SignalChannel(Channel<SignalEvent> events, Registration registration) {
            super(events);
            this.registration = registration;
        }

        @Override
        public void close() {
            registration.close();
            super.close();
        }

        @Override
        public void cancel(Throwable cause) {
            registration.close();
            super.cancel(cause);
        }
    }

    /** A handler as one registration's listener: a new object each time (a lambda's identity is not promised). */
    private static final class Listener implements Consumer<SignalEvent> {
        private final Consumer<? super SignalEvent> handler;

        Listener(Consumer<? super SignalEvent> handler) {
            this.handler = handler;
        }

        @Override
        public void accept(SignalEvent event) {
            handler.accept(event);
        }
    }

    /**
     * Adds one listener of its own to each signal's hub; if one hub refuses (an ignored signal), the
     * ones added before are removed again, so nothing stays registered.
     */
    private static Registration register(Consumer<? super SignalEvent> handler, boolean takeOver, Signal... signals) {
        Objects.requireNonNull(handler, "handler");
        List<SignalHub> hubs = hubs(signals);
        Consumer<SignalEvent> listener = new Listener(handler); // an object of its own: hubs remove by identity
        List<SignalHub> added = new ArrayList<>();
        try {
            for (SignalHub hub : hubs) {
                hub.add(listener, takeOver);
                added.add(hub);
            }
        } catch (RuntimeException e) {
            added.forEach(hub -> hub.remove(listener, takeOver));
            throw e;
        }
        AtomicBoolean closed = new AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                added.forEach(hub -> hub.remove(listener, takeOver));
            }
        };
    }

    /** The hubs of {@code signals} after {@link #checkHandleable}, one for each distinct signal. */
    private static List<SignalHub> hubs(Signal... signals) {
        checkHandleable(signals);
        List<SignalHub> hubs = new ArrayList<>();
        HUB_LOCK.lock();
        try {
            for (Signal s : signals) {
                SignalHub hub = HUBS.computeIfAbsent(s, SignalHub::new);
                if (!hubs.contains(hub)) { // a signal named twice is handled once
                    hubs.add(hub);
                }
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
     * <p>On Java 22+ this calls {@code kill(2)} itself, through the Foreign Function and Memory
     * API (no library: JNR comes only with the transports that need it), and maps its
     * {@code errno}; run with {@code --enable-native-access=ALL-UNNAMED} (the {@code hoare} jar's
     * manifest says so) or the JVM warns once about the native call. On Java 21, where that API is
     * a preview, the system's {@code kill -s NAME PID} delivers the signal ({@code ProcessHandle}
     * sends only TERM and KILL), and what went wrong is decided from the process table and the
     * target's owner, never from the words {@code kill} prints, which depend on its language and
     * its implementation (a shell's builtin or procps); its text only completes the message.
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
        if (NativeKillCall.KILL != null && pid <= Integer.MAX_VALUE) {
            int errno = NativeKillCall.kill((int) pid, signal.number());
            switch (errno) {
                case 0 -> {
                    return;
                }
                case ESRCH -> throw noSuchProcess(pid);
                case EPERM -> throw new SecurityException("not permitted to signal pid " + pid + " (EPERM): another user's"
                        + " process, and this one is not privileged");
                case EINVAL -> throw new IllegalArgumentException("this system has no signal SIG" + signal + " (EINVAL)");
                default -> throw new IOException("kill(" + pid + ", SIG" + signal + ") failed with errno " + errno);
            }
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

    /**
     * {@code NativeKill.kill(int, int)}, compiled for Java 22 beside this class (release 21) and
     * so reached by name: {@code null} on Java 21, where {@link #send} runs the {@code kill} command.
     */
    private static final class NativeKillCall {
        static final java.lang.invoke.MethodHandle KILL = find();

        private static java.lang.invoke.MethodHandle find() {
            if (Runtime.version().feature() < 22) {
                return null;
            }
            try {
                return java.lang.invoke.MethodHandles.lookup().findStatic(Class.forName("dev.hoare.channels.signal.NativeKill"),
                        "kill", java.lang.invoke.MethodType.methodType(int.class, int.class, int.class));
            } catch (ReflectiveOperationException | LinkageError e) {
                return null; // a build without it: the command does the sending
            }
        }

        static int kill(int pid, int signal) {
            try {
                return (int) KILL.invokeExact(pid, signal);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** kill(2)'s errno values on Linux (asm-generic/errno-base.h). */
    private static final int EPERM = 1;
    private static final int ESRCH = 3;
    private static final int EINVAL = 22;

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
