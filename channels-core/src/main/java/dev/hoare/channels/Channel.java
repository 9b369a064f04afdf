package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import dev.hoare.channels.internal.LockChannel;
import dev.hoare.channels.internal.RingChannel;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A Go-style channel: a typed conduit between threads, both a {@link SendChannel} and a
 * {@link ReceiveChannel}. The contract of each operation is on those two interfaces; this page
 * describes the kinds of channel.
 *
 * <pre>{@code
 * Channel<String> ch = Channel.buffered(16);
 * Thread.startVirtualThread(() -> { try { for (String w : List.of("a", "b", "c")) ch.send(w); } catch (InterruptedException e) { } ch.close(); });
 * for (String s : ch) System.out.println(s);       // a, b, c — then the loop ends
 * }</pre>
 *
 * <h2>Capacity</h2>
 * <ul>
 *   <li>{@link #unbuffered()} (capacity 0): a rendezvous; a send completes only when a receiver
 *       takes the value, and {@code trySend} succeeds only if a receiver is already waiting.</li>
 *   <li>{@link #buffered(int)}: up to {@code n} values wait in the channel; the next send waits.</li>
 *   <li>{@link #unlimited()}: sends never wait (memory is the limit); {@link #capacity()} is
 *       {@link #UNLIMITED}.</li>
 *   <li>{@link #conflated()}: one slot that keeps only the latest value (capacity 1,
 *       {@link Overflow#DROP_OLDEST}).</li>
 * </ul>
 * A negative capacity is rejected with {@link IllegalArgumentException}.
 *
 * <h2>Overflow</h2>
 * A full buffered channel either makes the sender wait ({@link Overflow#SUSPEND}, the default) or
 * drops a value ({@link Overflow#DROP_OLDEST}, {@link Overflow#DROP_LATEST}); a drop never fails
 * the send, and the dropped value goes to the {@code onUndelivered} hook.
 *
 * <h2>Close versus cancel</h2>
 * {@link #close()} is a token after everything already sent: receivers get every value sent before
 * it (senders blocked at the close included), in order, then closed. {@link #isClosedForSend()}
 * flips at the close; {@link #isClosedForReceive()} flips when the last of those values is taken.
 * {@link #cancel()} also closes, but discards buffered values and fails blocked senders, so both
 * flags flip at once.
 *
 * <h2>Undelivered values</h2>
 * The hook set with {@link Builder#onUndelivered} receives, once each, every value the channel
 * accepted but will never deliver: values dropped by an overflow policy and values discarded by
 * {@code cancel}. It runs on the thread that dropped or cancelled, with no channel lock held; an
 * exception it throws propagates to that caller after the operation has fully taken effect. A send
 * that throws never accepted its value (the caller still holds it), so the hook does not see it.
 *
 * <h2>Threading</h2>
 * Every operation is safe from any number of threads, platform or virtual. Waiting parks the thread
 * ({@code LockSupport}); no operation holds a monitor, so virtual threads never pin.
 *
 * @param <E> the value type
 */
public interface Channel<E> extends SendChannel<E>, ReceiveChannel<E> {

    /** The {@link #capacity()} of an {@link #unlimited()} channel. */
    int UNLIMITED = Integer.MAX_VALUE;

    /**
     * Closes the channel (idempotent): {@link SendChannel#close()}. One method serves both ends.
     */
    @Override
    void close();

    /** @return how many values wait in the buffer now (a snapshot; senders blocked on a full buffer are not counted) */
    int size();

    /** @return the buffer capacity: 0 unbuffered, {@code n} buffered, 1 conflated, {@link #UNLIMITED} */
    int capacity();

    /** @return the overflow policy */
    Overflow overflow();

    /** @return a view of this channel that can only send (it cannot be cast back to receive) */
    SendChannel<E> sendOnly();

    /** @return a view of this channel that can only receive (it cannot be cast back to send) */
    ReceiveChannel<E> receiveOnly();

    /**
     * An unbuffered (rendezvous) channel.
     *
     * @param <E> the value type
     * @return the channel
     */
    static <E> Channel<E> unbuffered() {
        return Channel.<E>builder().build();
    }

    /**
     * A channel that buffers up to {@code capacity} values; senders wait when it is full.
     *
     * @param capacity the buffer size, 0 (unbuffered) or more
     * @param <E> the value type
     * @return the channel
     * @throws IllegalArgumentException if {@code capacity < 0}
     */
    static <E> Channel<E> buffered(int capacity) {
        return Channel.<E>builder().capacity(capacity).build();
    }

    /**
     * A buffered channel with an overflow policy.
     *
     * @param capacity the buffer size; at least 1 for a drop policy
     * @param overflow what a send does when the buffer is full
     * @param <E> the value type
     * @return the channel
     * @throws IllegalArgumentException if {@code capacity < 0}, or {@code capacity == 0} with a drop policy
     */
    static <E> Channel<E> buffered(int capacity, Overflow overflow) {
        return Channel.<E>builder().capacity(capacity).overflow(overflow).build();
    }

    /**
     * A channel whose sends never wait.
     *
     * @param <E> the value type
     * @return the channel
     */
    static <E> Channel<E> unlimited() {
        return Channel.<E>builder().capacity(UNLIMITED).build();
    }

    /**
     * A channel that keeps only the most recent value: capacity 1, {@link Overflow#DROP_OLDEST}.
     *
     * @param <E> the value type
     * @return the channel
     */
    static <E> Channel<E> conflated() {
        return Channel.<E>builder().capacity(1).overflow(Overflow.DROP_OLDEST).build();
    }

    /**
     * A builder for every kind of channel, including one with an {@code onUndelivered} hook.
     *
     * @param <E> the value type
     * @return a builder for an unbuffered channel with {@link Overflow#SUSPEND}
     */
    static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /**
     * Builds a channel. Defaults: capacity 0, {@link Overflow#SUSPEND}, no hook.
     *
     * @param <E> the value type
     */
    final class Builder<E> {
        private int capacity;
        private Overflow overflow = Overflow.SUSPEND;
        private Consumer<? super E> onUndelivered;
        private String name = "";

        private Builder() {
        }

        /**
         * Names the channel. A named channel shows its name in {@code toString()} (so in JFR
         * events) and in {@link ChannelStats#name()}, and is published in this process's counters
         * file when the process publishes one ({@link Counters}); an unnamed one is not published.
         * Names need not be unique.
         *
         * @param name 1-100 characters of {@code [A-Za-z0-9._-]}, starting with a letter or digit,
         *     without {@code ..} (the rule of {@code fifo:} and {@code shm:} names)
         * @return this builder
         * @throws IllegalArgumentException if the name breaks that rule
         */
        public Builder<E> name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.contains("..") || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,99}")) {
                String shown = name.length() > 40 ? name.substring(0, 40) + "..." : name;
                throw new IllegalArgumentException("invalid channel name '" + shown.replace("\0", "\\0") + "': use 1-100 of"
                        + " [A-Za-z0-9._-], starting with a letter or digit, without '..'");
            }
            this.name = name;
            return this;
        }

        /**
         * @param capacity 0 (unbuffered), {@code n}, or {@link #UNLIMITED}
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity < 0}
         */
        public Builder<E> capacity(int capacity) {
            if (capacity < 0) {
                throw new IllegalArgumentException("capacity must be >= 0 (0 = unbuffered), was " + capacity);
            }
            this.capacity = capacity;
            return this;
        }

        /**
         * @param overflow the overflow policy
         * @return this builder
         */
        public Builder<E> overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * @param hook receives each value the channel accepted but will not deliver (see {@link Channel})
         * @return this builder
         */
        public Builder<E> onUndelivered(Consumer<? super E> hook) {
            this.onUndelivered = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * @return a new channel
         * @throws IllegalArgumentException if a drop policy is combined with capacity 0
         */
        public Channel<E> build() {
            if (overflow != Overflow.SUSPEND && capacity == 0) {
                throw new IllegalArgumentException(
                        "overflow " + overflow + " needs a buffer: use capacity >= 1 (or conflated())");
            }
            AbstractChannel<E> channel = overflow == Overflow.SUSPEND && capacity >= 1 && capacity <= RingChannel.MAX_CAPACITY
                    ? new RingChannel<>(capacity, onUndelivered)
                    : new LockChannel<>(capacity, overflow, onUndelivered);
            return name.isEmpty() ? channel : channel.name(name);
        }
    }
}
