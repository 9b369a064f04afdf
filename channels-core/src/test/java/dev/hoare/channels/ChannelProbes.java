package dev.hoare.channels;

import java.util.function.BooleanSupplier;

/**
 * {@link TestSupport}'s waits for the tests of other modules (channels-reactor's, say), which
 * cannot see the package-private counts of waiters; shipped in channels-core's test-jar.
 */
public final class ChannelProbes {
    private ChannelProbes() {
    }

    /** Polls {@code condition} until it holds, failing after {@link TestSupport#DEADLINE}. */
    public static void awaitTrue(String what, BooleanSupplier condition) {
        TestSupport.awaitTrue(what, condition);
    }

    /** Waits until {@code n} receivers are parked (or about to park) on {@code ch}, a Hoare channel. */
    public static void awaitWaitingReceivers(Channel<?> ch, int n) {
        TestSupport.awaitWaitingReceivers(ch, n);
    }

    /** Waits until {@code n} senders are parked (or about to park) on {@code ch}, a Hoare channel. */
    public static void awaitWaitingSenders(Channel<?> ch, int n) {
        TestSupport.awaitWaitingSenders(ch, n);
    }
}
