package dev.hoare.channels;

import dev.hoare.channels.internal.LockBroadcastChannel;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A channel that delivers each value to every subscriber (fan-out): Kotlin's
 * {@code BroadcastChannel}, what Go programs write by hand as a loop over channels. It is a
 * {@link SendChannel}, so it goes wherever one is expected; each {@link #subscribe()} returns a
 * {@link ReceiveChannel} of its own.
 *
 * <pre>{@code
 * BroadcastChannel<String> news = BroadcastChannel.buffered(8);
 * ReceiveChannel<String> alice = news.subscribe();
 * ReceiveChannel<String> bob = news.subscribe();
 * news.send("hello");                      // both alice and bob receive "hello"
 * news.close();                            // each subscription drains, then reports closed
 * }</pre>
 *
 * <h2>Subscriptions</h2>
 * A subscription sees every value sent after {@link #subscribe()} returned, in the order the sends
 * took effect, and none sent before (except those the broadcast replays, see
 * {@link Builder#replay}). Values are shared, not copied: every subscriber receives the same object,
 * so send immutable values. A subscription is a normal in-process channel: it works with
 * {@code receive}, iteration, {@link Select} and the Reactor bridge. Sending with no subscribers
 * succeeds and the value goes nowhere (into the replay buffer, if there is one).
 *
 * <h2>Capacity and overflow</h2>
 * Each subscription has its own buffer, at least one value ({@link IllegalArgumentException}
 * otherwise), and one of the channel overflow policies: {@link Overflow#SUSPEND} makes a send wait
 * until every SUSPEND subscription has room (the slowest subscriber sets the pace);
 * {@link Overflow#DROP_OLDEST} and {@link Overflow#DROP_LATEST} never make a send wait and hand
 * the value they drop for that subscriber to the {@code onUndelivered} hook.
 *
 * <h2>All or nothing</h2>
 * A send delivers its value to every subscription present when it takes effect, or to none: it
 * takes effect only when each SUSPEND subscription has room. So {@link #trySend} succeeds only if
 * every SUSPEND subscriber has room now (otherwise nobody gets the value), and a
 * {@link #send(Object, java.time.Duration) timed send} that runs out of time, or a send that is
 * interrupted, has delivered to nobody. Senders waiting at once are not served in arrival order.
 *
 * <h2>Close versus unsubscribe</h2>
 * {@link #close(Throwable)} is a token after everything already sent (senders waiting at the close
 * included, which still deliver): each subscription receives those values, then reports closed with
 * the cause. A subscription made after the close is closed at once (after its replayed values).
 * A subscriber leaves with {@link ReceiveChannel#cancel()} (its buffered values go to the hook) or
 * {@link ReceiveChannel#close()} (it may still drain what it has); either detaches it at once
 * without disturbing the others, and a sender waiting for room in it is released.
 *
 * <h2>Undelivered values</h2>
 * The hook set with {@link Builder#onUndelivered} runs once per subscription that accepted a value
 * and will not deliver it (a drop, or a cancelled subscription's buffer), on the thread that dropped
 * or cancelled, with no lock held; see {@link Channel}.
 *
 * <h2>Threading</h2>
 * Every operation is safe from any number of threads, platform or virtual; waiting parks the thread
 * with no lock held. A broadcast is not a {@link Select} send case; its subscriptions are receive
 * cases.
 *
 * @param <E> the value type
 */
public interface BroadcastChannel<E> extends SendChannel<E> {

    /**
     * Subscribes with the broadcast's capacity and overflow policy.
     *
     * @return a channel of every value sent from now on (and the replayed ones)
     */
    ReceiveChannel<E> subscribe();

    /**
     * Subscribes with a buffer and overflow policy of its own.
     *
     * @param capacity the subscription's buffer, at least 1 (or {@link Channel#UNLIMITED})
     * @param overflow what a send does when this subscription's buffer is full
     * @return a channel of every value sent from now on (and the replayed ones)
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    ReceiveChannel<E> subscribe(int capacity, Overflow overflow);

    /** @return how many subscriptions are attached now (a snapshot) */
    int subscriberCount();

    /**
     * A broadcast whose subscriptions buffer up to {@code capacity} values each; senders wait for the
     * slowest.
     *
     * @param capacity each subscription's buffer, at least 1
     * @param <E> the value type
     * @return the broadcast
     * @throws IllegalArgumentException if {@code capacity < 1}
     */
    static <E> BroadcastChannel<E> buffered(int capacity) {
        return BroadcastChannel.<E>builder().capacity(capacity).build();
    }

    /**
     * A builder with every option.
     *
     * @param <E> the value type
     * @return a builder: capacity 1, {@link Overflow#SUSPEND}, no hook, no replay
     */
    static <E> Builder<E> builder() {
        return new Builder<>();
    }

    /**
     * Builds a broadcast. Defaults: capacity 1, {@link Overflow#SUSPEND}, no hook, no replay.
     *
     * @param <E> the value type
     */
    final class Builder<E> {
        private int capacity = 1;
        private Overflow overflow = Overflow.SUSPEND;
        private Consumer<? super E> onUndelivered;
        private int replay;

        private Builder() {
        }

        /**
         * @param capacity each subscription's buffer: at least 1, or {@link Channel#UNLIMITED}
         * @return this builder
         * @throws IllegalArgumentException if {@code capacity < 1}
         */
        public Builder<E> capacity(int capacity) {
            this.capacity = LockBroadcastChannel.checkCapacity(capacity);
            return this;
        }

        /**
         * @param overflow what a send does when a subscription's buffer is full
         * @return this builder
         */
        public Builder<E> overflow(Overflow overflow) {
            this.overflow = Objects.requireNonNull(overflow, "overflow");
            return this;
        }

        /**
         * @param hook receives each value a subscription accepted but will not deliver
         * @return this builder
         */
        public Builder<E> onUndelivered(Consumer<? super E> hook) {
            this.onUndelivered = Objects.requireNonNull(hook, "hook");
            return this;
        }

        /**
         * Keeps the last {@code n} values sent and puts them into each new subscription before
         * anything newer (Kotlin's {@code SharedFlow} replay); a subscription gets at most its
         * capacity of them, the newest.
         *
         * @param n how many values to keep, 0 (the default) for none
         * @return this builder
         * @throws IllegalArgumentException if {@code n < 0}
         */
        public Builder<E> replay(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("replay must be >= 0, was " + n);
            }
            this.replay = n;
            return this;
        }

        /** @return a new broadcast with no subscribers */
        public BroadcastChannel<E> build() {
            return new LockBroadcastChannel<>(capacity, overflow, onUndelivered, replay);
        }
    }
}
