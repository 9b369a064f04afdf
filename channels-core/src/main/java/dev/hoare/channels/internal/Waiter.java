package dev.hoare.channels.internal;

import dev.hoare.channels.Select;
import java.util.concurrent.locks.LockSupport;

/**
 * One thread waiting in one channel operation: a blocked send (carrying its value) or a blocked
 * receive (to be handed a value). Lives in a {@link WaitQueue} of exactly one channel.
 *
 * <p>Protocol: the waiter is enqueued under the channel lock in state {@link #WAITING}. Exactly one
 * party moves it out of {@code WAITING}, always under that same lock: a peer operation completing
 * it ({@link #DONE}: the value was taken, or {@link #item} now holds the received value), a close
 * or cancel ({@link #CLOSED}), or the waiter itself giving up on interrupt or timeout
 * ({@link #ABANDONED}, after unlinking itself). The waking party writes {@code item} before the
 * volatile write of {@code state}, and unparks the thread only after releasing the lock (a woken
 * thread never runs into a lock its waker still holds).
 *
 * <p>Select: a {@link Select} waits on several channels at once with one <em>case waiter</em> per
 * case, queued in that case's channel, all sharing one {@link #owner}: a waiter that only parks
 * and holds the outcome. A peer completes a case waiter with {@link #tryComplete}, which first
 * claims the owner ({@link #winner} from {@code null} to the case waiter, by CAS); a claim that
 * fails means another case (or the select itself, giving up) won, and the peer drops the waiter
 * and tries the next one in the queue. Case waiters are queued one channel at a time, so a peer
 * may complete one while the select is still queueing the others: the select stops queueing, and
 * removes what it queued (see {@link Select}'s invariants). For a single operation the waiter is its own owner and
 * completion needs no CAS: the channel lock already makes the completer unique.
 */
public final class Waiter {
    public static final int WAITING = 0;
    public static final int DONE = 1;
    public static final int CLOSED = 2;
    public static final int ABANDONED = 3;
    /** Woken to try again (lock-free channels): the waiter is no longer queued and nothing was done for it. */
    public static final int RETRY = 4;

    /**
     * How long a waiter stays on its CPU before parking. A park/unpark pair of platform threads
     * costs a futex round trip and a reschedule on both sides (measured at 5-10 µs on a virtualised
     * 2-core machine), while a peer on another core usually completes a waiter within a few
     * microseconds. So a platform thread first spins ({@link Thread#onSpinWait()}), then yields
     * (letting other runnable threads use the core), and parks only when that time has passed.
     * With a single core, spinning only delays the peer, so it is skipped.
     *
     * <p>A virtual thread spins only briefly, and only while such spins have been paying off
     * ({@link VirtualSpin}), then parks (issue 26). Parking only unmounts it (a few hundred ns, no
     * system call), and its peer is often a virtual thread queued on the same carrier, which cannot
     * run until this one lets go of it: on a busy machine a spin only delays the peer. The 256
     * spins of a platform thread cost some 10 µs here ({@code PAUSE} is ~40 ns on this AMD EPYC
     * VM), and made buffered(16) streaming on loaded virtual threads 15x slower (1,990 against 131
     * ns per message, docs/benchmarks.md). But on an idle machine a rendezvous whose partner
     * answers within a microsecond pays a park and an unpark per message if it never spins (an
     * unbuffered ping-pong: 470-1,350 ns, where jox and {@code SynchronousQueue}, which spin,
     * took 340 and 100). So a virtual thread spins {@link #VSPINS} times (~2.5 µs) while recent
     * spins found their peer, and otherwise only on one wait in 64, to notice when they would
     * again: ping-pong 147-171 ns on the idle machine and 544-700 (against 1,400-2,000 without) with
     * both cores busy with other processes.
     */
    private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;
    private static final int SPINS = MULTICORE ? 256 : 0;
    private static final long YIELD_NANOS = MULTICORE ? 50_000 : 0;
    /** Spins of a virtual thread before it parks, while recent spins found their peer ({@link VirtualSpin}). */
    static final int VSPINS = MULTICORE ? 64 : 0;

    /**
     * Whether virtual threads' spins have been finding their peer lately, for the whole process:
     * what decides it is whether carriers are idle, a machine-wide fact. A spin that ended because
     * the waiter was completed adds 2 to the score (at most 16), one that ran out takes 1 away; with
     * a score of 0, one wait in 64 still spins, to learn when spinning pays again. The fields are
     * plain and racy on purpose: a lost update only shifts the estimate, and no correctness rests on
     * it (a waiter that does not spin parks, as it would anyway).
     */
    static final class VirtualSpin {
        private static int score;
        private static int probe;

        static int budget() {
            if (score > 0 || (++probe & 63) == 0) {
                return VSPINS;
            }
            return 0;
        }

        static void hit() {
            score = Math.min(16, score + 2);
        }

        static void miss() {
            score = Math.max(0, score - 1);
        }
    }

    private static final java.lang.invoke.VarHandle WINNER;

