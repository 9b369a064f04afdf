package dev.hoare.channels.remote;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.LinkFaultException;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Link} as the remote channel ends use it: frames in, whole frames out under a lock, the
 * handshake, the end's threads, and one idempotent close.
 *
 * <h2>State</h2>
 * <pre>
 *   handshake   PENDING -> DONE     the end's reader thread, once the peer's HELLO (and, for a
 *                                   sender on a two-way link, the announced capacity) arrived
 *               PENDING -> FAILED   the end's reader thread (a bad or missing HELLO, a lost link)
 *   link        OPEN -> CLOSED      {@link #close}, once ({@link #closed} by CAS), by any thread: the
 *                                   application's release, a failure, or the end's own finish;
 *                                   {@link #awaitHandshake} closes it on a timeout or failure
 * </pre>
 * Invariants:
 * <ol>
 *   <li>Frames go out whole: every write but {@link #writeNow} holds {@link #writeLock}, and
 *       {@code writeNow}'s caller guarantees no other write is under way (it holds the write lock
 *       through {@link #tryLockWrites}, or its end's own lock while that end's writer is idle).</li>
 *   <li>Reads ({@link #read}, {@link #readHello}, {@link #hasBufferedFrame}) take no lock here: the
 *       end lets one thread read at a time (its reader thread, or the thread holding its read lock).</li>
 *   <li>After {@link #close}, reads and writes fail or see the end of the stream; nothing reopens it.</li>
 * </ol>
 */
final class FrameLink {
    final Link link;
    final StreamOptions options;
    private final FrameReader reader;
    private final OutputStream out;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completed once the peer's HELLO (and, for a sender with credits, the capacity) arrived. */
    final CompletableFuture<Void> handshake = new CompletableFuture<>();

    FrameLink(Link link, StreamOptions options) {
        this.link = link;
        this.options = options;
        this.reader = link.in() == null ? null : new FrameReader(link.in(), options.maxFrame());
        this.out = link.out();
    }

    boolean duplex() {
        return reader != null && out != null;
    }

    String describe() {
        return link.describe();
    }

    /** @return the next frame, or {@code null} at end of stream */
    Frame read() throws IOException {
        return reader.read();
    }

    /** @return whether a whole frame is already buffered, so that {@link #read} will not block */
    boolean hasBufferedFrame() {
        return reader.hasBufferedFrame();
    }

    /** Writes whole frames' bytes in one write, and flushes. */
    void write(byte[] bytes, int length) throws IOException {
        writeLock.lock();
        try {
            out.write(bytes, 0, length);
            out.flush();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Writes whole frames now if the link can without blocking ({@link Link#writeNow}). Takes no
     * lock: the caller makes sure no other write is under way (the sending end calls it under its
     * own lock, only while its writer thread writes no batch, after the HELLO and before the
     * CLOSE).
     *
     * @return whether they were written
     */
    boolean writeNow(byte[] bytes, int length) {
        return link.writeNow(bytes, length);
    }

    /** @return whether this thread now holds the write lock (nobody else was writing) */
    boolean tryLockWrites() {
        return writeLock.tryLock();
    }

    void unlockWrites() {
        writeLock.unlock();
    }

    /** Writes what a {@link #writeNow} left in the link ({@link Link#finishWrites}). */
    void finishWrites() throws IOException {
        writeLock.lock();
        try {
            link.finishWrites();
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes a batch of chunks of whole frames (see {@link Link#writeChunks}). */
    void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        writeLock.lock();
        try {
            link.writeChunks(bytes, ends, count);
        } finally {
            writeLock.unlock();
        }
    }

    void write(Frame frame) throws IOException {
        byte[] bytes = FrameWriter.encode(frame);
        write(bytes, bytes.length);
    }

    /** Best effort (the link may be broken already): tells the sender this receiving end released it, with a cause if any. */
    void writeReleaseQuietly(Throwable cause) {
        try {
            write(Frame.release(cause));
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone or the link closed: it learns of it from the end of stream
        }
    }

    /** Best effort: tells the receiver this sending end refused its handshake, with the cause. */
    void writeCloseQuietly(Throwable cause) {
        try {
            write(Frame.closeWithCause(cause));
        } catch (IOException | RuntimeException ignored) {
            // the peer is gone or the link closed: it learns of it from the end of stream
        }
    }

    /**
     * Reads and checks the peer's HELLO.
     *
     * @return the peer's maximum frame size
     */
    int readHello(String codecId) throws IOException {
        Frame f = read();
        if (f == null) {
            throw new PeerLostException(describe() + ": the peer closed the connection before its handshake");
        }
        if (f.kind() != FrameKind.HELLO) {
            throw new ChannelProtocolException("expected HELLO as the first frame, got " + f.kind());
        }
        return f.checkHello(codecId);
    }

    /** Waits for {@link #handshake} within the timeout; on failure closes the link and throws. */
    void awaitHandshake() throws IOException {
        try {
            handshake.get(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            close();
            throw new IOException(describe() + ": no handshake from the peer within " + dev.hoare.channels.spi.Endpoint.formatDuration(options.timeout()));
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for the handshake with " + describe());
        }
    }

    /**
     * What an I/O failure means for the end: a protocol error, a lost peer or a transport's own
     * fault stays as is, anything else becomes a {@link PeerLostException}.
     */
    IOException lost(IOException e) {
        if (e instanceof ChannelProtocolException || e instanceof PeerLostException || e instanceof LinkFaultException) {
            return e;
        }
        return new PeerLostException(describe() + ": connection lost (" + e + ")", e);
    }

    /**
     * The end's close cause for an I/O failure: a transport's own exception
     * ({@link LinkFaultException}'s cause) as it is, else {@link #lost}.
     */
    Throwable closeCause(IOException e) {
        return e instanceof LinkFaultException fault ? fault.getCause() : lost(e);
    }

    PeerLostException endOfStream() {
        return new PeerLostException(describe() + ": the peer went away without closing the channel (end of stream)");
    }

    /** @return a new, unstarted I/O thread of this end */
    Thread thread(String role, Runnable body) {
        Thread.Builder b = options.platformThreads() ? Thread.ofPlatform().daemon(true) : Thread.ofVirtual();
        return b.name("hoare-" + role + " " + describe()).unstarted(body);
    }

    boolean isClosed() {
        return closed.get();
    }

    void shutdownOutputQuietly() {
        try {
            link.shutdownOutput();
        } catch (IOException | RuntimeException ignored) {
            // closed anyway next
        }
    }

    /** Closes the link once; later calls do nothing. */
    void close() {
        if (closed.compareAndSet(false, true)) {
            try {
                link.close();
            } catch (IOException ignored) {
                // nothing more to do with a link that fails to close
            }
        }
    }
}
