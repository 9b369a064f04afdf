package dev.hoare.channels.lincheck;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Select;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ChannelLincheckTest}'s operations plus a select that sends or receives (with a default,
 * so it never waits), in Lincheck's stress mode: its model checker stops with an internal error
 * (a NullPointerException in its memory snapshot) on the select code, so selects are checked by
 * running, not by exploring interleavings (and by SelectTest's stress tests).
 */
@Param(name = "value", gen = IntGen.class, conf = "1:4")
public abstract class ChannelSelectLincheckTest extends ChannelLincheckTest {
    // select's actions
    private static final Function<Integer, Object> RECEIVED = new Function<>() {
        @Override
        public Object apply(Integer v) {
            return v;
        }
    };
    private static final Supplier<Object> EMPTY = constant("empty");
    private static final Supplier<Object> SENT = constant("sent");
    private static final Supplier<Object> FULL = constant("full");

    private static Supplier<Object> constant(String s) {
        return new Supplier<>() {
            @Override
            public Object get() {
                return s;
            }
        };
    }

    @Operation
    public Object selectReceive() throws InterruptedException {
        try {
            return Select.<Object>prioritySelect().onReceive(channel, RECEIVED).orElse(EMPTY).run();
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public Object selectSend(@Param(name = "value") int value) throws InterruptedException {
        try {
            return Select.<Object>prioritySelect().onSend(channel, value, SENT).orElse(FULL).run();
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    /** Model checking is {@link ChannelLincheckTest}'s (without selects). */
    @Override
    void modelChecking() {
    }

    /** Stress, with the selects. */
    @Override
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void stress() {
        super.stress();
    }

    public static final class Unbuffered extends ChannelSelectLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unbuffered();
        }
    }

    public static final class Buffered1 extends ChannelSelectLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(1);
        }
    }

    public static final class Buffered3 extends ChannelSelectLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(3);
        }
    }

    public static final class Unlimited extends ChannelSelectLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unlimited();
        }
    }

    public static final class Conflated extends ChannelSelectLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.conflated();
        }
    }
}
