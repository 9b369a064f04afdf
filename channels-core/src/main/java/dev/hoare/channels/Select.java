package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import dev.hoare.channels.internal.ChannelWaitEvent;
import dev.hoare.channels.internal.SelectEnd;
import dev.hoare.channels.internal.SendView;
import dev.hoare.channels.internal.Waiter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Go's {@code select}: waits until one of several channel operations can proceed, performs exactly
 * that one, and returns what its action returns.
 *
 * <pre>{@code
 * String what = Select.<String>select()
 *     .onReceive(jobs, job -> "job " + job)
 *     .onReceiveResult(results, r -> r.ok() ? "result" : "results closed")
 *     .onSend(out, value, () -> "sent")
 *     .onTimeout(Duration.ofSeconds(1), () -> "timed out")
 *     .run();
 * }</pre>
 *
 * <h2>Choosing</h2>
 * {@link #select()} picks uniformly at random among the cases ready when {@link #run()} looks;
 * {@link #prioritySelect()} picks the first ready case in declaration order (JCSP's
 * {@code priSelect}). If none is ready, {@code run()} waits for the first that becomes ready, the
 * timeout, or an interrupt — unless there is an {@link #orElse} (Go's {@code default}), which runs
 * instead of waiting. A ready case is always preferred to the default and to an expired timeout.
 * {@code run()} looks at the cases one channel at a time, as Kotlin's and jox's selects do (Go's
 * locks them all at once): the default or an expired timeout is chosen only if each case was
 * found not ready when its channel was looked at during the run.
 *
 * <h2>Cases</h2>
 * A case whose channel is {@code null}, or whose condition is {@code false}
 * ({@link #onReceiveIf}, {@link #onSendIf}), is never chosen: Go's nil-channel idiom. A receive case
 * on a closed, drained channel is ready: {@link #onReceive} then makes {@code run()} throw
 * {@link ChannelClosedException} (with the close cause), {@link #onReceiveResult} gets
 * {@link Received#closed}. A send case on a closed channel makes {@code run()} throw. Exactly one
 * case completes per run: no value goes to two channels and none is taken from two; a send and a
 * receive case on the same channel never pair with each other; a channel may appear twice.
 *
 * <h2>Many channels</h2>
 * {@link #onReceiveEach}, {@link #onReceiveResultEach} and {@link #onSendEach} add one case per
 * channel of a collection and hand the chosen channel to the action. A select over n channels
 * costs, when one is ready, a look at the channels tried before it (in random order: about n/2
 * looks, no lock held across them); when it must wait, one registration and one removal per
 * channel, each under that channel's lock alone: linear in n.
 *
 * <h2>Waiting</h2>
 * Blocked, the select has one waiter queued in each case's channel; all of them share one owner,
 * and the first peer to claim the owner completes its case (see {@code Waiter}). An interrupt ends
 * the wait with {@link InterruptedException} and removes every registration; if a case completed
 * at the same moment, its result is returned and the interrupt status is set again instead.
 * No lock is held across channels: each channel is locked (if at all) only while its own case is
 * looked at, registered or removed.
 *
 * <h2>Channels it works with</h2>
 * Every channel made by {@link Channel} and their {@code sendOnly()}/{@code receiveOnly()} views,
 * timers, tickers, and the ends that {@code StreamChannels}, {@code Channels.openSend} and
 * {@code Channels.openReceive} return. Internally an end takes part through a small interface,
 * {@code SelectEnd} (try now, register a waiter, unregister it), which is all {@code Select}
 * knows of a channel.
 *
 * <p>A {@code Select} is built and run by one thread; it may be run again.
 *
 * @param <R> what {@link #run()} returns
 */
/*
 * Phases of run(), one method each:
 *   1. tryNow     each case's end is asked to perform it now (SelectEnd.selectTry*), one end at a
 *                 time, in a uniformly random order (priority: declaration order); the first that
 *                 performs wins. No waiter of this select is queued anywhere.
 *   2. register   one owner Waiter; a case waiter per case, queued at its end one end at a time
 *                 (selectRegister*), until all are queued or the owner is decided. A case reported
 *                 ready makes the select claim its own owner (claimForSelf) and start over at 1.
 *   3. await      park until the owner is decided: a peer's claim, or the select's own on the
 *                 deadline or an interrupt.
 *   4. unregister every case waiter is removed from its end, one end at a time; a RETRY wake-up
 *                 is passed on if the select leaves instead of starting over.
 *
 * Invariants and why they hold:
 *   - At most one end's lock is held at any time (SelectEnd: an end's method takes only its own
 *     locks and returns without them), so there is no lock order between channels, and no
 *     channel's codec or I/O runs under another channel's lock.
 *   - Exactly once. In phase 1 no waiter of this select is queued, so nobody but this thread can
 *     perform a case of it; it stops after the first case an end performed. From phase 2 on, this
 *     thread performs nothing: a case is performed only by a peer after its CAS of owner.winner
 *     from null to that case's waiter (Waiter.tryComplete), and the select's own claimForSelf is
 *     the same CAS. The CAS succeeds once, so at most one case is performed; a peer whose CAS
 *     fails drops the waiter and performs nothing for it. A case completed with RETRY, or a self
 *     claim for a ready case, performs nothing either: the run starts over as if new.
 *   - No lost wake-up. A case not ready in phase 1 may become ready before its registration: the
 *     registration's own look (atomic with queueing, by SelectEnd's contract) sees that and the
 *     select starts over. A change after the registration finds the queued waiter and completes
 *     it (DONE, CLOSED, or RETRY), deciding the owner unless another case did. So from the end of
 *     phase 2, any case becoming ready decides the owner, and phase 3 parks only in Waiter.await,
 *     which returns once the owner's state is set (the Dekker pair parked/state there covers a
 *     completion that races the park). A peer that completes case i while case j > i is being
 *     registered is fine: phase 2 stops, phase 4 removes what was queued.
 *   - Fairness. Phase 1 shuffles lazily (Fisher-Yates, one swap per case tried), so the cases are
 *     tried in a uniformly random order at a cost of one step per case tried: among the cases
 *     ready while it looks, each is chosen with equal probability. The permutation is kept from
 *     run to run (shuffling any permutation gives a uniform one).
 *   - Reading the outcome. A peer's CAS on winner comes a few instructions before its write of
 *     the winner's state; having read winner, phase 3 waits for that write (Waiter.settledState)
 *     before it reads the state and the item (written before the state, published by it).
 */
public final class Select<R> {
    private final boolean priority;
    private final List<Case<R>> cases = new ArrayList<>();
    /** The cases as an array, in the order phase 1 tried them last (a permutation); rebuilt after a case is added. */
    private Case<R>[] order;
    /** Phase 1's winner, with its raw result in {@link #found}. */
    private Case<R> chosen;
    private Object found;
    private Supplier<? extends R> orElse;
    private Duration timeout;
    private Supplier<? extends R> onTimeout;

    private Select(boolean priority) {
        this.priority = priority;
    }

    /**
     * A select that picks uniformly at random among ready cases.
     *
     * @param <R> what it returns
     * @return a new select without cases
     */
    public static <R> Select<R> select() {
        return new Select<>(false);
    }

    /**
     * A select that picks the first ready case in declaration order.
     *
     * @param <R> what it returns
     * @return a new select without cases
     */
    public static <R> Select<R> prioritySelect() {
        return new Select<>(true);
    }

    /**
     * A receive case: on a value, {@code action} maps it; on a closed, drained channel, {@link #run()}
     * throws {@link ChannelClosedException}.
     *
     * @param channel the channel, or {@code null} for a case that is never chosen
     * @param action what to return for a received value
     * @param <T> the value type
     * @return this select
     */
    public <T> Select<R> onReceive(ReceiveChannel<T> channel, Function<? super T, ? extends R> action) {
        return onReceiveIf(true, channel, action);
    }

    /**
     * {@link #onReceive} that takes part only if {@code enabled}.
     *
     * @param enabled whether the case can be chosen
     * @param channel the channel, or {@code null}
     * @param action what to return for a received value
     * @param <T> the value type
     * @return this select
     */
    @SuppressWarnings("unchecked")
    public <T> Select<R> onReceiveIf(boolean enabled, ReceiveChannel<T> channel, Function<? super T, ? extends R> action) {
        Objects.requireNonNull(action, "action");
        if (enabled && channel != null) {
            add(Case.receive(Case.RECEIVE, source(channel), v -> action.apply((T) v)));
        }
        return this;
    }

    /**
     * A receive case that reports closed as a value: Go's {@code case v, ok := <-ch}.
     *
     * @param channel the channel, or {@code null} for a case that is never chosen
     * @param action what to return for the outcome
     * @param <T> the value type
     * @return this select
     */
    @SuppressWarnings("unchecked")
    public <T> Select<R> onReceiveResult(ReceiveChannel<T> channel, Function<? super Received<T>, ? extends R> action) {
        Objects.requireNonNull(action, "action");
        if (channel != null) {
            add(Case.receive(Case.RECEIVE_RESULT, source(channel), r -> action.apply((Received<T>) r)));
        }
        return this;
    }

    /**
     * A send case: {@code action} runs once {@code value} is in the channel.
     *
     * @param channel the channel, or {@code null} for a case that is never chosen
     * @param value the value, not null
     * @param action what to return once sent
     * @param <T> the value type
     * @return this select
     */
    public <T> Select<R> onSend(SendChannel<T> channel, T value, Supplier<? extends R> action) {
        return onSendIf(true, channel, value, action);
    }

    /**
     * {@link #onSend} that takes part only if {@code enabled}.
     *
     * @param enabled whether the case can be chosen
     * @param channel the channel, or {@code null}
     * @param value the value, not null
     * @param action what to return once sent
     * @param <T> the value type
     * @return this select
     */
    public <T> Select<R> onSendIf(boolean enabled, SendChannel<T> channel, T value, Supplier<? extends R> action) {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(value, "channel values must not be null");
        if (enabled && channel != null) {
            add(Case.send(sink(channel), value, ignored -> action.get()));
        }
        return this;
    }

    /**
     * A receive case for each channel of {@code channels} (Go's {@code reflect.Select} without the
     * reflection): whichever is chosen, {@code action} gets that channel, exactly as it is in the
     * collection, and the value. A closed, drained channel makes {@link #run()} throw
     * {@link ChannelClosedException}, as {@link #onReceive} does; {@code null} elements are never
     * chosen. Choosing is as among separately added cases: uniformly at random among the ready
     * ones, or, in a {@link #prioritySelect()}, the first in the collection's iteration order.
     *
     * <pre>{@code
     * List<Channel<Job>> queues = ...;           // say 1,024 of them
     * Select<String> next = Select.<String>select()
     *     .onReceiveEach(queues, (queue, job) -> queues.indexOf(queue) + ": " + job);
     * while (true) {
     *     System.out.println(next.run());           // a built select may run again and again
     * }
     * }</pre>
     *
     * @param channels the channels; the collection is read once, now
     * @param action what to return for a value received from one of them
     * @param <T> the value type
     * @param <C> the channels' type, handed back to {@code action}
     * @return this select
     */
    @SuppressWarnings("unchecked")
    public <T, C extends ReceiveChannel<? extends T>> Select<R> onReceiveEach(
            Collection<? extends C> channels, BiFunction<? super C, ? super T, ? extends R> action) {
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(action, "action");
        for (C channel : channels) {
            if (channel != null) {
                add(Case.receive(Case.RECEIVE, source(channel), v -> action.apply(channel, (T) v)));
            }
        }
        return this;
    }

    /**
     * {@link #onReceiveResult} for each channel of {@code channels}: {@code action} gets the
     * chosen channel and the outcome, a value or closed. {@code null} elements are never chosen.
     *
     * @param channels the channels; the collection is read once, now
     * @param action what to return for the outcome of a receive from one of them
     * @param <T> the value type
     * @param <C> the channels' type, handed back to {@code action}
     * @return this select
     */
    @SuppressWarnings("unchecked")
    public <T, C extends ReceiveChannel<? extends T>> Select<R> onReceiveResultEach(
            Collection<? extends C> channels, BiFunction<? super C, ? super Received<T>, ? extends R> action) {
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(action, "action");
        for (C channel : channels) {
            if (channel != null) {
                add(Case.receive(Case.RECEIVE_RESULT, source(channel), r -> action.apply(channel, (Received<T>) r)));
            }
        }
        return this;
    }

    /**
     * A send case of {@code value} for each channel of {@code channels}: the value goes to exactly
     * one of them, and {@code action} gets that channel. A closed channel chosen makes
     * {@link #run()} throw, as {@link #onSend} does; {@code null} elements are never chosen.
     *
     * @param channels the channels; the collection is read once, now
     * @param value the value, not null
     * @param action what to return once sent, given the channel it went to
     * @param <T> the value type
     * @param <C> the channels' type, handed back to {@code action}
     * @return this select
     */
    public <T, C extends SendChannel<? super T>> Select<R> onSendEach(
            Collection<? extends C> channels, T value, Function<? super C, ? extends R> action) {
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(value, "channel values must not be null");
        for (C channel : channels) {
            if (channel != null) {
                add(Case.send(sink(channel), value, ignored -> action.apply(channel)));
            }
        }
        return this;
    }

    private void add(Case<R> c) {
        cases.add(c);
        order = null;
    }

    /**
     * Gives up after {@code timeout} if no case was ready by then. A timeout of zero or less fires
     * at once unless a case is ready. One timeout per select; a second replaces the first.
     *
     * @param timeout how long to wait
     * @param action what to return on timeout
     * @return this select
     */
    public Select<R> onTimeout(Duration timeout, Supplier<? extends R> action) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.onTimeout = Objects.requireNonNull(action, "action");
        return this;
    }

    /**
     * Go's {@code default}: if no case is ready, {@link #run()} returns this instead of waiting.
     *
     * @param action what to return when nothing is ready
     * @return this select
     */
    public Select<R> orElse(Supplier<? extends R> action) {
        this.orElse = Objects.requireNonNull(action, "action");
        return this;
    }

    /**
     * Performs exactly one ready case (waiting for one if none is, unless there is a default or
     * the timeout passes) and returns its action's result.
     *
     * @return the chosen action's result
     * @throws ChannelClosedException if the chosen case is {@link #onReceive} on a closed, drained
     *     channel, or a send case on a closed channel
     * @throws InterruptedException if interrupted while waiting; no case was performed
     */
    public R run() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        Case<R>[] cases = order();
        boolean timed = timeout != null;
        long deadline = timed ? System.nanoTime() + AbstractChannel.toNanos(timeout) : 0L;
        for (;;) {
            Object raw = tryNow(cases);
            if (raw != SelectEnd.EMPTY) {
                Case<R> won = chosen;
                chosen = null;
                return won.complete(raw);
            }
            if (orElse != null) {
                return orElse.get();
            }
            if (timed && deadline - System.nanoTime() <= 0) {
                return onTimeout.get();
            }
            Waiter owner = new Waiter(null);
            int registered = register(cases, owner);
            if (owner.winner == owner) { // a case was ready at its registration: look again
                unregister(cases, registered);
                continue;
            }
            Outcome<R> outcome = await(owner, cases, registered, timed, deadline);
            if (outcome != null) {
                return outcome.value;
            }
            // woken to try again: a case may be ready now
        }
    }

    /** A final result ({@code value}) of run(), distinguishing "retry" ({@code null} Outcome). */
    private record Outcome<R>(R value) {
    }

    /** The cases as an array, built once per set of cases; phase 1 permutes it in place. */
    @SuppressWarnings("unchecked")
    private Case<R>[] order() {
        if (order == null) {
            order = cases.toArray(new Case[0]);
        }
        return order;
    }

    /**
     * Phase 1, no lock held between ends: asks each case's end to perform it now, in a random
     * order (declaration order for a priority select), shuffling only as far as it tries.
     *
     * @return the first performed case's raw result (its case in {@link #chosen}), or
     *     {@link SelectEnd#EMPTY} if none was ready
     * @throws ChannelClosedException if the first ready case is a send on a closed channel
     */
    private Object tryNow(Case<R>[] cases) {
        int n = cases.length;
        ThreadLocalRandom random = priority ? null : ThreadLocalRandom.current();
        for (int i = 0; i < n; i++) {
            if (random != null && i < n - 1) {
                int j = i + random.nextInt(n - i);
                Case<R> t = cases[i];
                cases[i] = cases[j];
                cases[j] = t;
            }
            Case<R> c = cases[i];
            Object raw = c.tryNow();
            if (raw != SelectEnd.EMPTY) {
                chosen = c;
                return raw;
            }
        }
        return SelectEnd.EMPTY;
    }

    /**
     * Phase 2: queues a case waiter for {@code owner} at each case's end in turn, stopping early
     * once the owner is decided (a peer completed a registered case). A case its end reports
     * ready makes the select claim the owner itself ({@code owner.winner == owner} then, unless
     * a peer's claim came first) and stop.
     *
     * @return how many cases (the first ones of {@code cases}) have a waiter to unregister
     */
    private static <R> int register(Case<R>[] cases, Waiter owner) {
        for (int i = 0; i < cases.length; i++) {
            if (owner.winner != null) {
                return i;
            }
            if (cases[i].register(owner)) {
                owner.claimForSelf();
                return i + 1;
            }
        }
        return cases.length;
    }

    /**
     * Phases 3 and 4, no lock held: parks until a peer completes a case, the deadline, or an
     * interrupt; then unregisters every case waiter.
     *
     * @return the final outcome, or {@code null} to run the select again (woken to retry)
     */
    private Outcome<R> await(Waiter owner, Case<R>[] cases, int registered, boolean timed, long deadline)
            throws InterruptedException {
        // the cases describe the channels waited on, should the wait be recorded (ChannelWaitEvent)
        boolean completed = ChannelWaitEvent.await(owner, cases, ChannelWaitEvent.SELECT, timed, deadline);
        boolean gaveUp = !completed && owner.claimForSelf();
        Waiter winner = owner.winner;
        int state = gaveUp ? Waiter.ABANDONED : winner.settledState();
        Case<R> c = gaveUp ? null : caseOf(cases, registered, winner);
        unregister(cases, registered);
        if (gaveUp || (!completed && state == Waiter.RETRY)) {
            if (c != null) {
                c.passOnRetry(); // we leave although an end woke us to try again: pass that on
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return new Outcome<>(onTimeout.get());
        }
        return switch (state) {
            case Waiter.DONE -> new Outcome<>(c.complete(c.kind == Case.SEND ? null : winner.item));
            case Waiter.CLOSED -> {
                if (c.kind == Case.SEND) {
                    throw new ChannelClosedException(c.closeCause());
                }
                yield new Outcome<>(c.complete(SelectEnd.CLOSED));
            }
            default -> null; // RETRY
        };
    }

    private static <R> Case<R> caseOf(Case<R>[] cases, int registered, Waiter w) {
        for (int i = 0; i < registered; i++) {
            if (cases[i].waiter == w) {
                return cases[i];
            }
        }
        throw new IllegalStateException("winner is not a case of this select");
    }

    /** Phase 4: removes the waiters of the first {@code registered} cases from their ends, one end at a time. */
    private static <R> void unregister(Case<R>[] cases, int registered) {
        for (int i = 0; i < registered; i++) {
            cases[i].unregister();
        }
    }

    /** The end a receive case waits on: the channel itself, or what a forwarding channel names. */
    private static SelectEnd.Receive source(ReceiveChannel<?> channel) {
        Object c = channel;
        while (true) {
            if (c instanceof SelectEnd.Receive end) {
                return end;
            } else if (c instanceof SelectEnd.Named named) {
                return named.selectEnd();
            } else if (c instanceof ForwardingReceiveChannel<?> forwarding) {
                c = forwarding.forSelect();
            } else {
                throw new IllegalArgumentException("select works with Hoare channels; not with " + channel.getClass().getName());
            }
        }
    }

    /** The end a send case waits on: the channel itself, or the one a send-only view forwards to. */
    private static SelectEnd.Send sink(SendChannel<?> channel) {
        Object c = channel;
        while (true) {
            if (c instanceof SelectEnd.Send end) {
                return end;
            } else if (c instanceof SendView<?> view) {
                c = view.channel();
            } else {
                throw new IllegalArgumentException("select works with Hoare channels; not with " + channel.getClass().getName());
            }
        }
    }

    /** One case: what it does on which end, and its waiter while the select waits. */
    private static final class Case<R> {
        static final int RECEIVE = 0;
        static final int RECEIVE_RESULT = 1;
        static final int SEND = 2;
        /** Phase 1's raw result of a send case that sent. */
        private static final Object SENT = Boolean.TRUE;

        final int kind;
        /** The end of a receive case, else {@code null}. */
        private final SelectEnd.Receive source;
        /** The end of a send case, else {@code null}. */
        private final SelectEnd.Send sink;
        private final Object value;
        private final Function<Object, ? extends R> action;
        /** The waiter of the current registration; {@code null} outside phases 2 to 4. */
        Waiter waiter;

        private Case(int kind, SelectEnd.Receive source, SelectEnd.Send sink, Object value, Function<Object, ? extends R> action) {
            this.kind = kind;
            this.source = source;
            this.sink = sink;
            this.value = value;
            this.action = action;
        }

        /** For {@link ChannelWaitEvent}: the operation and its end. */
        @Override
        public String toString() {
            return kind == SEND ? "send to " + sink : "receive from " + source;
        }

        static <R> Case<R> receive(int kind, SelectEnd.Receive source, Function<Object, ? extends R> action) {
            return new Case<>(kind, source, null, null, action);
        }

        static <R> Case<R> send(SelectEnd.Send sink, Object value, Function<Object, ? extends R> action) {
            return new Case<>(SEND, null, sink, value, action);
        }

        /** Phase 1: a value, CLOSED, {@link #SENT}, or EMPTY. */
        Object tryNow() {
            if (kind == SEND) {
                return sink.selectTrySend(value) ? SENT : SelectEnd.EMPTY;
            }
            return source.selectTryReceive();
        }

        /** Phase 2: queues a new waiter for {@code owner}; whether the case is ready now. */
        boolean register(Waiter owner) {
            waiter = new Waiter(owner, value);
            return kind == SEND ? sink.selectRegisterSend(waiter) : source.selectRegisterReceive(waiter);
        }

        /** Phase 4: removes the waiter (if its end still has it) and forgets it. */
        void unregister() {
            Waiter w = waiter;
            waiter = null;
            if (kind == SEND) {
                sink.selectUnregisterSend(w);
            } else {
                source.selectUnregisterReceive(w);
            }
        }

        void passOnRetry() {
            if (kind == SEND) {
                sink.selectPassOnRetrySend();
            } else {
                source.selectPassOnRetryReceive();
            }
        }

        Throwable closeCause() {
            return kind == SEND ? sink.closeCause() : source.closeCause();
        }

        /** Runs the action for a raw result (no lock held). */
        R complete(Object raw) {
            return switch (kind) {
                case SEND -> action.apply(null);
                case RECEIVE -> {
                    if (raw == SelectEnd.CLOSED) {
                        throw new ChannelClosedException(source.closeCause());
                    }
                    yield action.apply(raw);
                }
                default -> action.apply(raw == SelectEnd.CLOSED
                        ? Received.closed(source.closeCause()) : Received.of(raw));
            };
        }
    }
}
