package dev.hoare.channels.lincheck;

import dev.hoare.channels.Channel;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Model checking of the lock-free ring's two non-waiting operations alone, so that every
 * scenario is about them. A send that claimed a slot is briefly unpublished, and a receive that
 * claimed one briefly unfreed; neither may make a completed operation of another thread look
 * undone: a {@code tryReceive} must not report empty while a value whose {@code trySend} returned
 * is in the ring, nor a {@code trySend} full while a receive that made room has returned (both
 * were possible before the ring waited out such slots; found by ChannelWaitingLincheckTest under
 * load).
 */
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class RingLincheckTest {
    private static final boolean LONG = Boolean.getBoolean("lincheck.long");

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

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void modelChecking() {
        new ModelCheckingOptions().iterations(LONG ? 100 : 30).invocationsPerIteration(LONG ? 3_000 : 500)
                .threads(3).actorsPerThread(2).actorsBefore(1).actorsAfter(1).check(getClass());
    }

    /** Power-of-two capacity: the sequence numbers alone say full. */
    public static final class Buffered2 extends RingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(2);
        }
    }

    /** Capacity below the ring's slot count: senders also check the head. */
    public static final class Buffered3 extends RingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(3);
        }
    }
}
