package dev.hoare.channels.process;

import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.link.StreamLink;
import dev.hoare.channels.link.LinkStreams;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A two-way link over a child process's standard output (frames in) and standard input (frames
 * out), read and written with blocking I/O by the channel ends' platform threads (a pipe read
 * holds a virtual thread's carrier).
 *
 * <p>The end of the child's output, and a write that fails, are reported with the child's exit
 * status: the read that meets the end of stream (after every byte before it was read, so every
 * value the child wrote is delivered first) waits up to {@link #EXIT_WAIT_MILLIS} for the child to
 * exit and throws a {@link PeerLostException} saying how it ended ("child pid 1234 (java) exited
 * with status 137 (killed by SIGKILL)"), which the channel ends take as their close cause. A child
 * that closed its output and still runs is reported as such.
 *
 * <p>Once the link is closed, writes are dropped rather than failed. The link is closed when both
 * channel ends are done with it, by {@link ChildProcess#close()} once the child has exited or been
 * killed, or by the engine when the child broke the protocol: then the ends learn the protocol
 * error from the reading side, and a write of theirs racing with the close (a HELLO not yet
 * written, say) must not end them first with a misleading "connection lost".
 *
 * <p>State: {@link #closed} flips once, by {@link #close}, from any thread; {@link #lost} is set
 * once, by the thread that met the end or the failure (the reading and the writing thread may
 * both do; the first account stays), and every later read or write throws it again.
 */
final class ProcessLink extends StreamLink {
    /** How long the end of the child's output waits for the child's exit, to report its status. */
    static final long EXIT_WAIT_MILLIS = 2_000;

    private final Process process;
    private final String description;
    private final InputStream stdout;
    private final OutputStream stdin;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile PeerLostException lost;

    private final InputStream in = new LinkStreams.In() {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            PeerLostException l = lost;
            if (l != null) {
                throw l;
            }
            int n;
            try {
                n = stdout.read(b, off, len);
            } catch (IOException e) {
                throw closed.get() ? e : lost(e);
            }
            if (n < 0) {
                throw closed.get() ? new IOException(description + ": closed") : lost(null);
            }
            return n;
        }

        @Override
        public int available() throws IOException {
            return stdout.available();
        }
    };

    /** Bytes written after {@link #close} are dropped: see the class comment. */
    private final OutputStream out = new LinkStreams.Out() {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                if (!closed.get()) {
                    stdin.write(b, off, len);
                }
            } catch (IOException e) {
                if (!closed.get()) {
                    throw lost(e);
                }
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                if (!closed.get()) {
                    stdin.flush();
                }
            } catch (IOException e) {
                if (!closed.get()) {
                    throw lost(e);
                }
            }
        }
    };

    ProcessLink(Process process, String description) {
        this.process = process;
        this.description = description;
        this.stdout = process.getInputStream();
        this.stdin = process.getOutputStream();
    }

    /**
     * The child's output ended ({@code failure} null) or a read or write failed: waits (bounded)
     * for its exit and says how it ended. Called by the link's reading or writing thread.
     */
    private PeerLostException lost(IOException failure) {
        PeerLostException l = lost;
        if (l != null) {
            return l;
        }
        boolean exited;
        try {
            exited = process.waitFor(EXIT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exited = !process.isAlive();
        }
        String how = exited
                ? description + " exited with " + ExitStatus.describe(process.exitValue())
                : description + (failure == null ? " closed its standard output" : " stopped reading its standard input")
                        + " and is still running";
        l = new PeerLostException(how + (failure == null ? "" : " (" + failure.getMessage() + ")"), failure);
        lost = l;
        return l;
    }

    @Override
    protected InputStream in() {
        return in;
    }

    @Override
    protected OutputStream out() {
        return out;
    }

    /**
     * Closes our ends of the pipes. Closing the child's input flushes the JDK's buffer, which
     * waits for a blocked write of another thread to finish (the stream's monitor): that is done on
     * a thread of its own, so that this never blocks. A thread blocked reading the child's output
     * returns when the child's end closes (its exit), not at this close: a pipe read does not end
     * when another thread closes the descriptor.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stdout.close();
        } catch (IOException ignored) {
            // closed anyway
        }
        Thread.ofPlatform().daemon(true).name("hoare-close " + description).start(() -> {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the child is gone: nothing to flush to
            }
        });
    }

    @Override
    public String describe() {
        return description;
    }

    /** {@inheritDoc} The child. */
    @Override
    public long peerPid() {
        return process.pid();
    }

    @Override
    public String toString() {
        return "ProcessLink[" + description + "]";
    }
}
