package dev.hoare.channels.internal;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Select;

/**
 * The seam between {@link Select} and a channel end: what an end implements to be a select case.
 * {@link Select} knows nothing else about a channel (not its lock, its queues or its class). In the
 * spirit of Kotlin's and jox's select clauses, a case offers three steps: <em>try now</em>,
 * <em>register</em> a waiter, <em>unregister</em> it. An end that can be received from implements
 * {@link Receive}; one that can be sent to implements {@link Send}; an in-process channel
 * implements both, a remote send end only {@link Send} (it has no receive methods at all).
 *
 * <h2>How Select drives a case</h2>
 * <ol>
 *   <li><b>Try now</b> ({@link Receive#selectTryReceive}, {@link Send#selectTrySend}): the
 *       select has no waiter queued anywhere yet, so the end performs the operation if it can, as
 *       a non-blocking receive or send would, and reports whether it did. Cases are tried one
 *       after another, each end on its own; the first that performs wins and no other is tried.</li>
 *   <li><b>Register</b> ({@link Receive#selectRegisterReceive}, {@link Send#selectRegisterSend}): if none
 *       performed, the select queues one <em>case waiter</em> per case, one end at a time, all
 *       sharing one owner {@link Waiter} (see {@code Waiter}). From the moment it is queued, a
 *       peer may complete a case waiter with {@link Waiter#tryComplete}, which first claims the
 *       owner by CAS: the first claim decides the select, and a peer whose claim fails drops the
 *       waiter and serves the next one. Registering never performs the case; it reports whether
 *       the case is ready now (a value or a counterpart is there, or the channel is closed),
 *       disregarding the select's own waiters. A ready case makes the select claim its own owner
 *       (nobody else can complete it then), unregister everything and try again from step 1.</li>
 *   <li><b>Unregister</b> ({@link Receive#selectUnregisterReceive}, {@link Send#selectUnregisterSend}):
 *       once the select is decided (a peer completed a case, or the select claimed its owner on a
 *       timeout, an interrupt or a ready case), every case waiter is removed from its end. A case
 *       waiter already completed or dropped by a peer is left alone.</li>
 * </ol>
 *
 * <h2>Rules an end keeps</h2>
 * <ul>
 *   <li><b>Locks.</b> Each method takes only the end's own locks and releases them before it
 *       returns; it never calls into another end or into {@link Select}. So a select holds at
 *       most one end's lock at a time, there is no lock order between ends, and a codec or I/O
 *       that an end runs in these methods (a remote end encodes, or reads its link) runs under
 *       no other channel's lock. Waiters an end completes are unparked after it unlocks.</li>
 *   <li><b>No lost wake-up.</b> Registration is atomic with respect to the end's changes: either
 *       registering sees the case ready, or every later change that makes it ready
 *       finds the queued waiter and completes it ({@link Waiter#DONE}, {@link Waiter#CLOSED}, or
 *       {@link Waiter#RETRY}: look again). An end whose state changes under one lock gets this by
 *       queueing and looking in one critical section; a lock-free end (the ring of
 *       {@code RingChannel}) publishes the waiter (a volatile count) and then, after a full
 *       fence, looks, while its lock-free operations change the state, fence, and then read that
 *       count (Dekker: one of the two sees the other).</li>
 *   <li><b>Completing a case waiter.</b> A peer writes what the waiter carries out
 *       ({@link Waiter#item}, a value handed to a receive case) before {@code tryComplete}, whose
 *       volatile write of the state publishes it to the select's thread; it performs its side of
 *       the exchange only if {@code tryComplete} returned {@code true}. It never completes a
 *       waiter of the owner it acts for itself (a select's send and receive case on one channel
 *       never pair).</li>
 *   <li><b>RETRY handed on.</b> A select woken with {@link Waiter#RETRY} through an end that then
 *       leaves without trying again (timeout, interrupt) calls {@code selectPassOnRetry*}, so the
 *       wake-up reaches another waiter instead of being lost.</li>
 * </ul>
 * <p>Method names carry their direction, so that one class can be both ends of a channel.
 * The markers {@link #EMPTY} and {@link #CLOSED} are what a receive reports besides a value.
 * This interface is internal for now; it is written as the SPI a transport's end implements.
 */
public interface SelectEnd {
    /** A receive found nothing and the end is open. */
    Object EMPTY = new Object() {
        @Override
        public String toString() {
            return "EMPTY";
        }
    };
    /** A receive found the end closed and drained. */
    Object CLOSED = new Object() {
        @Override
        public String toString() {
            return "CLOSED";
        }
    };

    /**
     * A receive channel that is not itself a {@link Receive} but names the end a select waits on in
     * its place (a remote receive end: its select side).
     */
    interface Named {
        /** @return the end a receive case on this channel waits on */
        Receive selectEnd();
    }

    /** @return the cause the end was closed with, or {@code null}; meaningful once closed */
    Throwable closeCause();

    /** An end that can be a receive case. */
    interface Receive extends SelectEnd {
        /**
         * Try now: a non-blocking receive.
         *
         * @return a value, {@link #CLOSED} (closed and drained), or {@link #EMPTY}
         */
        Object selectTryReceive();

        /**
         * Register: queues {@code caseWaiter} (unless the case is ready, when it may skip that).
         * A peer completes it with DONE and the value in {@link Waiter#item}, with CLOSED when the
         * end is closed and drained, or with RETRY.
         *
         * @return whether the case is ready now, disregarding {@code caseWaiter.owner}'s own waiters
         */
        boolean selectRegisterReceive(Waiter caseWaiter);

        /** Unregister: removes {@code caseWaiter} if it is still queued. */
        void selectUnregisterReceive(Waiter caseWaiter);

        /** A select woken with RETRY through this end leaves without trying again: wake another waiter. */
        default void selectPassOnRetryReceive() {
        }
    }

    /** An end that can be a send case. */
    interface Send extends SelectEnd {
        /**
         * Try now: a non-blocking send of {@code value} (not null).
         *
         * @return whether the value is in the channel (handed over, buffered, or dropped by its policy)
         * @throws ChannelClosedException if the end is closed
         */
        boolean selectTrySend(Object value);

        /**
         * Register: queues {@code caseWaiter}, whose {@link Waiter#item} is the value to send
         * (the end may replace it by an encoded form, without holding its lock while encoding).
         * A peer completes it with DONE once the value is in the channel, with CLOSED when the end
         * is cancelled or lost, or with RETRY.
         *
         * @return whether the case is ready now (room, a waiting receiver other than the owner's,
         *     or closed), disregarding {@code caseWaiter.owner}'s own waiters
         */
        boolean selectRegisterSend(Waiter caseWaiter);

        /** Unregister: removes {@code caseWaiter} if it is still queued. */
        void selectUnregisterSend(Waiter caseWaiter);

        /** A select woken with RETRY through this end leaves without trying again: wake another waiter. */
        default void selectPassOnRetrySend() {
        }
    }
}
