package dev.hoare.channels.reactive;

import dev.hoare.channels.signal.Signals;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.Disposable;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Operators;
import reactor.core.scheduler.Scheduler;

/**
 * Drains a channel into one subscriber of {@link ReactiveChannels#toFlux}: one blocking receive
 * per unit of demand, on a worker of the given scheduler, never more than requested and never two
 * {@code onNext} at once (a work-in-progress counter lets only one drain loop run; a request that
 * arrives during the loop is picked up by it). {@code onNext} therefore runs on that worker's
 * thread. Cancel disposes the running drain task, which interrupts a receive that is waiting
 * (nothing is taken then); a value handed over at the very moment of the cancel goes to Reactor's
 * discard hook, as any {@code onNext} after cancel does.
 */
final class ChannelPump<T> {
    private final ReceiveChannel<T> channel;
    private final FluxSink<T> sink;
    private final Scheduler.Worker worker;
    private final OnCancel onCancel;
    private final AtomicLong demand = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private volatile Disposable task;

    ChannelPump(ReceiveChannel<T> channel, FluxSink<T> sink, Scheduler scheduler, OnCancel onCancel) {
        this.channel = channel;
        this.sink = sink;
        this.worker = scheduler.createWorker();
        this.onCancel = onCancel;
    }

    /**
     * Called by Reactor for every {@code request(n)}; n is already validated (positive). Also
     * called once with 0 at subscription, so that an already closed, drained channel completes
     * (or errors) without waiting for demand, as rule 1.4 wants.
     */
    void request(long n) {
        demand.getAndAccumulate(n, Operators::addCap);
        if (wip.getAndIncrement() == 0) {
            task = worker.schedule(this::drain);
        }
    }

    void cancel() {
        cancelled = true;
        Disposable t = task;
        if (t != null) {
            t.dispose();
        }
        worker.dispose();
        switch (onCancel) {
            case CLOSE -> channel.close();
            case CANCEL -> channel.cancel();
            default -> { }
        }
    }

    /**
     * Signals complete (or the close cause) if the channel is closed and drained, without taking
     * anything: demand is not needed for a terminal signal.
     */
    private boolean terminatedIfDrained() {
        if (!channel.isClosedForReceive()) {
            return false;
        }
        try {
            channel.tryReceive(); // closed and drained: throws with the cause
            return false;
        } catch (ChannelClosedException closed) {
            if (closed.getCause() != null) {
                sink.error(closed.getCause());
            } else {
                sink.complete();
            }
            return true;
        }
    }

    private void drain() {
        int missed = 1;
        do {
            long requested = demand.get();
            long emitted = 0;
            while (emitted != requested) {
                if (cancelled) {
                    return;
                }
                Received<T> r;
                try {
                    r = channel.receiveResult();
                } catch (InterruptedException e) {
                    if (!cancelled) {
                        sink.error(e);
                    }
                    return;
                }
                if (!r.ok()) {
                    if (r.cause().isPresent()) {
                        sink.error(r.cause().get());
                    } else {
                        sink.complete();
                    }
                    return;
                }
                sink.next(r.value());
                emitted++;
            }
            if (requested != Long.MAX_VALUE) {
                demand.addAndGet(-emitted);
            }
            if (!cancelled && terminatedIfDrained()) {
                return;
            }
            missed = wip.addAndGet(-missed);
        } while (missed != 0);
    }
}
