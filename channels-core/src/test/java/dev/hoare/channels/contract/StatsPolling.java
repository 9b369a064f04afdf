package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Waiting for a channel end's counters to reach a state, for tests: polled with a deadline, never a sleep on hope. */
public final class StatsPolling {
    private StatsPolling() {
    }

    /**
     * Polls {@link Channels#stats} of {@code end} every millisecond or two until {@code until} holds.
     *
     * @return the snapshot that satisfied it
     * @throws AssertionError after 20 s, with the last snapshot
     */
    public static ChannelStats await(Object end, Predicate<ChannelStats> until) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            ChannelStats s = Channels.stats(end).orElseThrow(() -> new AssertionError("no counters for " + end));
            if (until.test(s)) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                fail("counters never reached the state: " + s);
            }
            Thread.sleep(1);
        }
    }
}
