package dev.hoare.channels.lincheck;

import dev.hoare.channels.SendChannel;
import dev.hoare.channels.Channel;
import dev.hoare.channels.Overflow;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck (stress) of the operations that wait — {@code send} and {@code receive}, with a
 * timeout of one millisecond so that a history with no peer ends — beside the non-waiting ones,
 * for the buffered kinds. A waiting operation is checked as one that takes effect at some moment
 * of its call: a send that waited for room is ordered after the receive that made it; a receive
 * that waited, after the send it got; one that timed out, at a moment when nothing was there. This
 * covers what {@link ChannelLincheckTest} cannot reach: waiters queued, completed by a peer,
 * handed a value, giving up at their timeout while a peer completes them.
 *
 * <p>Not here: the unbuffered channel (a rendezvous completes two waiting calls together, which
 * no sequential order of calls that each return on their own explains: Lincheck models that only
 * for Kotlin's suspending calls), and close/cancel (a sender waiting when the channel closes still
 * delivers its value — decided semantics, see {@code SendChannel#close} — so it takes effect
 * after the close, which a sequential send refuses). Those are covered by the stress, select and
 * close tests of this module. Stress only: the model checker does not model timed parking.
 */
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class ChannelWaitingLincheckTest {
    private static final boolean LONG = Boolean.getBoolean("lincheck.long");
    private static final Duration WAIT = Duration.ofMillis(1);

    final Channel<Integer> channel = create();

    /** @return a new channel of the kind under test */
    abstract Channel<Integer> create();

    @Operation
    public boolean trySend(@Param(name = "value") int value) {
        return channel.trySend(value);
    }

    @Operation
    public Object tryReceive() {
        Optional<Integer> v = channel.tryReceive();
        return v.isPresent() ? v.get() : "empty";
    }

    @Operation(blocking = true)
    public boolean send(@Param(name = "value") int value) throws InterruptedException {
        return channel.send(value, WAIT);
    }

    @Operation(blocking = true)
    public Object receive() throws InterruptedException {
        Optional<Integer> v = channel.receive(WAIT);
        return v.isPresent() ? v.get() : "empty";
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void stress() {
        new StressOptions().iterations(LONG ? 200 : 10).invocationsPerIteration(LONG ? 10_000 : 300)
                .threads(3).actorsPerThread(2).actorsBefore(2).actorsAfter(1).check(getClass());
    }

    public static final class Buffered1 extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(1);
        }
    }

    public static final class Buffered2 extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(2);
        }
    }

    /** The lock-free ring with a capacity that is not a power of two. */
    public static final class Buffered3 extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(3);
        }
    }

    public static final class Unlimited extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unlimited();
        }
    }

    public static final class Conflated extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.conflated();
        }
    }

    public static final class DropOldest2 extends ChannelWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(2, Overflow.DROP_OLDEST);
        }
    }
}
