package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Waiting helpers: poll with a deadline, never sleep-and-hope. */
final class TestSupport {
    static final Duration DEADLINE = Duration.ofSeconds(20);

    private TestSupport() {
    }

    /** Polls {@code condition} until it holds, failing after {@link #DEADLINE}. */
    static void awaitTrue(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting until " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits until {@code n} senders are parked (or about to park) on {@code ch}. */
    static void awaitWaitingSenders(Channel<?> ch, int n) {
        AbstractChannel<?> lc = (AbstractChannel<?>) ch;
        awaitTrue(n + " waiting senders on " + ch, () -> lc.waitingSenders() == n);
    }

    /** Waits until {@code n} receivers are parked (or about to park) on {@code ch}. */
    static void awaitWaitingReceivers(Channel<?> ch, int n) {
        AbstractChannel<?> lc = (AbstractChannel<?>) ch;
        awaitTrue(n + " waiting receivers on " + ch, () -> lc.waitingReceivers() == n);
    }

    /** Asserts that every value was counted exactly once (reports the first one that was not). */
    static void assertEachSeenOnce(java.util.concurrent.atomic.AtomicIntegerArray seen, Object where) {
        for (int v = 0; v < seen.length(); v++) {
            if (seen.get(v) != 1) {
                fail("value " + v + " seen " + seen.get(v) + " times on " + where);
            }
        }
    }

    /** Runs {@code body} on a new virtual thread; its future completes with the result or failure. */
    static <T> CompletableFuture<T> async(Callable<T> body) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                f.complete(body.call());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    /** Like {@link #async} for a body without result. */
    static CompletableFuture<Void> run(ThrowingRunnable body) {
        return async(() -> {
            body.run();
            return null;
        });
    }

    /** A runnable that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
