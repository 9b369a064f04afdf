package dev.hoare.channels.remote;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.LinkFaultException;
import dev.hoare.channels.link.LinkStreams;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One two-way link carrying two channels, one each way: this side's send end and receive end.
 * A demultiplexing thread reads the link's frames and routes each by kind to the end it belongs
 * to (the ends read them from {@link Side#in()} as if each had the link to itself): DATA, CLOSE
 * and CLOSE_WITH_CAUSE belong to the channel coming in; CREDIT and RELEASE to the channel going
 * out; of the peer's two HELLOs, its receive end's comes first (each side starts its receive end
 * before its send end), so the first goes to our send end and the second to our receive end.
 * Both ends write whole frames through one lock. The link closes when both ends have closed it.
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
 * </ol>
 */
final class DuplexLink {
    private final Link link;
    private final FrameReader reader;
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
    /** The link has ended (end of stream or a failure): both sides were told. Guarded by the read lock. */
    private boolean finished;
    /** {@link ReaderHandOff#DUPLEX_SLICE_NANOS}: the longest single wait on the link, or for a receiving thread to finish with it. */
    private static final long SLICE_NANOS = ReaderHandOff.DUPLEX_SLICE_NANOS;
    /** Where frames for our send end go (the peer's receive end's HELLO, CREDIT, RELEASE). */
    final Side sendSide = new Side("send");
    /** Where frames for our receive end go (the peer's send end's HELLO, DATA, CLOSE). */
    final Side receiveSide = new Side("receive");

    /**
     * @param capacity the capacity the receive end announces: a peer that keeps its credits never
     *     has more than {@code max(1, capacity)} values waiting here for the receive end
     */
    DuplexLink(Link link, int maxFrame, int capacity) {
        if (link.in() == null || link.out() == null) {
            throw new IllegalArgumentException(link.describe() + ": carrying a channel each way needs a two-way link");
        }
        this.link = link;
        this.reader = new FrameReader(link.in(), maxFrame);
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
                    if (!readers.wanted() && (reader.hasBufferedFrame() || link.awaitReadable(SLICE_NANOS))) {
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
            Frame f = reader.read();
            if (f == null) {
                end(null);
                return false;
            }
            Side to = switch (f.kind()) {
                case HELLO -> hellos++ == 0 ? sendSide : receiveSide;
                case CREDIT, RELEASE -> sendSide;
                case DATA, CLOSE, CLOSE_WITH_CAUSE -> receiveSide;
            };
            if (to == receiveSide && receiveSide.in.waiting() >= waitingLimit) {
                throw new ChannelProtocolException("the sender sent more values than it had credits for ("
                        + (waitingLimit - 2) + " waiting to be received)");
            }
            to.in.feed(FrameWriter.encode(f));
            return true;
        } catch (IOException e) {
            end(e);
            return false;
        }
    }

    /** The link has ended, cleanly ({@code null}) or not: both sides see it; a peer that broke the protocol is cut off. */
    private void end(IOException cause) {
        if (finished) {
            return;
        }
        finished = true;
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
                    if (!reader.hasBufferedFrame() && !link.awaitReadable(Math.min(left, SLICE_NANOS))) {
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

    /** A peer that broke the protocol: tells it why (best effort) and closes the connection. */
    private void cutOff(IOException cause) {
        writeLock.lock();
        try {
            link.out().write(FrameWriter.encode(Frame.release(cause)));
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
        private final FrameQueue in = new FrameQueue();
        private final OutputStream out = new LinkStreams.Out() {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                writeLock.lock();
                try {
                    link.out().write(b, off, len);
                } finally {
                    writeLock.unlock();
                }
            }

            @Override
            public void flush() throws IOException {
                link.out().flush();
            }
        };
        /** This side's close ran. Guarded by {@link #closeLock}. */
        private boolean closed;
        /** Serializes this side's close (a ReentrantLock, never {@code synchronized}: virtual threads close ends). */
        private final ReentrantLock closeLock = new ReentrantLock();

        Side(String role) {
            this.role = role;
        }

        @Override
        public InputStream in() {
            return in;
        }

        @Override
        public OutputStream out() {
            return out;
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
    }

    /** The bytes of the frames routed to one end, read as a stream; ends with EOF or a failure. */
    private static final class FrameQueue extends LinkStreams.In {
        private static final byte[] END = new byte[0];
        private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private volatile IOException failure;
        private byte[] current = new byte[0];
        private int pos;
        private boolean ended;

        void feed(byte[] frame) {
            chunks.add(frame);
        }

        /** @return the frames fed and not yet begun by the reader */
        int waiting() {
            return chunks.size();
        }

        void end(IOException cause) {
            if (cause != null && failure == null) {
                failure = cause;
            }
            chunks.add(END);
        }

        /**
         * Waits until a read returns at once (bytes, the end or a failure), at most
         * {@code timeoutNanos} ({@link Long#MAX_VALUE}: no limit). One reader at a time.
         */
        boolean await(long timeoutNanos) throws InterruptedException {
            if (pos < current.length || ended) {
                return true;
            }
            byte[] next = timeoutNanos == Long.MAX_VALUE ? chunks.take()
                    : chunks.poll(Math.max(0, timeoutNanos), TimeUnit.NANOSECONDS);
            if (next == null) {
                return false;
            }
            begin(next);
            return true;
        }

        /** Makes {@code chunk} the one being read (the end marker: the stream has ended). */
        private void begin(byte[] chunk) {
            pos = 0;
            ended = chunk == END;
            current = ended ? new byte[0] : chunk;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (pos == current.length) {
                if (ended) {
                    return endOrFailure();
                }
                try {
                    begin(chunks.take());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a shared link");
                }
            }
            int n = Math.min(len, current.length - pos);
            System.arraycopy(current, pos, b, off, n);
            pos += n;
            return n;
        }

        private int endOrFailure() throws IOException {
            IOException f = failure;
            if (f != null) {
                // a protocol error, or a link's own account of a lost peer or fault, reaches the end as it is
                throw f instanceof ChannelProtocolException || f instanceof PeerLostException || f instanceof LinkFaultException
                        ? f : new IOException(f.getMessage(), f);
            }
            return -1;
        }
    }
}
