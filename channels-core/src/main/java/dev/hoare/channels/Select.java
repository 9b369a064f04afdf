package dev.hoare.channels;

import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
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
 * <h2>Waiting</h2>
 * Blocked, the select has one waiter queued in each case's channel; all of them share one owner,
 * and the first peer to claim the owner completes its case (see {@code Waiter}). An interrupt ends
 * the wait with {@link InterruptedException} and removes every registration; if a case completed
 * at the same moment, its result is returned and the interrupt status is set again instead.
 * Registration and the final look at every case happen with all the cases' channels locked, in
 * one global order (each channel's creation id) and unlocked in reverse.
 *
 * <h2>Channels it works with</h2>
 * Every channel made by {@link Channel} and their {@code sendOnly()}/{@code receiveOnly()} views,
 * timers and tickers. Internally a channel takes part through five hooks of its implementation
 * ({@code selectReceiveLocked}, {@code selectSendLocked}, {@code enqueueLocked},
 * {@code dequeueLocked}, {@code forwardRetryLocked}) plus its lock and id; remote endpoints of the
 * process transports are to implement the same hooks.
 *
 * <p>A {@code Select} is built and run by one thread; it may be run again.
 *
 * @param <R> what {@link #run()} returns
 */
public final class Select<R> {
    private final boolean priority;
    private final List<Case<R>> cases = new ArrayList<>();
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
            cases.add(new Case<>(Case.RECEIVE, target(channel), null, v -> action.apply((T) v)));
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
            cases.add(new Case<>(Case.RECEIVE_RESULT, target(channel), null, r -> action.apply((Received<T>) r)));
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
            cases.add(new Case<>(Case.SEND, target(channel), value, ignored -> action.get()));
        }
        return this;
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
        @SuppressWarnings("unchecked")
        Case<R>[] all = cases.toArray(new Case[0]);
        AbstractChannel<?>[] lockOrder = lockOrder(all);
        boolean timed = timeout != null;
        long deadline = timed ? System.nanoTime() + AbstractChannel.toNanos(timeout) : 0L;
        for (;;) {
            Case<R>[] order = priority ? all : shuffled(all);
            Attempt<R> attempt = new Attempt<>();
            boolean mayWait = orElse == null && !(timed && deadline - System.nanoTime() <= 0);
            try {
                lockAll(lockOrder);
                try {
                    pollLocked(order, null, attempt);
                    if (attempt.won == null && mayWait) {
                        registerLocked(order, attempt);
                    }
                } finally {
                    unlockAll(lockOrder);
                }
            } finally {
                attempt.wake.run(); // also when a send case found its channel closed
            }
            if (attempt.won != null) {
                return attempt.won.complete(attempt.result);
            }
            if (attempt.owner == null) {
                return orElse != null ? orElse.get() : onTimeout.get();
            }
            Outcome<R> outcome = await(attempt.owner, all, lockOrder, timed, deadline);
            if (outcome != null) {
                return outcome.value;
            }
            // woken to try again: a case may be ready now
        }
    }

    /** The result of one pass: the case that won and its raw result, or the owner now waiting. */
    private static final class Attempt<R> {
        final Wake wake = new Wake();
        Case<R> won;
        Object result;
        Waiter owner;
    }

    /** A final result ({@code value}) of run(), distinguishing "retry" ({@code null} Outcome). */
    private record Outcome<R>(R value) {
    }

    /**
     * Phase 1, with every channel locked: performs the first ready case in {@code order}, never
     * pairing with {@code exclude}'s own waiters.
     */
    private static <R> void pollLocked(Case<R>[] order, Waiter exclude, Attempt<R> attempt) {
        for (Case<R> c : order) {
            Object r = c.attemptLocked(exclude, attempt.wake);
            if (r != AbstractChannel.EMPTY) {
                attempt.won = c;
                attempt.result = r;
                return;
            }
        }
    }

    /**
     * Phase 2, with every channel locked: queues a case waiter in every case's channel, then looks
     * at every case once more (a lock-free ring may have changed since phase 1 without its lock;
     * now that the waiters are visible, such a change wakes the owner). If a case is ready after
     * all, performs it and unqueues the waiters again.
     */
    private static <R> void registerLocked(Case<R>[] order, Attempt<R> attempt) {
        Waiter owner = new Waiter(null);
        for (Case<R> c : order) {
            c.waiter = new Waiter(owner, c.value);
            c.target.enqueueLocked(c.waiter, c.kind == Case.SEND);
        }
        attempt.owner = owner;
        VarHandle.fullFence();
        try {
            pollLocked(order, owner, attempt);
        } catch (RuntimeException closedSendCase) {
            owner.claimForSelf();
            dequeueLocked(order);
            throw closedSendCase;
        }
        if (attempt.won != null) {
            owner.claimForSelf(); // no peer can have claimed it: we hold every lock it would need
            dequeueLocked(order);
            attempt.owner = null;
        }
    }

    /**
     * Phase 3, no lock held: parks until a peer completes a case, the deadline, or an interrupt;
     * then unqueues every waiter.
     *
     * @return the final outcome, or {@code null} to run the select again (woken to retry)
     */
    private Outcome<R> await(Waiter owner, Case<R>[] all, AbstractChannel<?>[] lockOrder, boolean timed, long deadline)
            throws InterruptedException {
        boolean completed = owner.await(timed, deadline);
        boolean gaveUp = !completed && owner.claimForSelf();
        Waiter winner = owner.winner;
        Wake wake = new Wake();
        lockAll(lockOrder);
        try {
            dequeueLocked(all);
            if (!completed && !gaveUp && winner.state == Waiter.RETRY) {
                // We are leaving although a channel woke us to try again: pass that on.
                Case<R> c = caseOf(all, winner);
                c.target.forwardRetryLocked(c.kind == Case.SEND, wake);
            }
        } finally {
            unlockAll(lockOrder);
        }
        wake.run();
        if (gaveUp || (!completed && winner.state == Waiter.RETRY)) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            return new Outcome<>(onTimeout.get());
        }
        Case<R> c = caseOf(all, winner);
        return switch (winner.state) {
            case Waiter.DONE -> new Outcome<>(c.complete(c.kind == Case.SEND ? null : winner.item));
            case Waiter.CLOSED -> {
                if (c.kind == Case.SEND) {
                    throw new ChannelClosedException(c.target.closeCause());
                }
                yield new Outcome<>(c.complete(AbstractChannel.CLOSED));
            }
            default -> null; // RETRY
        };
    }

    private static <R> Case<R> caseOf(Case<R>[] all, Waiter w) {
        for (Case<R> c : all) {
            if (c.waiter == w) {
                return c;
            }
        }
        throw new IllegalStateException("winner is not a case of this select");
    }

    private static <R> void dequeueLocked(Case<R>[] order) {
        for (Case<R> c : order) {
            if (c.waiter != null) {
                c.target.dequeueLocked(c.waiter, c.kind == Case.SEND);
            }
        }
    }

    private static <R> Case<R>[] shuffled(Case<R>[] all) {
        Case<R>[] order = all.clone();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Case<R> t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static AbstractChannel<?>[] lockOrder(Case<?>[] all) {
        IdentityHashMap<AbstractChannel<?>, Boolean> distinct = new IdentityHashMap<>();
        for (Case<?> c : all) {
            distinct.put(c.target, Boolean.TRUE);
        }
        AbstractChannel<?>[] order = distinct.keySet().toArray(new AbstractChannel<?>[0]);
        Arrays.sort(order, Comparator.comparingLong(ch -> ch.id));
        return order;
    }

    private static void lockAll(AbstractChannel<?>[] lockOrder) {
        for (AbstractChannel<?> ch : lockOrder) {
            ch.lock.lock();
        }
    }

    private static void unlockAll(AbstractChannel<?>[] lockOrder) {
        for (int i = lockOrder.length - 1; i >= 0; i--) {
            lockOrder[i].lock.unlock();
        }
    }

    /** The channel implementation behind an end or a view, which select can lock and queue on. */
    private static AbstractChannel<?> target(Object channel) {
        Object c = channel;
        while (true) {
            if (c instanceof AbstractChannel<?> ac) {
                return ac;
            } else if (c instanceof ForwardingReceiveChannel<?> rv) {
                c = rv.forSelect();
            } else if (c instanceof SendView<?> sv) {
                c = sv.channel();
            } else {
                throw new IllegalArgumentException("select works with Hoare channels; not with " + channel.getClass().getName());
            }
        }
    }

    /** One case: what it does on which channel, and its waiter while the select waits. */
    private static final class Case<R> {
        static final int RECEIVE = 0;
        static final int RECEIVE_RESULT = 1;
        static final int SEND = 2;

        final int kind;
        final AbstractChannel<?> target;
        final Object value;
        final Function<Object, ? extends R> action;
        Waiter waiter;

        Case(int kind, AbstractChannel<?> target, Object value, Function<Object, ? extends R> action) {
            this.kind = kind;
            this.target = target;
            this.value = value;
            this.action = action;
        }

        /** Must be called with the target's lock held: a value, CLOSED, a marker for sent, or EMPTY. */
        Object attemptLocked(Waiter exclude, Wake wake) {
            if (kind == SEND) {
                return target.selectSendLocked(value, exclude, wake) ? Boolean.TRUE : AbstractChannel.EMPTY;
            }
            return target.selectReceiveLocked(exclude, wake);
        }

        /** Runs the action for a raw result (no lock held). */
        R complete(Object raw) {
            return switch (kind) {
                case SEND -> action.apply(null);
                case RECEIVE -> {
                    if (raw == AbstractChannel.CLOSED) {
                        throw new ChannelClosedException(target.closeCause());
                    }
                    yield action.apply(raw);
                }
                default -> action.apply(raw == AbstractChannel.CLOSED
                        ? Received.closed(target.closeCause()) : Received.of(raw));
            };
        }
    }
}
