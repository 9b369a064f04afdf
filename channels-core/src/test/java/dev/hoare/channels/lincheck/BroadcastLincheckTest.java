package dev.hoare.channels.lincheck;

import dev.hoare.channels.BroadcastChannel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.ReceiveChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck of a broadcast with two subscriptions, {@code a} and {@code b}, made before the run:
 * the all-or-nothing commit (a {@code trySend} either reaches both or neither, and no receive of
 * one subscription sees a value the other does not yet have), a subscription leaving
 * ({@code b.cancel()}) while values are sent and received, and the broadcast's close. The
 * sequential specification is the same object run by one thread. Model checking and stress, for
 * the non-waiting operations; {@link Waiting} adds timed sends and receives (stress only: the model
 * checker does not model timed parking), without the broadcast's close (a sender waiting at the
 * close still delivers, which a sequential send refuses; see {@code ChannelWaitingLincheckTest}).
 */
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class BroadcastLincheckTest {
    private static final boolean LONG = Boolean.getBoolean("lincheck.long");

    final BroadcastChannel<Integer> broadcast = BroadcastChannel.buffered(1);
    final ReceiveChannel<Integer> a = broadcast.subscribe();
    final ReceiveChannel<Integer> b = createB(broadcast);

    /** @return the second subscription, of the kind under test */
    abstract ReceiveChannel<Integer> createB(BroadcastChannel<Integer> broadcast);

    @Operation
    public Object trySend(@Param(name = "value") int value) {
        try {
            return broadcast.trySend(value);
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public Object tryReceiveA() {
        return tryReceive(a);
    }

    @Operation
    public Object tryReceiveB() {
        return tryReceive(b);
    }

    @Operation
    public void cancelB() {
        b.cancel();
    }

    static Object tryReceive(ReceiveChannel<Integer> s) {
        try {
            Optional<Integer> v = s.tryReceive();
            return v.isPresent() ? v.get() : "empty";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    /** The non-waiting operations and the close: model checking and stress. */
    public abstract static class NonWaiting extends BroadcastLincheckTest {
        @Operation
        public boolean close() {
            return broadcast.close(null);
        }

        @Test
        @Timeout(value = 600, unit = TimeUnit.SECONDS)
        void modelChecking() {
            new ModelCheckingOptions().iterations(LONG ? 200 : 10).invocationsPerIteration(LONG ? 10_000 : 300)
                    .threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1).check(getClass());
        }

        @Test
        @Timeout(value = 600, unit = TimeUnit.SECONDS)
        void stress() {
            new StressOptions().iterations(LONG ? 200 : 10).invocationsPerIteration(LONG ? 10_000 : 500)
                    .threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1).check(getClass());
        }
    }

    /** Subscription {@code b} buffers two values, so {@code a} (one) is the slowest. */
    public static final class SuspendBoth extends NonWaiting {
        @Override
        ReceiveChannel<Integer> createB(BroadcastChannel<Integer> broadcast) {
            return broadcast.subscribe(2, Overflow.SUSPEND);
        }
    }

    /** Subscription {@code b} never holds a send back; it loses its oldest value instead. */
    public static final class DropOldestB extends NonWaiting {
        @Override
        ReceiveChannel<Integer> createB(BroadcastChannel<Integer> broadcast) {
            return broadcast.subscribe(1, Overflow.DROP_OLDEST);
        }
    }

    /** Sends and receives that wait up to a millisecond, beside the others and b's cancel: stress. */
    public static final class Waiting extends BroadcastLincheckTest {
        private static final Duration WAIT = Duration.ofMillis(1);

        @Override
        ReceiveChannel<Integer> createB(BroadcastChannel<Integer> broadcast) {
            return broadcast.subscribe(2, Overflow.SUSPEND);
        }

        @Operation(blocking = true)
        public boolean send(@Param(name = "value") int value) throws InterruptedException {
            return broadcast.send(value, WAIT);
        }

        @Operation(blocking = true)
        public Object receiveA() throws InterruptedException {
            return receive(a);
        }

        @Operation(blocking = true)
        public Object receiveB() throws InterruptedException {
            return receive(b);
        }

        private static Object receive(ReceiveChannel<Integer> s) throws InterruptedException {
            try {
                Optional<Integer> v = s.receive(WAIT);
                return v.isPresent() ? v.get() : "empty";
            } catch (ChannelClosedException e) {
                return "closed";
            }
        }

        @Test
        @Timeout(value = 600, unit = TimeUnit.SECONDS)
        void stress() {
            new StressOptions().iterations(LONG ? 200 : 10).invocationsPerIteration(LONG ? 10_000 : 300)
                    .threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1).check(getClass());
        }
    }
}
