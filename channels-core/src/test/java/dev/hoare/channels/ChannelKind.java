package dev.hoare.channels;

import java.util.Arrays;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Every kind of channel, for parameterized tests (as kotlinx's TestChannelKind). */
enum ChannelKind {
    UNBUFFERED(0, Overflow.SUSPEND),
    BUFFERED_1(1, Overflow.SUSPEND),
    BUFFERED_5(5, Overflow.SUSPEND),
    BUFFERED_16(16, Overflow.SUSPEND),
    UNLIMITED(Channel.UNLIMITED, Overflow.SUSPEND),
    CONFLATED(1, Overflow.DROP_OLDEST),
    DROP_OLDEST_8(8, Overflow.DROP_OLDEST),
    DROP_LATEST_8(8, Overflow.DROP_LATEST);

    final int capacity;
    final Overflow overflow;

    ChannelKind(int capacity, Overflow overflow) {
        this.capacity = capacity;
        this.overflow = overflow;
    }

    <E> Channel<E> create() {
        return this == CONFLATED ? Channel.conflated()
                : this == UNLIMITED ? Channel.unlimited()
                : this == UNBUFFERED ? Channel.unbuffered()
                : Channel.buffered(capacity, overflow);
    }

    <E> Channel<E> create(Consumer<? super E> onUndelivered) {
        return Channel.<E>builder().capacity(capacity).overflow(overflow).onUndelivered(onUndelivered).build();
    }

    /** Drops values when full instead of making the sender wait. */
    boolean isLossy() {
        return overflow != Overflow.SUSPEND;
    }

    /** A sender can be made to wait: SUSPEND with a bounded buffer. */
    boolean canBlockSender() {
        return overflow == Overflow.SUSPEND && capacity != Channel.UNLIMITED;
    }

    static Stream<ChannelKind> all() {
        return Arrays.stream(values());
    }

    static Stream<ChannelKind> lossless() {
        return all().filter(k -> !k.isLossy());
    }

    static Stream<ChannelKind> blockingSenders() {
        return all().filter(ChannelKind::canBlockSender);
    }
}
