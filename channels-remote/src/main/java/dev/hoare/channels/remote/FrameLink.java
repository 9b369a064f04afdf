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
import java.nio.ByteBuffer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A {@link Link} as the remote channel ends use it: frames in (decoded from the whole frames the
 * link hands up, or taken as objects from a side of a {@link DuplexLink}, which routed them
 * without encoding them again), whole frames out under a lock, the handshake, the end's threads,
 * the liveness watch ({@link Liveness}), and one idempotent close.
 * Every frame it writes names the end's stream ({@link #stream}: {@link Frame#FIRST_STREAM}, or
 * the stream of its side of a {@link DuplexLink}); a frame read for another channel stream is a
 * protocol error.
 *
 * <h2>State</h2>
 * <pre>
 *   handshake   PENDING -> DONE     the end's reader thread, once the peer's HELLO (and, for a
 *                                   sender on a two-way link, the announced capacity) arrived
 *               PENDING -> FAILED   the end's reader thread (a bad or missing HELLO, a lost link)
 *   link        OPEN -> CLOSED      {@link #close}, once ({@link #closed} by CAS), by any thread: the
 *                                   application's release, a failure, or the end's own finish;
 *                                   {@link #awaitHandshake} closes it on a timeout or failure; the
 *                                   liveness timer closes it for silence, {@link #silent} set first
 *   watch       NONE -> WATCHING    {@link #startLiveness}, the end's reader (or opener, one-way
 *                                   writer) after the handshake, if a liveness is set on either side
 *               WATCHING -> NONE    {@link #close} cancels it; a loss ends it
 * </pre>
 * Invariants:
 * <ol>
 *   <li>Frames go out whole: every write but {@link #writeNow} holds {@link #writeLock}, and
 *       {@code writeNow}'s caller guarantees no other write is under way (it holds the write lock
 *       through {@link #tryLockWrites}, or its end's own lock while that end's writer is idle).</li>
 *   <li>Reads ({@link #read}, {@link #readHello}, {@link #hasBufferedFrame}) take no lock here: the
 *       end lets one thread read at a time (its reader thread, or the thread holding its read lock),
 *       with a happens-before edge from one reader to the next (the lock, or the hand-off).</li>
 *   <li>{@link #frames} is the link's buffer from its last {@link Link#read}, of whole frames not
 *       decoded yet; the link is read again only once it is empty (the link may then reuse it),
 *       and each frame is decoded once, its payload copied out of it ({@code FrameReader.decode}).</li>
 *   <li>After {@link #close}, reads and writes fail or see the end of the stream; nothing reopens it.</li>
 *   <li>{@link #silent} is set before the link is closed for silence, so whoever then fails on the
 *       link ({@link #lost}, {@link #closeCause}, {@link #endOfStream}) reports the silence.</li>
 *   <li>The frame counters only grow; the hot path writes them with opaque stores, never a fence.</li>
 * </ol>
 */
final class FrameLink {
    /** How many buffers {@link Link#read} handed up (see {@link #linkReads}); the one reader's. */
    private long linkReads;
    final Link link;
    final StreamOptions options;
    /** The channel stream this end's frames go on, and the only one it reads besides the connection's. */
    final int stream;
    /** Whether frames come from the peer ({@link Link#reads}) and go to it ({@link Link#writes}). */
    private final boolean reads;
    private final boolean writes;
    /** The side of a {@link DuplexLink} this end uses, whose frames come routed as objects; else {@code null}. */
    private final DuplexLink.Side side;
    /**
     * What the last {@link Link#read} handed up and {@link #read} has not decoded yet (the link's
     * buffer, valid until the next {@code Link.read}); {@code null} before the first. The one reader's.
     */
    private ByteBuffer frames;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Completed once the peer's HELLO (and, for a sender with credits, the capacity) arrived. */
    final CompletableFuture<Void> handshake = new CompletableFuture<>();
    /** Frames read so far: written by the one reader (opaque store), read by the liveness timer. */
    @SuppressWarnings("unused") // through FRAMES_IN
    private long framesIn;
    /** Frames written so far (opaque stores by whoever writes; only changes matter), read by the liveness timer. */
    @SuppressWarnings("unused") // through FRAMES_OUT
    private long framesOut;
    @SuppressWarnings("unused") // through BYTES_IN
    private long bytesIn;
    @SuppressWarnings("unused") // through BYTES_OUT
    private long bytesOut;
    /** The liveness the peer announced in its HELLO, in ms (0: none). Written by the HELLO's reader. */
    private volatile long peerLivenessMillis;
    /** Set once, before the link is closed, when the liveness watch found the peer silent. */
    private volatile PeerLostException silent;
    private volatile Liveness.Handle watch = Liveness.NONE;
    private static final VarHandle FRAMES_IN;
    private static final VarHandle FRAMES_OUT;
    private static final VarHandle BYTES_IN;
    private static final VarHandle BYTES_OUT;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            FRAMES_IN = l.findVarHandle(FrameLink.class, "framesIn", long.class);
            FRAMES_OUT = l.findVarHandle(FrameLink.class, "framesOut", long.class);
            BYTES_IN = l.findVarHandle(FrameLink.class, "bytesIn", long.class);
            BYTES_OUT = l.findVarHandle(FrameLink.class, "bytesOut", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    FrameLink(Link link, StreamOptions options) {
        this.link = link;
        this.options = options;
        this.side = link instanceof DuplexLink.Side s ? s : null;
        this.stream = side != null ? side.stream : Frame.FIRST_STREAM;
        this.reads = link.reads();
        this.writes = link.writes();
    }

    /** @return frames read so far (for the end's counters; an opaque read) */
    long framesIn() {
        return (long) FRAMES_IN.getOpaque(this);
    }

    /** @return writes of frames so far (for the end's counters; racing writers may count one write as one) */
    long framesOut() {
        return (long) FRAMES_OUT.getOpaque(this);
    }

    /** @return the bytes of the frames read so far, headers included (for the end's counters; an opaque read) */
    long bytesIn() {
        return (long) BYTES_IN.getOpaque(this);
    }

    /** @return the bytes written so far (for the end's counters; racing writers may lose an addition) */
    long bytesOut() {
        return (long) BYTES_OUT.getOpaque(this);
    }

    /** @return the peer process's pid if the link knows it ({@link Link#peerPid}), else -1 */
    long peerPid() {
        return link.peerPid();
    }

    /** Counts a frame read (the one reader: a plain read of its own fields, opaque stores). */
    private void countIn(Frame f) {
        FRAMES_IN.setOpaque(this, (long) FRAMES_IN.getOpaque(this) + 1);
        BYTES_IN.setOpaque(this, (long) BYTES_IN.getOpaque(this) + FrameWriter.HEADER + f.payload().length);
    }

    /** Counts a write of {@code bytes} bytes (several writers may race; the counts only have to change). */
    private void countOut(long bytes) {
        FRAMES_OUT.setOpaque(this, (long) FRAMES_OUT.getOpaque(this) + 1);
        BYTES_OUT.setOpaque(this, (long) BYTES_OUT.getOpaque(this) + bytes);
    }

    /**
     * Starts the liveness watch once the handshake is done (the peer's HELLO is read on a link
     * that reads), if this end or its peer set a liveness ({@link Liveness}). A side of a
     * {@link DuplexLink} is not watched on its own: the connection is, as a whole.
     *
     * @param ping writes or queues a PING (may block)
     * @param nudge somebody should read the link (must not block)
     * @param waiting whether the end's reader waits for the application rather than the peer
     * @param onLost after the link was closed for silence: wakes the end's threads to see it
     */
    void startLiveness(Runnable ping, Runnable nudge, BooleanSupplier waiting, Runnable onLost) {
        if (link instanceof DuplexLink.Side || closed.get()) {
            return;
        }
        watch = Liveness.watch(new Liveness.Watched() {
            @Override
            public long framesIn() {
                return (long) FRAMES_IN.getOpaque(FrameLink.this);
            }

            @Override
            public long framesOut() {
                return (long) FRAMES_OUT.getOpaque(FrameLink.this);
            }

            @Override
            public void ping() {
                ping.run();
            }

            @Override
            public void nudge() {
                nudge.run();
            }

            @Override
            public boolean waitsForApplication() {
                return waiting.getAsBoolean();
            }

            @Override
            public void lost(PeerLostException cause) {
                silent = cause;
                close();
                onLost.run();
            }

            @Override
            public String describe() {
                return FrameLink.this.describe();
            }
        }, options.liveness(), peerLivenessMillis, reads, writes);
        if (closed.get()) {
            watch.cancel();
        }
    }

    /** Writes a PING now (the liveness timer's ping thread; the end lets any thread write under the write lock). */
    void writePing() {
        try {
            write(Frame.ping(System.nanoTime()));
        } catch (IOException | RuntimeException ignored) {
            // the reader or the next write sees the broken link
        }
    }

    /**
     * Answers a PING with a PONG, on a two-way link whose writes all take the write lock (a
     * receiving end), unless somebody is writing now (the peer hears from this side anyway).
     */
    void answerPing(Frame ping) throws IOException {
        Frame pong = ping.pong();
        if (!writes || !writeLock.tryLock()) {
            return;
        }
        try {
            write(pong);
        } finally {
            writeLock.unlock();
        }
    }

    /** @return the silence the liveness watch found, or {@code null} */
    PeerLostException silence() {
        return silent;
    }

    boolean duplex() {
        return reads && writes;
    }

    String describe() {
        return link.describe();
    }

    /**
     * @return the next frame (of this end's stream, or the connection's), or {@code null} at end of stream
     * @throws ChannelProtocolException for a frame of another channel stream
     */
    Frame read() throws IOException {
        Frame f = side != null ? side.take() : next();
        if (f != null) {
            countIn(f);
            if (f.stream() != stream && !f.kind().connectionLevel()) {
                throw new ChannelProtocolException(f.kind() + " frame for unknown stream " + Integer.toUnsignedString(f.stream())
                        + ": " + describe() + " carries stream " + stream);
            }
        }
        return f;
    }

    /** The next frame the link handed up (reading the link for more when those are decoded), or {@code null} at its end. */
    private Frame next() throws IOException {
        ByteBuffer b = frames;
        if (b == null || !b.hasRemaining()) {
            b = link.read(options.maxFrame());
            if (b == null) {
                return null;
            }
            frames = b;
            linkReads++;
        }
        return FrameReader.decode(b, options.maxFrame());
    }

    /**
     * How many times the link handed up frames so far, or {@code -1} on a duplex side (whose frames
     * come one by one from the connection's reader): a receiver checks the frames of one read
     * against the credits it had granted when they were read, since every one of them was sent
     * before then. Read by the one reader.
     *
     * @return the count of link reads, or {@code -1}
     */
    long linkReads() {
        return side != null ? -1 : linkReads;
    }

    /** @return whether a whole frame is already in hand, so that {@link #read} will not block */
    boolean hasBufferedFrame() {
        if (side != null) {
            return side.hasFrame();
        }
        ByteBuffer b = frames;
        return (b != null && b.hasRemaining()) || link.hasFrame();
    }

    /** Writes whole frames' bytes in one write, and flushes. */
    void write(byte[] bytes, int length) throws IOException {
        writeLock.lock();
        try {
            link.write(bytes, 0, length);
            countOut(length);
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
        boolean written = link.writeNow(bytes, length);
        if (written) {
            countOut(length);
        }
        return written;
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
            countOut(count == 0 ? 0 : ends[count - 1]);
        } finally {
            writeLock.unlock();
        }
    }

    /** Writes a frame on this end's stream (a PING or PONG on the connection's). */
    void write(Frame frame) throws IOException {
        byte[] bytes = FrameWriter.encode(frame.kind().connectionLevel() ? frame : frame.onStream(stream));
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
        int maxFrame = f.checkHello(codecId);
        peerLivenessMillis = f.helloLiveness();
        return maxFrame;
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
        if (silent != null) {
            return silent; // the link was closed for silence: that is why it failed
        }
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
        if (silent != null) {
            return silent;
        }
        return e instanceof LinkFaultException fault ? fault.getCause() : lost(e);
    }

    PeerLostException endOfStream() {
        if (silent != null) {
            return silent;
        }
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
            watch.cancel();
            try {
                link.close();
            } catch (IOException ignored) {
                // nothing more to do with a link that fails to close
            }
        }
    }
}
