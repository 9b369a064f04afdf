package dev.hoare.channels.signal;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import reactor.core.publisher.FluxSink;
import sun.misc.SignalHandler;

/**
 * The one handler Hoare installs for one signal, shared by every subscriber of every signal flux.
 * Installed (through {@code sun.misc.Signal}, which survives GC and coexists with the JVM's own
 * handlers; never JNR's {@code signal()}) when the first subscriber arrives, and the previous
 * handler put back when the last one leaves. The JVM calls {@link #handle} on its signal
 * dispatcher thread; it hands the event to every subscriber (none of them blocks it) and then,
 * unless some subscriber took over, chains to the previous Java handler of TERM, INT and HUP,
 * which is the JVM's own: it exits, running the shutdown hooks.
 */
final class SignalHub implements SignalHandler {
    private final Signal signal;
    /** Guards installation, {@link #previous} and {@link #takeOvers}. */
    private final ReentrantLock lock = new ReentrantLock();
    private final List<FluxSink<SignalEvent>> sinks = new CopyOnWriteArrayList<>();
    /** Written under {@link #lock}; read by the signal thread. */
    private volatile SignalHandler previous;
    private volatile int takeOvers;

    SignalHub(Signal signal) {
        this.signal = signal;
    }

    void add(FluxSink<SignalEvent> sink, boolean takeOver) {
        lock.lock();
        try {
            if (sinks.isEmpty()) {
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
            sinks.add(sink);
            if (takeOver) {
                takeOvers++;
            }
        } finally {
            lock.unlock();
        }
    }

    void remove(FluxSink<SignalEvent> sink, boolean takeOver) {
        lock.lock();
        try {
            if (!sinks.remove(sink)) {
                return;
            }
            if (takeOver) {
                takeOvers--;
            }
            if (sinks.isEmpty()) {
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
        for (FluxSink<SignalEvent> sink : sinks) {
            sink.next(event);
        }
        SignalHandler chain = previous;
        if (takeOvers == 0 && signal.endsTheJvmByDefault() && chain != null
                && chain != SignalHandler.SIG_DFL && chain != SignalHandler.SIG_IGN) {
            chain.handle(sig);
        }
    }
}
