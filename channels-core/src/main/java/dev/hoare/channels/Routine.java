package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A handle on a body started by {@link Channels#go}: join it, see how it ended, interrupt it.
 *
 * <p>A body that throws does not print anything nor reach the thread's uncaught-exception
 * handler: the failure is kept for {@link #join()}, which rethrows it wrapped in a
 * {@link CompletionException}, and for {@link #failure()}. Join (or check) the routines whose
 * failures matter.
 */
public final class Routine {
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Throwable failure;
    private final Thread thread;

    Routine(Channels.Body body) {
        this.thread = Thread.ofVirtual().name("hoare-go").unstarted(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure = t;
            } finally {
                done.countDown();
            }
        });
    }

    Routine start() {
        thread.start();
        return this;
    }

    /**
     * Waits until the body has ended.
     *
     * @throws CompletionException with the body's exception as its cause, if the body threw
     * @throws InterruptedException if interrupted while waiting
     */
    public void join() throws InterruptedException {
        done.await();
        rethrow();
    }

    /**
     * Waits at most {@code timeout} for the body to end.
     *
     * @param timeout the longest wait
     * @return {@code true} if it ended, {@code false} if the time ran out first
     * @throws CompletionException with the body's exception as its cause, if the body threw
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean join(Duration timeout) throws InterruptedException {
        if (!done.await(AbstractChannel.toNanos(timeout), TimeUnit.NANOSECONDS)) {
            return false;
        }
        rethrow();
        return true;
    }

    /** @return {@code true} once the body has ended, normally or not */
    public boolean isDone() {
        return done.getCount() == 0;
    }

    /** @return what the body threw, once it has ended by throwing; empty otherwise */
    public Optional<Throwable> failure() {
        return isDone() ? Optional.ofNullable(failure) : Optional.empty();
    }

    /** Interrupts the body's virtual thread (a blocked channel operation then throws). */
    public void interrupt() {
        thread.interrupt();
    }

    private void rethrow() {
        Throwable t = failure;
        if (t != null) {
            throw new CompletionException("the routine's body threw", t);
        }
    }

    @Override
    public String toString() {
        return "Routine[" + (isDone() ? failure == null ? "done" : "failed: " + failure : "running") + "]";
    }
}
