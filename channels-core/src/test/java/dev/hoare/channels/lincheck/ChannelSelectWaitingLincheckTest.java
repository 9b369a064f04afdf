package dev.hoare.channels.lincheck;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Select;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ChannelWaitingLincheckTest}'s operations plus selects that wait (timeout one
 * millisecond), so that Lincheck reaches select's slow path: no case ready, case waiters
 * registered one channel at a time, completed by a peer, or found ready at registration (the
 * select then looks again), and removed again. Each select has two cases on the same channel, so
 * its registration also passes a channel that already holds one of its own waiters. Its
 * sequential meaning is that of {@code receive(1 ms)} or {@code send(v, 1 ms)}. Stress only, as
 * for the class it extends.
 */
public abstract class ChannelSelectWaitingLincheckTest extends ChannelWaitingLincheckTest {
    private static final Duration WAIT = Duration.ofMillis(1);
    private static final Function<Integer, Object> RECEIVED = new Function<>() {
        @Override
        public Object apply(Integer v) {
            return v;
        }
    };
    private static final Supplier<Object> EMPTY = constant("empty");
    private static final Supplier<Boolean> SENT = constant(true);
    private static final Supplier<Boolean> TIMED_OUT = constant(false);

    private static <T> Supplier<T> constant(T t) {
        return new Supplier<>() {
            @Override
            public T get() {
                return t;
            }
        };
    }

    @Operation(blocking = true)
    public Object selectReceive() throws InterruptedException {
        return Select.select().onReceive(channel, RECEIVED).onReceive(channel, RECEIVED).onTimeout(WAIT, EMPTY).run();
    }

    @Operation(blocking = true)
    public boolean selectSend(@Param(name = "value") int value) throws InterruptedException {
        return Select.<Boolean>select().onSend(channel, value, SENT).onSend(channel, value, SENT).onTimeout(WAIT, TIMED_OUT).run();
    }

    @Override
    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void stress() {
        super.stress();
    }

    public static final class Buffered1 extends ChannelSelectWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(1);
        }
    }

    /** The lock-free ring with a capacity that is not a power of two. */
    public static final class Buffered3 extends ChannelSelectWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.buffered(3);
        }
    }

    public static final class Unlimited extends ChannelSelectWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.unlimited();
        }
    }

    /** The lock channel with a drop policy: a send case is always ready, a receive case waits. */
    public static final class Conflated extends ChannelSelectWaitingLincheckTest {
        @Override
        Channel<Integer> create() {
            return Channel.conflated();
        }
    }
}
