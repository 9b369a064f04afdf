package dev.hoare.channels.lincheck;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Overflow;
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
 * Lincheck (model checking and stress) of {@link Channel}'s operations that never wait, for every
 * kind of channel, against the sequential specification Lincheck derives from running the same
 * operations one after another: every concurrent history must be explainable by some order of
 * them. Operations: trySend, tryReceive, close, cancel, and the state queries; the same with
 * select-based sends and receives in {@link ChannelSelectLincheckTest}, and send and receive that
 * wait (with a timeout) in {@link ChannelWaitingLincheckTest}. (Send and receive without a timeout
 * wait forever in histories where no peer comes, which Lincheck can only model for Kotlin's
 * suspending calls; they are covered by the stress and select tests of this module.)
 *
 * <p>CI runs a bounded quick mode; {@code -Dlincheck.long=true} runs the long one
 * (docs/reliability.md).
 */
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class ChannelLincheckTest {
    private static final boolean LONG = Boolean.getBoolean("lincheck.long");

    final Channel<Integer> channel = create();

    /** @return a new channel of the kind under test */
    abstract Channel<Integer> create();

    @Operation
    public Object trySend(@Param(name = "value") int value) {
        try {
            return channel.trySend(value);
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public Object tryReceive() {
        try {
            Optional<Integer> v = channel.tryReceive();
            return v.isPresent() ? v.get() : "empty";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public void close() {
        channel.close();
    }

    @Operation
    public void cancel() {
        channel.cancel();
    }

    @Operation
    public boolean isClosedForSend() {
        return channel.isClosedForSend();
    }

    @Operation
    public boolean isClosedForReceive() {
        return channel.isClosedForReceive();
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

    /** Rendezvous: a value passes only to a waiting receiver (none waits here: every trySend fails, every tryReceive is empty). */
    public static final class Unbuffered extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unbuffered();
        }
    }

    public static final class Buffered1 extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(1);
        }
    }

    public static final class Buffered2 extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(2);
        }
    }

    /** The lock-free ring with a capacity that is not a power of two. */
    public static final class Buffered3 extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(3);
        }
    }

    public static final class Unlimited extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unlimited();
        }
    }

    public static final class Conflated extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.conflated();
        }
    }

    public static final class DropOldest2 extends ChannelLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(2, Overflow.DROP_OLDEST);
        }
    }
}
