package dev.hoare.channels.process;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels.Duplex;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running child process and a channel each way over its standard input and output, from
 * {@link Processes#spawn}. Closing it ends the child, gently first (see {@link #close()}).
 *
 * <h2>Crash and exit</h2>
 * When the child exits, crashes or is killed, its output ends: every value it wrote before is
 * still received, in order, then {@link #in()} reports closed with a {@link PeerLostException}
 * whose message gives the child's exit status ("child pid 1234 (java) exited with status 137
 * (killed by SIGKILL)"), unless the child closed its channel first (then {@code in()} is simply
 * closed). Sends to {@link #out()} then fail with {@link ChannelClosedException} carrying the same
 * cause. The status is as the JDK reports it: a death by signal {@code n} is {@code 128 + n}.
 *
 * <h2>State</h2>
 * <pre>
 *   RUNNING -> CLOSING   close(), once ({@link #closing}), by the closing thread
 *   CLOSING -> CLOSED    the same thread, once the child exited or the last wait ran out
 * </pre>
 * The channels have their own states; the process's life is the JDK's ({@link #process()}).
 *
 * @param <S> what we send to the child
 * @param <R> what we receive from it
 */
public final class ChildProcess<S, R> implements AutoCloseable {
    /** How long {@link #close()} waits for the child after SIGKILL (it cannot refuse, but may be slow to go). */
    static final Duration KILL_WAIT = Duration.ofSeconds(5);

    private final Process process;
    private final String description;
    private final ProcessLink link;
    private final Duplex<S, R> channels;
    private final ReceiveChannel<String> stderr;
    private final Duration grace;
    private final AtomicBoolean closing = new AtomicBoolean();

    ChildProcess(Process process, String description, ProcessLink link, Duplex<S, R> channels,
            ReceiveChannel<String> stderr, Duration grace) {
        this.process = process;
        this.description = description;
        this.link = link;
        this.channels = channels;
        this.stderr = stderr;
        this.grace = grace;
    }

    /**
     * The channel to the child: its values are frames on the child's standard input, at most the
     * capacity the child announced ahead of the child's application (a send waits for credit,
     * a {@code trySend} fails, never an unbounded buffer). Closing it sends the close frame after
     * every value sent before; the child's input itself stays open for the credits of
     * {@link #in()} until both channels are closed, or the handle.
     *
     * @return the channel to the child
     */
    public SendChannel<S> out() {
        return channels.out();
    }

    /** @return the channel from the child (its standard output), closed as the class comment says when it ends */
    public ReceiveChannel<R> in() {
        return channels.in();
    }

    /**
     * @return the child's standard error, one value per line (UTF-8), closed at its end
     * @throws IllegalStateException unless spawned with {@link ProcessOptions#withStderrLines(boolean)}
     */
    public ReceiveChannel<String> stderr() {
        if (stderr == null) {
            throw new IllegalStateException(description + ": its standard error passes through; ask for ProcessOptions.withStderrLines(true) to receive it");
        }
        return stderr;
    }

    /** @return the child, as the JDK runs it */
    public Process process() {
        return process;
    }

    /** @return the child's process id */
    public long pid() {
        return process.pid();
    }

    /** @return the child's exit status once it has exited (a death by signal n as 128 + n), else empty */
    public OptionalInt exitStatus() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** @return the child's exit status, when it exits (a death by signal n as 128 + n) */
    public CompletableFuture<Integer> onExit() {
        return process.onExit().thenApply(Process::exitValue);
    }

    /**
     * Ends the child, gently first, and returns within about {@code 2 × grace + 5 s} whatever the
     * child does:
     * <ol>
     *   <li>closes {@link #out()} (the child receives what was sent, then the close) and discards
     *       what the child still sends, so that it never waits for credit;</li>
     *   <li>waits up to the grace time ({@link ProcessOptions#grace()}) for the child to exit;</li>
     *   <li>then sends it SIGTERM ({@link Process#destroy()}) and waits the grace time again;</li>
     *   <li>then SIGKILL ({@link Process#destroyForcibly()}) and waits up to 5 s;</li>
     *   <li>releases {@link #in()} and closes our ends of the pipes (the child's input ends).</li>
     * </ol>
     * Idempotent: a second call returns at once. The standard error channel, if any, closes by
     * itself at the end of the stream. An interrupt cuts the waits short: the child then gets
     * SIGTERM and SIGKILL at once (the interrupt stays set).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        long deadline = System.nanoTime() + grace.toNanos();
        // out's close lingers until its frames are written, which a child that does not read never allows
        Thread.ofPlatform().daemon(true).name("hoare-close-out " + description).start(() -> channels.out().close());
        Thread drain = Thread.ofVirtual().name("hoare-drain " + description).start(this::discardIncoming);
        try {
            if (!awaitExit(deadline)) {
                process.destroy();
                if (!awaitExit(System.nanoTime() + grace.toNanos())) {
                    process.destroyForcibly();
                    awaitExit(System.nanoTime() + KILL_WAIT.toNanos());
                }
            }
        } finally {
            drain.interrupt();
            channels.in().close();
            link.close();
        }
    }

    /** Receives and drops values until the channel from the child closes (or this thread is interrupted). */
    private void discardIncoming() {
        try {
            while (true) {
                channels.in().receive();
            }
        } catch (ChannelClosedException | InterruptedException done) {
            // closed, or close() is done waiting
        }
    }

    /** @return whether the child exited before the {@link System#nanoTime} deadline; an interrupt is kept and ends the wait */
    private boolean awaitExit(long deadline) {
        try {
            return process.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !process.isAlive();
        }
    }

    @Override
    public String toString() {
        return "ChildProcess[" + description + (process.isAlive() ? "" : ", exited with " + ExitStatus.describe(process.exitValue())) + "]";
    }
}
