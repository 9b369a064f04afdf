package dev.hoare.channels.signal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import sun.misc.SignalHandler;

/**
 * The one handler Hoare installs for one signal, shared by every handler given to {@link Signals}
 * (and so by every signal channel, and every subscriber of channels-reactor's signal flux).
 * Installed (through {@code sun.misc.Signal}, which survives GC and coexists with the JVM's own
 * handlers; never JNR's {@code signal()}) when the first subscriber arrives, and the previous
 * handler put back when the last one leaves. The JVM calls {@link #handle} on its signal
 * dispatcher thread; it hands the event to every listener (none of them may block it; one that
 * throws is reported to the thread's uncaught-exception handler and the others still run) and then,
 * unless some listener took over, chains to the previous Java handler of TERM, INT and HUP,
 * which is the JVM's own: it exits, running the shutdown hooks.
 */
final class SignalHub implements SignalHandler {
    private final Signal signal;
    /** Guards installation, {@link #previous} and {@link #takeOvers}. */
    private final ReentrantLock lock = new ReentrantLock();
    /** Each listener is an object of its own (one per registration), so removal is by identity. */
    private final List<Consumer<SignalEvent>> listeners = new CopyOnWriteArrayList<>();
    /** Written under {@link #lock}; read by the signal thread. */
    private volatile SignalHandler previous;
    private volatile int takeOvers;

    SignalHub(Signal signal) {
        this.signal = signal;
    }

    /**
     * Adds a listener, installing the handler if it is the first.
     *
     * @throws IllegalStateException if the process ignores the signal, so the JVM runs no handler for it
     */
    void add(Consumer<SignalEvent> listener, boolean takeOver) {
        lock.lock();
        try {
            if (listeners.isEmpty()) {
                sun.misc.Signal sig = new sun.misc.Signal(signal.name());
                SignalHandler before = sun.misc.Signal.handle(sig, this);
                if (before == SignalHandler.SIG_IGN && sun.misc.Signal.handle(sig, this) != this) {
                    // the JVM installs no handler for TERM, INT or HUP while the process ignores it
                    // (started under nohup, say), and says so only by returning SIG_IGN each time
                    sun.misc.Signal.handle(sig, before);
                    throw new IllegalStateException("SIG" + signal + " is ignored by this process (started under nohup,"
                            + " or set to be ignored), so the JVM runs no handler for it");
                }
                previous = before;
            }
            listeners.add(listener);
            if (takeOver) {
                takeOvers++;
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes a listener if present, putting the previous handler back if it was the last. */
    void remove(Consumer<SignalEvent> listener, boolean takeOver) {
        lock.lock();
        try {
            if (!listeners.remove(listener)) {
                return;
            }
            if (takeOver) {
                takeOvers--;
            }
            if (listeners.isEmpty()) {
                sun.misc.Signal.handle(new sun.misc.Signal(signal.name()), previous);
                previous = null;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void handle(sun.misc.Signal sig) {
        SignalEvent event = new SignalEvent(signal, Instant.now());
        for (Consumer<SignalEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) { // one failing listener must not keep the others, or the JVM's exit, from running
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
        SignalHandler chain = previous;
        if (takeOvers == 0 && signal.endsTheJvmByDefault() && chain != null
                && chain != SignalHandler.SIG_DFL && chain != SignalHandler.SIG_IGN) {
            chain.handle(sig);
        }
    }
}