    static {
        try {
            WINNER = java.lang.invoke.MethodHandles.lookup().findVarHandle(Waiter.class, "winner", Waiter.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Thread thread = Thread.currentThread();
    /** The waiter that parks and holds the outcome: {@code this}, or a select's shared owner. */
    final Waiter owner;
    /** Owners only: the case waiter that won the select (or the owner itself when the select gave up). */
    public volatile Waiter winner;
    /** Whether the waiter is in a {@link WaitQueue}; guarded by the channel lock. */
    boolean queued;
    /** A sender's value, or the value handed to a receiver. Guarded by the channel lock until state leaves WAITING. */
    public Object item;
    /** WAITING, then one of DONE, CLOSED, ABANDONED. Written under the channel lock, read without it. */
    public volatile int state;
    /**
     * Set by the waiting thread just before it parks, so a waker can skip the unpark (a system call
     * for a parked thread) while the waiter is still spinning. Dekker-style: the waiter writes
     * {@code parked} then reads {@code state}; the waker writes {@code state} then reads
     * {@code parked}; both volatile, so at least one of them sees the other's write and no wake-up
     * is lost.
     */
    private volatile boolean parked;
    /**
     * Parks without the yield phase: set by waits that an I/O thread ends (a remote send waiting
     * for room), which take far longer than the phase and would only take CPU from that thread.
     */
    public boolean parkSoon;
    /** Links of the intrusive {@link WaitQueue}; guarded by the channel lock. */
    Waiter prev;
    Waiter next;

    public Waiter(Object item) {
        this.item = item;
        this.owner = this;
    }

    /** A select's case waiter, completed on behalf of {@code owner}. */
    public Waiter(Waiter owner, Object item) {
        this.item = item;
        this.owner = owner;
    }

    /** @return whether this waiter belongs to a select */
    boolean isCase() {
        return owner != this;
    }

    /**
     * Completes this queued waiter with {@code newState} (DONE, CLOSED or RETRY), if it still can be.
     * Must be called with the lock of the channel whose queue holds it. For a case waiter, whatever
     * it must carry ({@link #item}) is written before this call, so that the owner's thread sees
     * it once it sees the state.
     *
     * @return {@code false} if this is a case waiter whose select is already decided
     */
    public boolean tryComplete(int newState) {
        if (owner == this) {
            state = newState;
            return true;
        }
        if (!WINNER.compareAndSet(owner, (Waiter) null, this)) {
            return false;
        }
        state = newState;
        owner.state = newState;
        return true;
    }

    /**
     * The state once a completer has written it: called by a select's thread on the {@link #winner}
     * it read, whose completer may be between its CAS and its write of the state (a few
     * instructions; it waits for nothing in between).
     */
    public int settledState() {
        int s;
        while ((s = state) == WAITING) {
            Thread.onSpinWait();
        }
        return s;
    }

    /**
     * The select's own thread claims its owner for itself: it gives up (timeout, interrupt), or a
     * case was ready at its registration and it looks again (see {@link Select}).
     *
     * @return {@code true} if no case had won; {@code false} if one had (see {@link #winner})
     */
    public boolean claimForSelf() {
        return WINNER.compareAndSet(this, (Waiter) null, this);
    }

    /**
     * Waits until the state leaves {@link #WAITING}, the deadline passes, or the thread is
     * interrupted. Must be called without the channel lock, by the waiting thread itself.
     *
     * @param deadline {@link System#nanoTime()} deadline; ignored unless {@code timed}
     * @return {@code true} if the state left WAITING; {@code false} on timeout or interrupt
     *     (the interrupt status is then left set, for the caller to examine)
     */
    public boolean await(boolean timed, long deadline) {
        boolean virtual = thread.isVirtual();
        for (int i = virtual ? SPINS : 0; i < SPINS; i++) {
            if (state != WAITING) {
                return true;
            }
            Thread.onSpinWait();
        }
        if (virtual && VSPINS > 0) {
            int budget = VirtualSpin.budget();
            for (int i = 0; i < budget; i++) {
                if (state != WAITING) {
                    VirtualSpin.hit();
                    return true;
                }
                Thread.onSpinWait();
            }
            if (budget > 0) {
                VirtualSpin.miss();
            }
        }
        // A virtual thread parks cheaply (it unmounts; no system call), so it neither spins nor yields.
        long yieldUntil = System.nanoTime() + (virtual || parkSoon ? 0 : YIELD_NANOS);
        while (state == WAITING) {
            if (thread.isInterrupted()) {
                return false;
            }
            long now = System.nanoTime();
            if (now - yieldUntil >= 0 || (timed && now - deadline >= 0)) {
                break;
            }
            Thread.yield();
        }
        parked = true;
        while (state == WAITING) {
            if (thread.isInterrupted()) {
                return false;
            }
            if (timed) {
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                LockSupport.parkNanos(this, remaining);
            } else {
                LockSupport.park(this);
            }
        }
        return true;
    }

    /** Wakes the waiting thread. Call after the state changed and after releasing the channel lock. */
    public void unpark() {
        Waiter o = owner;
        if (o.parked) {
            LockSupport.unpark(o.thread);
        }
    }

    /** Unparks a chain of completed waiters linked through {@code next}. Must be called without the lock. */
    public static void unparkAll(Waiter chain) {
        for (Waiter w = chain; w != null; ) {
            Waiter next = w.next;
            w.next = null;
            w.prev = null;
            w.unpark();
            w = next;
        }
    }
}
