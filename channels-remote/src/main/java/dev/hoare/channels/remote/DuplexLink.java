package dev.hoare.channels.remote;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.LinkFaultException;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One two-way link carrying two channels, one each way: this side's send end and receive end.
 * A demultiplexing thread reads the link's frames and routes each by its stream to the end it
 * belongs to, as objects (each end takes them from its side, {@link Side#take}, as if it had the link to itself):
 * {@link Frame#FIRST_STREAM} is the channel whose sender opened the connection,
 * {@link Frame#SECOND_STREAM} the one whose sender accepted it (docs/wire-format.md). A frame of
 * another stream, or of a kind that does not travel this way on its stream (DATA on the stream
 * this side sends on), is a protocol error; the connection's own frames (stream 0) are answered
 * here: a PING with a PONG. Both ends write whole frames through one lock. The link closes when
 * both ends have closed it. The connection as a whole is watched for a silent peer
 * ({@link Liveness}, once both HELLOs are in), not each end.
 *
 * <p>On a link the receiving thread can read itself ({@link Link#canReadNow}: a socket in
 * non-blocking mode), a thread receiving on our receive end reads the link itself, routing what
 * it reads, instead of waiting for the demultiplexing thread to hand it a frame: the peer's reply
 * then wakes the receiving thread directly, not a virtual thread (through the JDK's poller) that
 * wakes it in turn. Whoever reads holds the read lock; the hand-off is {@link ReaderHandOff}'s. The demultiplexing thread stands aside
 * while a receiving thread wants the link, and for {@link ReaderHandOff#LINGER_NANOS} after one read it (the
 * application is likely to receive again soon); after that it reads again, so that credits for
 * our send end and the peer's close are seen while nobody receives.
 *
 * <h2>State</h2>
 * Locks: the read lock of {@link #readers} (whoever reads and routes), {@link #writeLock} (whole frames out; taken
 * under the read lock only by {@link #cutOff}, never the other way round), and each side's
 * {@code closeLock} (its close; takes neither). The link's life:
 * <pre>
 *   state     finished openSides  meaning
 *   OPEN      no       2 or 1     frames are read and routed; a side closed by its end sees the end of its queue
 *   ENDED     yes      any        end of stream or a failure: both queues were ended with the cause
 *   CLOSED    any      0          both ends closed their side: the link is closed
 *
 *   OPEN -> ENDED    {@link #end}, under the read lock (or by the only reader, on a link read by the
 *                    demultiplexing thread alone), by whoever read the end; a protocol error also cuts
 *                    the peer off
 *   openSides 2 -> 1 -> 0   each side's close, once ({@code Side.closed} under its {@code closeLock}),
 *                    by that end's thread; the last one closes the link, which ends the reading too
 * </pre>
 * Who reads (direct links; otherwise the demultiplexing thread alone, with blocking reads):
 * <pre>
 *   state          read lock held by           meaning
 *   DEMUX          demultiplexing thread        waits on the link {@link #SLICE_NANOS} at a time, routes
 *   STANDING_ASIDE nobody / a receiving thread  a receiving thread wants the link, or one read it less than
 *                                               {@link ReaderHandOff#LINGER_NANOS} ago: the demultiplexing thread parks
 *   OWN_READ       a receiving thread           reads and routes until a frame for the receive side is
 *                                               queued ({@link #readForReceiveSide})
 *
 *   DEMUX -> OWN_READ   a receiving thread enters ({@link ReaderHandOff#enter}): counts itself in,
 *                       wakes the link's waiter ({@link Link#wakeReader}) and waits for the read lock,
 *                       looking at its queue in between
 *   OWN_READ -> STANDING_ASIDE -> DEMUX   the receiving thread leaves, stamping the time; the
 *                       demultiplexing thread reads again {@code LINGER_NANOS} later, if nobody came
 * </pre>
 *
 * <p>Invariants:
 * <ol>
 *   <li>At most one thread reads the link at a time, and frames are routed in the order read.</li>
 *   <li>{@link #hellos} and {@link #finished} are written only by the reader (under the read lock on
 *       a direct link); after {@code finished}, nothing more is read or routed.</li>
 *   <li>The receive side's queue never holds more than {@link #waitingLimit} frames: more is a peer
 *       ignoring its credits, cut off with a RELEASE.</li>
 *   <li>Every frame on the link is written whole under {@link #writeLock}, whichever end writes it.</li>
 *   <li>Each frame is decoded once, by whoever routes it (from {@link #frames}, the link's buffer
 *       of whole frames, read again only once it is empty), and handed to its side as the
 *       {@link Frame} object itself: the end's {@link FrameLink} takes it from the side's queue
 *       ({@link Side#take}), never encoded or parsed again.</li>
 * </ol>
 */
final class DuplexLink {
    private final Link link;
    /** The largest frame read. */
    private final int maxFrame;
    /**
     * What the last {@link Link#read} handed up and {@link #routeOne} has not decoded yet (the
     * link's buffer, valid until its next read); {@code null} before the first. Guarded by the read lock.
     */
    private ByteBuffer frames;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final AtomicInteger openSides = new AtomicInteger(2);
    /** The link can be read by the receiving thread itself (see the class comment). */
    private final boolean direct;
    /**
     * Who reads {@link #reader} and routes: the demultiplexing thread or a receiving thread (direct
     * links); the read lock is its lock. The demultiplexing thread lingers aside
     * {@link ReaderHandOff#LINGER_NANOS} after a receiving thread read.
     */
    private final ReaderHandOff readers;
    /** HELLOs read so far. Guarded by the read lock ({@link #readers}). */
    private int hellos;
    /** The shortest liveness the peer's HELLOs announced, in ms (0: none). Guarded by the read lock. */
    private long peerLivenessMillis;
    /** This side's liveness ({@link Duration#ZERO}: none). */
    private final Duration liveness;
    /** Frames read (the one reader at a time) and written (under the write lock), for the liveness watch. */
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    /** Set once, before the link is closed, when the liveness watch found the peer silent. */
    private volatile PeerLostException silent;
    private volatile Liveness.Handle watch = Liveness.NONE;
    /** The link has ended (end of stream or a failure): both sides were told. Guarded by the read lock. */
    private boolean finished;
    /** {@link ReaderHandOff#DUPLEX_SLICE_NANOS}: the longest single wait on the link, or for a receiving thread to finish with it. */
    private static final long SLICE_NANOS = ReaderHandOff.DUPLEX_SLICE_NANOS;
    /** Where frames for our send end go (the peer's receive end's HELLO, CREDIT, RELEASE). */
    final Side sendSide;
    /** Where frames for our receive end go (the peer's send end's HELLO, DATA, CLOSE). */
    final Side receiveSide;

    /**
     * @param accepted whether this side accepted the connection (its channel out is then
     *     {@link Frame#SECOND_STREAM}, else {@link Frame#FIRST_STREAM})
     * @param capacity the capacity the receive end announces: a peer that keeps its credits never
     *     has more than {@code max(1, capacity)} values waiting here for the receive end
     * @param liveness this side's liveness timeout ({@link Duration#ZERO}: none)
     */
    DuplexLink(Link link, boolean accepted, int maxFrame, int capacity, Duration liveness) {
        this.sendSide = new Side("send", accepted ? Frame.SECOND_STREAM : Frame.FIRST_STREAM);
        this.receiveSide = new Side("receive", accepted ? Frame.FIRST_STREAM : Frame.SECOND_STREAM);
        this.liveness = liveness;
        if (!link.reads() || !link.writes()) {
            throw new IllegalArgumentException(link.describe() + ": carrying a channel each way needs a two-way link");
        }
        this.link = link;
        this.maxFrame = maxFrame;
        this.direct = link.canReadNow();
        this.readers = new ReaderHandOff(link, ReaderHandOff.LINGER_NANOS);
        this.waitingLimit = Math.max(1, capacity) + 2; // and its HELLO and CLOSE
    }

    /**
     * How many frames may wait for the receive end: more means a peer that ignores its credits,
     * cut off rather than buffered (the receive end takes its frames from here when its
     * application receives, not eagerly).
     */
    private final int waitingLimit;

    /** Starts routing frames, on a thread from {@code threads}. */
    void start(Thread.Builder threads) {
        threads.name("hoare-demux " + link.describe()).start(this::demux);
    }

    private void demux() {
        if (!direct) {
            while (routeOne()) {
                // a blocking read each: this thread is the link's only reader
            }
            return;
        }
        try {
            while (true) {
                if (readers.wanted()) {
                    LockSupport.parkNanos(this, SLICE_NANOS); // a receiving thread reads the link
                    continue;
                }
                long linger = readers.lingerLeftNanos();
                if (linger > 0) {
                    LockSupport.parkNanos(this, linger); // one did just now, and is likely to again soon
                    continue;
                }
                readers.lock();
                try {
                    if (finished) {
                        return;
                    }
                    if (!readers.wanted() && (hasBufferedFrame() || link.awaitReadable(SLICE_NANOS))) {
                        routeOne();
                    }
                } finally {
                    readers.unlock();
                }
            }
        } catch (IOException | InterruptedException e) {
            readers.lock();
            try {
                end(e instanceof IOException io ? io : new InterruptedIOException("the demultiplexing thread was interrupted"));
            } finally {
                readers.unlock();
            }
        }
    }

    /**
     * Reads one frame and routes it to the side it belongs to; at the end of the link, tells both
     * sides. Called by the demultiplexing thread, or with the read lock held (direct links).
     *
     * @return {@code false} once the link has ended
     */
    private boolean routeOne() {
        if (finished) {
            return false;
        }
        try {
            Frame f = nextFrame();
            if (f == null) {
                end(null);
                return false;
            }
            framesIn.lazySet(framesIn.get() + 1); // the one reader; the liveness timer only looks for a change
            if (f.kind().connectionLevel()) {
                if (f.kind() == FrameKind.PING) {
                    answer(f.pong());
                }
                return true;
            }
            Side to = f.stream() == sendSide.stream ? sendSide : f.stream() == receiveSide.stream ? receiveSide : null;
            if (to == null) {
                throw new ChannelProtocolException(f.kind() + " frame for unknown stream " + Integer.toUnsignedString(f.stream())
                        + ": " + link.describe() + " carries streams " + Frame.FIRST_STREAM + " and " + Frame.SECOND_STREAM);
            }
            boolean towardsSender = switch (f.kind()) {
                case CREDIT, RELEASE -> true;
                case DATA, CLOSE, CLOSE_WITH_CAUSE -> false;
                default -> to == sendSide; // HELLO: each end says one
            };
            if (towardsSender != (to == sendSide)) {
                throw new ChannelProtocolException(f.kind() + " frame on stream " + f.stream() + ", whose "
                        + (to == sendSide ? "sender is this side" : "receiver is this side"));
            }
            if (f.kind() == FrameKind.HELLO) {
                long announced = f.helloLiveness();
                if (announced > 0 && (peerLivenessMillis == 0 || announced < peerLivenessMillis)) {
                    peerLivenessMillis = announced;
                }
                if (++hellos == 2) {
                    startLiveness();
                }
            }
            if (to == receiveSide && receiveSide.in.waiting() >= waitingLimit) {
                throw new ChannelProtocolException("the sender sent more values than it had credits for ("
                        + (waitingLimit - 2) + " waiting to be received)");
            }
            to.in.feed(f); // the frame itself: the end takes it as it is (FrameLink), not re-encoded
            return true;
        } catch (IOException e) {
            end(e);
            return false;
        }
    }

    /** The next frame the link handed up (reading it for more when those are decoded), or {@code null} at its end. Under the read lock. */
    private Frame nextFrame() throws IOException {
        ByteBuffer b = frames;
        if (b == null || !b.hasRemaining()) {
            b = link.read(maxFrame);
            if (b == null) {
                return null;
            }
            frames = b;
        }
        return FrameReader.decode(b, maxFrame);
    }

    /** @return whether a frame is in hand, so that {@link #routeOne} reads without waiting. Under the read lock. */
    private boolean hasBufferedFrame() {
        ByteBuffer b = frames;
        return (b != null && b.hasRemaining()) || link.hasFrame();
    }

    /** The link has ended, cleanly ({@code null}) or not: both sides see it; a peer that broke the protocol is cut off. */
    private void end(IOException cause) {
        if (finished) {
            return;
        }
        finished = true;
        watch.cancel();
        if (silent != null) {
            cause = silent; // the liveness watch closed the link: that is why it ended
        }
        sendSide.in.end(cause);
        receiveSide.in.end(cause);
        if (cause instanceof ChannelProtocolException) {
            cutOff(cause); // nothing more is read: the peer must not be left writing into a full socket
        }
    }

    /**
     * A receiving thread reads the link itself (direct links) until a frame for the receive side is
     * there, the link ends, or the time runs out.
     *
     * @param timeoutNanos the longest wait; {@link Long#MAX_VALUE}: no limit; zero: one look
     * @return whether the receive side can be read without waiting
     */
    private boolean readForReceiveSide(long timeoutNanos) throws IOException, InterruptedException {
        FrameQueue queue = receiveSide.in;
        if (queue.await(0)) {
            return true;
        }
        long deadline = timeoutNanos == Long.MAX_VALUE ? Long.MAX_VALUE : System.nanoTime() + Math.max(0, timeoutNanos);
        try {
            // the demultiplexing thread may route one meanwhile
            Object entered = readers.enter(deadline != Long.MAX_VALUE, deadline, () -> queue.await(0) ? Boolean.TRUE : null);
            if (entered != ReaderHandOff.LOCKED) {
                return entered == Boolean.TRUE;
            }
            try {
                while (!queue.await(0)) { // once the link has ended, the queue ends too (end() feeds both)
                    long left = deadline == Long.MAX_VALUE ? SLICE_NANOS : Math.max(0, deadline - System.nanoTime());
                    if (!hasBufferedFrame() && !link.awaitReadable(Math.min(left, SLICE_NANOS))) {
                        if (deadline == Long.MAX_VALUE || deadline - System.nanoTime() > 0) {
                            continue; // a slice ended, or a wake-up (a close of this side): look at the queue again
                        }
                        return false;
                    }
                    routeOne();
                }
                return true;
            } finally {
                readers.unlock();
            }
        } finally {
            readers.leave(true);
        }
    }

    /** Answers a PING, unless an end is writing now (the peer hears from this side anyway). */
    private void answer(Frame pong) {
        if (!writeLock.tryLock()) {
            return;
        }
        try {
            writeFrame(pong);
            framesOut.lazySet(framesOut.get() + 1);
        } catch (IOException | RuntimeException ignored) {
            // the reading sees the broken link
        } finally {
            writeLock.unlock();
        }
    }

    /** Watches the connection for a silent peer, once both HELLOs are in. Under the read lock. */
    private void startLiveness() {
        watch = Liveness.watch(new Liveness.Watched() {
            @Override
            public long framesIn() {
                return framesIn.get();
            }

            @Override
            public long framesOut() {
                return framesOut.get();
            }

            @Override
            public void ping() {
                writeLock.lock();
                try {
                    writeFrame(Frame.ping(System.nanoTime()));
                    framesOut.lazySet(framesOut.get() + 1);
                } catch (IOException | RuntimeException ignored) {
                    // the reading sees the broken link
                } finally {
                    writeLock.unlock();
                }
            }

            @Override
            public void nudge() {
                // the demultiplexing thread reads whenever no receiving thread does
            }

            @Override
            public boolean waitsForApplication() {
                return false;
            }

            @Override
            public void lost(PeerLostException cause) {
                silent = cause;
                try {
                    link.close(); // whoever reads sees the link fail, and ends both sides with the cause
                } catch (IOException ignored) {
                    // closed anyway
                }
            }

            @Override
            public String describe() {
                return link.describe();
            }
        }, liveness, peerLivenessMillis, true, true);
        if (openSides.get() == 0) {
            watch.cancel();
        }
    }

    /** Writes one frame of the connection's own. Under {@link #writeLock}. */
    private void writeFrame(Frame f) throws IOException {
        byte[] bytes = FrameWriter.encode(f);
        link.write(bytes, 0, bytes.length);
    }

    /** A peer that broke the protocol: tells it why (best effort) and closes the connection. */
    private void cutOff(IOException cause) {
        writeLock.lock();
        try {
            writeFrame(Frame.release(cause).onStream(receiveSide.stream));
        } catch (IOException | RuntimeException ignored) {
            // it learns from the close
        } finally {
            writeLock.unlock();
        }
        try {
            link.close();
        } catch (IOException ignored) {
            // closed anyway
        }
    }

    /** One end's view of the link. */
    final class Side implements Link {
        private final String role;
        /** The stream of the channel this end sends (send side) or receives (receive side). */
        final int stream;
        private final FrameQueue in = new FrameQueue();
        /** This side's close ran. Guarded by {@link #closeLock}. */
        private boolean closed;
        /** Serializes this side's close (a ReentrantLock, never {@code synchronized}: virtual threads close ends). */
        private final ReentrantLock closeLock = new ReentrantLock();

        Side(String role, int stream) {
            this.role = role;
            this.stream = stream;
        }

        @Override
        public boolean reads() {
            return true;
        }

        @Override
        public boolean writes() {
            return true;
        }

        /**
         * The next frame routed to this side, as an object (waiting for it; {@code null} at the
         * end of the link): what the end's {@link FrameLink} reads, with no encoding in between.
         * One reader at a time.
         */
        Frame take() throws IOException {
            return in.take();
        }

        /** @return whether {@link #take} returns without waiting. The one reader. */
        @Override
        public boolean hasFrame() {
            return in.hasFrame();
        }

        /**
         * The next routed frame, encoded: for a reader of the side as a plain link. The end's
         * {@link FrameLink} takes the frames as objects instead ({@link #take}).
         */
        @Override
        public ByteBuffer read(int maxFrame) throws IOException {
            Frame f = in.take();
            return f == null ? null : ByteBuffer.wrap(FrameWriter.encode(f));
        }

        /** Whole frames onto the link, under the link's write lock. */
        @Override
        public void write(byte[] frames, int offset, int length) throws IOException {
            writeLock.lock();
            try {
                link.write(frames, offset, length);
                framesOut.lazySet(framesOut.get() + 1);
            } finally {
                writeLock.unlock();
            }
        }

        /** A batch onto the link, under the link's write lock once. */
        @Override
        public void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
            writeLock.lock();
            try {
                link.writeChunks(bytes, ends, count);
                framesOut.lazySet(framesOut.get() + 1);
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public int atomicWrite() {
            return link.atomicWrite();
        }

        /** The other channel still uses the link's output: a half-close would cut it off. */
        @Override
        public void shutdownOutput() {
        }

        @Override
        public void close() throws IOException {
            closeLock.lock();
            try {
                if (closed) {
                    return;
                }
                closed = true;
                in.end(null);
                if (this == receiveSide && direct) {
                    link.wakeReader(); // a receiving thread waiting on the link sees the end of its queue
                }
                if (openSides.decrementAndGet() == 0) {
                    watch.cancel();
                    link.close();
                }
            } finally {
                closeLock.unlock();
            }
        }

        /**
         * The receive end's thread reads the link itself where the link allows it (see the class
         * comment), else takes the frames the demultiplexing thread routed to it straight from
         * this side's queue (one hand-off instead of two); the send end's return path is read by
         * its own thread.
         */
        @Override
        public boolean canReadNow() {
            return this == receiveSide;
        }

        /** Reads the link (direct links), or waits on this side's queue: a virtual thread leaves its carrier meanwhile. */
        @Override
        public boolean awaitReadable(long timeoutNanos) throws IOException, InterruptedException {
            return this == receiveSide && direct ? readForReceiveSide(timeoutNanos) : in.await(timeoutNanos);
        }

        /** A receiving thread waiting on the link (direct links) looks again soon. */
        @Override
        public void wakeReader() {
            if (this == receiveSide && direct) {
                link.wakeReader();
            }
        }

        @Override
        public boolean readNowFromVirtualThreads() {
            return true;
        }

        /** A sending thread may write its frames into the link itself, if the link can and nobody else writes. */
        @Override
        public boolean canWriteNow() {
            return link.canWriteNow();
        }

        @Override
        public long directWriteSpacingNanos() {
            return link.directWriteSpacingNanos();
        }

        @Override
        public boolean writeNow(byte[] bytes, int length) {
            if (!writeLock.tryLock()) {
                return false; // the other end writes (a credit): leave it to the writer thread
            }
            try {
                framesOut.lazySet(framesOut.get() + 1);
                return link.writeNow(bytes, length);
            } finally {
                writeLock.unlock();
            }
        }

        /** Asked right after this thread's own {@link #writeNow}: no lock (a write since can only have finished it). */
        @Override
        public boolean hasPendingWrite() {
            return link.hasPendingWrite();
        }

        @Override
        public void finishWrites() throws IOException {
            writeLock.lock();
            try {
                link.finishWrites();
            } finally {
                writeLock.unlock();
            }
        }

        @Override
        public String describe() {
            return link.describe() + " (" + role + ")";
        }

        @Override
        public long peerPid() {
            return link.peerPid();
        }
    }

    /**
     * The frames routed to one end, in the order read, as objects; ends with the end of the link
     * or its failure. Fed by whoever routes (under the read lock), read by the end's one reader.
     */
    private static final class FrameQueue {
        /** The end marker: fed once the link has ended. */
        private static final Frame END = Frame.ping(0);
        private final LinkedBlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
        private volatile IOException failure;
        /** A frame taken from the queue by {@link #await} and not yet by {@link #take}; {@code null}: none. The reader's. */
        private Frame current;
        /** The end marker was taken. The reader's. */
        private boolean ended;

        void feed(Frame frame) {
            frames.add(frame);
        }

        /** @return the frames fed and not yet begun by the reader */
        int waiting() {
            return frames.size();
        }

        void end(IOException cause) {
            if (cause != null && failure == null) {
                failure = cause;
            }
            frames.add(END);
        }

        /** @return whether {@link #take} returns without waiting. The reader. */
        boolean hasFrame() {
            if (current != null || ended) {
                return true;
            }
            Frame next = frames.poll();
            if (next == null) {
                return false;
            }
            begin(next);
            return true;
        }

        /**
         * Waits until {@link #take} returns at once (a frame, the end or a failure), at most
         * {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit). One reader at a time.
         */
        boolean await(long timeoutNanos) throws InterruptedException {
            if (current != null || ended) {
                return true;
            }
            Frame next = timeoutNanos == Long.MAX_VALUE ? frames.take()
                    : frames.poll(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
            if (next == null) {
                return false;
            }
            begin(next);
            return true;
        }

        /** Makes {@code next} the one the reader takes next (the end marker: the link has ended). */
        private void begin(Frame next) {
            if (next == END) {
                ended = true;
            } else {
                current = next;
            }
        }

        /** @return the next frame, waiting for it, or {@code null} at the end. The reader. */
        Frame take() throws IOException {
            while (current == null) {
                if (ended) {
                    return endOrFailure();
                }
                try {
                    begin(frames.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a shared link");
                }
            }
            Frame f = current;
            current = null;
            return f;
        }

        private Frame endOrFailure() throws IOException {
            IOException f = failure;
            if (f != null) {
                // a protocol error, or a link's own account of a lost peer or fault, reaches the end as it is
                throw f instanceof ChannelProtocolException || f instanceof PeerLostException || f instanceof LinkFaultException
                        ? f : new IOException(f.getMessage(), f);
            }
            return null;
        }
    }
}
