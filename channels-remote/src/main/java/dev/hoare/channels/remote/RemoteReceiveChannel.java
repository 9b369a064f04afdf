package dev.hoare.channels.remote;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ForwardingReceiveChannel;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.Select;
import dev.hoare.channels.internal.AbstractChannel;
import dev.hoare.channels.internal.LinkEvents;
import dev.hoare.channels.internal.Counted;
import dev.hoare.channels.internal.CountersRegistry;
import dev.hoare.channels.internal.LockChannel;
import dev.hoare.channels.internal.SelectEnd;
import dev.hoare.channels.internal.Waiter;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving end of a channel whose senders are across {@link Link}s: one link
 * ({@link #open}), or any number of links attached over time, all fanned into one channel
 * ({@link #fanIn}, a server's Any2One). Each link has a reader thread that reads frames and
 * decodes DATA into the one in-process inbox; the application receives from the inbox. This end
 * is a {@link Select} case through {@link SelectEnd} ({@code SelectSide}): a select waits on the
 * inbox while the reader thread feeds it.
 *
 * <p>On two-way links the inbox is unbounded and credits bound it: each link's receiver announces
 * the capacity N after the handshake and grants a credit for each of that link's values the
 * application takes (in batches, {@link Credits}), so each sender is never more than N values
 * ahead of the application. The
 * inbox reports every put and take under its lock, and {@link #origins} keeps, in order, which
 * link each value came from (the inbox is FIFO, so the value taken is always the oldest). On a
 * one-way link the inbox holds up to N decoded values and then the reader stops reading, which
 * fills the OS buffer and blocks the writer.
 *
 * <p>On one link (not fanned in) that a receiving thread can read itself ({@link Link#canReadNow}:
 * a shared-memory ring, a socket in non-blocking mode), a receive reads the frames straight
 * from the link under a read lock while the reader thread stands aside: no hand-off, and a value
 * taken so grants its credit from the receiving thread, as the inbox's take hook does. The reader
 * thread feeds the inbox only while a select waits on it, or a virtual thread on a link whose wait
 * would hold its carrier ({@link Link#readNowFromVirtualThreads}).
 *
 * <p>With one link, its end (close frame, end of stream, bad frame) ends the channel. Fanned in,
 * a link's end only ends that link; the channel ends when the application closes it.
 *
 * <h2>State</h2>
 * Locks, in the only order they are ever nested: a connection's read lock ({@link Connection#readers}), then
 * the inbox's lock (a reader holding the read lock puts into the inbox; the inbox's take hook,
 * under the inbox lock, only counts a credit atomically and never takes the read lock). The link's
 * write lock ({@link FrameLink}) is taken under either, and takes none.
 *
 * <p>The end ({@link #released}, written once by the application's close or cancel, no lock):
 * <pre>
 *   OPEN       released=no   values from the links go into the inbox (or straight to a receiving thread)
 *   RELEASED   released=yes  the inbox is closed or cancelled; every connection is told ({@link Connection#release})
 *
 *   OPEN -> RELEASED   close() / cancel(), application thread; attach() afterwards closes its link and throws
 * </pre>
 * A connection's lifecycle ({@link Connection#finished}, volatile):
 * <pre>
 *   HANDSHAKE  the reader thread holds the read lock: reads the HELLO, announces the capacity (two-way)
 *   OPEN       frames are read, by the reader thread or (direct links) a receiving thread
 *   FINISHED   finished=yes: the link is closed, the connection removed, its threads unparked to end
 *
 *   HANDSHAKE -> OPEN      reader thread, handshake completed
 *   HANDSHAKE -> FINISHED  reader thread, the handshake failed ({@link Connection#fail})
 *   OPEN -> FINISHED       {@link Connection#finish}, by whoever reads when the link ends (the reader
 *                          thread, or a receiving thread under the read lock), or by the reader thread
 *                          when it finds the link closed by {@link #release}; finish is idempotent
 *                          (a second caller finds finished=yes, or repeats only idempotent steps)
 * </pre>
 * Who reads a connection's link ({@link Connection#pump} and {@link Connection#readers}, the
 * hand-off that {@link ReaderHandOff} describes; whoever reads holds the read lock):
 * <pre>
 *   state          pump  read lock held by    meaning
 *   PUMPING        yes   reader thread        frames are decoded into the inbox (always, unless direct)
 *   IDLE           no    nobody               direct link, nobody waits on the inbox: the reader
 *                                             thread parks {@link #IDLE_NANOS} at a time
 *   OWN_READ       any   a receiving thread   it reads for itself ({@link #receiveDirect}; one look:
 *                                             tryReceive, isEmpty, a select's try now); the reader
 *                                             thread stands aside while one wants the link
 *
 *   IDLE -> PUMPING      {@link Connection#wantPump} (a select registers, a virtual thread receives on a
 *                        link whose wait would pin it, isClosedForReceive), or the reader thread finds a
 *                        receiver waiting on the inbox
 *   PUMPING -> IDLE      reader thread, under the read lock: the link stayed silent {@link #SLICE_NANOS}
 *                        and nobody waits on the inbox
 *   IDLE -> OWN_READ     a receiving thread, whose tryLock of the read lock succeeds
 *   PUMPING -> OWN_READ  a receiving thread enters ({@link ReaderHandOff#enter}: counts itself in and
 *                        wakes the link's waiter); the reader thread flushes its batch into the inbox,
 *                        releases the read lock and stands aside; the receiving thread waits for the
 *                        lock, looking at the inbox in between
 *   OWN_READ -> PUMPING  the last receiving thread leaves while {@code pump} is set, and unparks the
 *                        reader thread
 *   OWN_READ -> IDLE     the last receiving thread leaves with {@code pump} clear
 * </pre>
 * A connection's {@code fed}, {@code received}, {@code hellos}, {@code closes} and {@code endCause}
 * are written only under its read lock; its {@code batch} only by the reader thread under it.
 *
 * <p>Invariants:
 * <ol>
 *   <li>At most one thread reads a link at a time: the holder of its read lock.</li>
 *   <li>Values leave a link in order: a reader that stands aside flushes its batch into the inbox
 *       first, and a receiving thread that reads for itself takes what the reader thread left in
 *       the inbox ({@code fed}) before it reads the link.</li>
 *   <li>Two-way links: {@link #origins} holds, in inbox order, the connection of every value in
 *       the inbox (under the inbox lock); each value taken (from the inbox, or read by a receiving
 *       thread itself) owes exactly one credit to its connection ({@link Credits}).</li>
 *   <li>A connection's DATA frames never exceed {@link Credits#allowed}: more is a protocol error,
 *       and {@code allowed} is raised before the CREDIT frame that grants it is written.</li>
 *   <li>One link: the link's end closes the inbox (with the cause); fanned in, it only finishes
 *       that connection.</li>
 *   <li>Liveness ({@link FrameLink#startLiveness}): a connection silent for a tick is nudged into
 *       PUMPING (direct links), so frames waiting in the link count; a reader waiting for room in a
 *       full inbox ({@code waitingForRoom}) waits for the application, and the silence is not
 *       counted; a link closed for silence ends the connection with that cause
 *       ({@link FrameLink#silence}), not as a release. PINGs are answered under the write lock.</li>
 * </ol>
 */
final class RemoteReceiveChannel<E> extends ForwardingReceiveChannel<E> implements SelectEnd.Named, Counted {
    private static final System.Logger LOG = System.getLogger(RemoteReceiveChannel.class.getName());

    private final Codec<E> codec;
    private final StreamOptions options;
    private final boolean fanIn;
    private final LockChannel<E> inbox;
    /** Which connection each value in the inbox came from, oldest first (two-way links). Guarded by the inbox lock. */
    private final ArrayDeque<Connection> origins = new ArrayDeque<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    /**
     * Values receiving threads read from the link and took themselves, past the inbox (for the
     * counters: the inbox counts the rest). Written under a connection's read lock (only a single
     * link is read directly), read by anyone.
     */
    private final AtomicLong takenDirectly = new AtomicLong();
    private volatile boolean released;
    /** The one link of a single-link end (not fanned in), once attached. */
    private volatile Connection single;

    /** What {@link Connection#handle} and {@link Connection#readOwn} say besides a value. */
    private static final Object MORE = new Object();
    private static final Object END = new Object();
    private static final Object NONE = new Object();
    private static final Object INBOX = new Object();
    /** How long an idle reader thread sleeps between looks at whether it is needed ({@link ReaderHandOff#IDLE_NANOS}). */
    private static final long IDLE_NANOS = ReaderHandOff.IDLE_NANOS;
    /** How long a pumping reader thread waits for the link before looking whether to stand aside ({@link ReaderHandOff#SLICE_NANOS}). */
    private static final long SLICE_NANOS = ReaderHandOff.SLICE_NANOS;

    private RemoteReceiveChannel(Codec<E> codec, StreamOptions options, boolean fanIn, boolean credits) {
        this(codec, options, fanIn, new Holder<>(), credits);
    }

    /** Lets the inbox's take hook reach the channel being constructed. */
    private static final class Holder<E> {
        RemoteReceiveChannel<E> end;
    }

    private RemoteReceiveChannel(Codec<E> codec, StreamOptions options, boolean fanIn, Holder<E> holder, boolean credits) {
        super(credits ? new LockChannel<>(Channel.UNLIMITED, Overflow.SUSPEND, null, () -> holder.end.taken())
                : new LockChannel<>(options.capacity(), Overflow.SUSPEND, null));
        holder.end = this;
        this.codec = codec;
        this.options = options;
        this.fanIn = fanIn;
        this.inbox = (LockChannel<E>) delegate();
        CountersRegistry.register(this); // published once a link names it
    }

    /** The first link's address: the end's name in its counters. Set once, by the first {@link #attach}. */
    private volatile String name = "";

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean finished() {
        return inbox.isClosedForReceive();
    }

    /**
     * The counters: the inbox's (values arrived and taken, depth, receivers waiting, their
     * waits) plus the values receiving threads read from the link themselves, named by the first link's address, with the links' frames and bytes summed, the
     * peer's pid while exactly one link is attached and its transport knows it, and the peer
     * alive while a link is attached.
     */
    @Override
    public dev.hoare.channels.ChannelStats stats() {
        dev.hoare.channels.ChannelStats in = inbox.stats();
        long framesIn = 0;
        long framesOut = 0;
        long bytesIn = 0;
        long bytesOut = 0;
        long peer = dev.hoare.channels.ChannelStats.UNKNOWN;
        long direct = takenDirectly.get();
        int links = 0;
        for (Connection c : connections) {
            framesIn += c.link.framesIn();
            framesOut += c.link.framesOut();
            bytesIn += c.link.bytesIn();
            bytesOut += c.link.bytesOut();
            peer = links == 0 ? c.link.peerPid() : dev.hoare.channels.ChannelStats.UNKNOWN; // one peer, or several
            links++;
        }
        long unknown = dev.hoare.channels.ChannelStats.UNKNOWN;
        return new dev.hoare.channels.ChannelStats(name, RemoteSendChannel.scheme(name), in.sent() + direct, in.received() + direct, in.depth(),
                options.capacity(), 0, in.blockedReceivers(), 0, in.receiveBlockedNanos(), framesOut, framesIn, bytesOut,
                bytesIn, unknown, peer, links > 0 ? 1 : 0, links);
    }

    /** One link: opens it (handshake within the timeout) and ends the channel when it ends. */
    static <E> ReceiveChannel<E> open(Link link, Codec<E> codec, StreamOptions options) throws IOException {
        if (!link.reads()) {
            throw new IllegalArgumentException(link.describe() + ": a receiving end needs a link that reads");
        }
        RemoteReceiveChannel<E> end = new RemoteReceiveChannel<>(codec, options, false, link.writes());
        end.attach(link).link.awaitHandshake();
        return end;
    }

    /** One link, attached by the caller with {@link #attach} (who then awaits its handshake). */
    static <E> RemoteReceiveChannel<E> single(Codec<E> codec, StreamOptions options) {
        return new RemoteReceiveChannel<>(codec, options, false, true);
    }

    /** No link yet: {@link #attach} adds two-way links (a server's accepted connections) over time. */
    static <E> RemoteReceiveChannel<E> fanIn(Codec<E> codec, StreamOptions options) {
        return new RemoteReceiveChannel<>(codec, options, true, true);
    }

    /**
     * Starts reading a link into this channel (its handshake runs on the link's reader thread).
     *
     * @return the connection (for its handshake)
     * @throws IOException if the first write fails; the link is closed then
     * @throws ChannelClosedException if this end is released
     */
    Connection attach(Link link) throws IOException {
        if (fanIn && !link.writes()) {
            throw new IllegalArgumentException(link.describe() + ": fanned-in links must be two-way");
        }
        Connection c = new Connection(new FrameLink(link, options));
        if (name.isEmpty()) {
            String address = link.describe();
            // a server's end is named by its address, not by its first client's link ("uds:PATH client")
            name = fanIn && address.endsWith(" client") ? address.substring(0, address.length() - " client".length()) : address;
        }
        if (released) {
            c.link.close();
            throw new ChannelClosedException(null);
        }
        connections.add(c);
        if (c.link.duplex()) {
            try {
                c.link.write(Frame.hello(codec.id(), options.maxFrame(), options.liveness().toMillis()));
            } catch (IOException e) {
                connections.remove(c);
                c.link.close();
                throw c.link.lost(e);
            }
        }
        c.thread.start();
        if (!fanIn) {
            single = c;
        }
        return c;
    }

    /**
     * @return the link a receiving thread on this thread may read itself, or {@code null}: not
     *     such a link, or a virtual thread on a link whose wait would hold its carrier (shared
     *     memory), which waits on the inbox and so needs the reader thread pumping
     */
    private Connection direct() {
        Connection c = single;
        if (c == null || !c.direct) {
            return null;
        }
        if (Thread.currentThread().isVirtual() && !c.link.link.readNowFromVirtualThreads()) {
            c.wantPump();
            return null;
        }
        return c;
    }

    /**
     * Receives by reading the link on this thread: no hand-off from the reader thread, which
     * stands aside meanwhile.
     *
     * @return a value, {@link #NONE} if the time ran out, or {@link #INBOX}: ask the inbox
     */
    private Object receiveDirect(Connection c, boolean timed, long deadline) throws InterruptedException {
        if (c.readers.tryLock()) { // nobody reads: no need to ask the reader thread to stand aside
            try {
                return c.readOwn(timed, deadline);
            } finally {
                c.readers.unlock();
                if (c.pump && !c.readers.wanted()) {
                    LockSupport.unpark(c.thread); // a select waits on the inbox: the reader thread feeds it again
                }
            }
        }
        try {
            // the reader thread holds the lock (it stands aside soon), or another receiving thread;
            // meanwhile the reader thread may have put values in the inbox (or wait for room in it)
            Object entered = c.readers.enter(timed, deadline, () -> {
                Object queued = inbox.doReceive(false, false, 0);
                if (queued != AbstractChannel.EMPTY) {
                    return queued == AbstractChannel.CLOSED ? INBOX : queued;
                }
                return c.finished ? INBOX : null;
            });
            if (entered == ReaderHandOff.TIMED_OUT) {
                return NONE;
            }
            if (entered != ReaderHandOff.LOCKED) {
                return entered;
            }
            try {
                return c.readOwn(timed, deadline); // looks at the inbox first
            } finally {
                c.readers.unlock();
            }
        } finally {
            if (c.readers.leave(false) == 0 && c.pump) {
                LockSupport.unpark(c.thread); // a select waits on the inbox: the reader thread feeds it again
            }
        }
    }

    @Override
    public E receive() throws InterruptedException {
        Connection c = direct();
        if (c != null) {
            Object r = receiveDirect(c, false, 0);
            if (r != INBOX) {
                return cast(r);
            }
        }
        return inbox.receive();
    }

    @Override
    public Optional<E> receive(Duration timeout) throws InterruptedException {
        Connection c = direct();
        if (c != null) {
            long deadline = System.nanoTime() + AbstractChannel.toNanos(timeout);
            Object r = receiveDirect(c, true, deadline);
            if (r == NONE) {
                return Optional.empty();
            }
            if (r != INBOX) {
                return Optional.of(cast(r));
            }
            return inbox.receive(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        }
        return inbox.receive(timeout);
    }

    @Override
    public Optional<E> tryReceive() {
        Optional<E> queued = inbox.tryReceive();
        Connection c = single;
        if (queued.isPresent() || c == null || !c.direct || !c.readers.tryLock()) {
            return queued;
        }
        try {
            Object r = c.readOwn(true, System.nanoTime());
            return r == NONE || r == INBOX ? inbox.tryReceive() : Optional.of(cast(r));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // one look never waits: only an interrupt already pending
            return Optional.empty();
        } finally {
            c.readers.unlock();
        }
    }

    @Override
    public Received<E> receiveResult() throws InterruptedException {
        Connection c = direct();
        if (c != null) {
            Object r = receiveDirect(c, false, 0);
            if (r != INBOX) {
                return Received.of(cast(r));
            }
        }
        return inbox.receiveResult();
    }

    /** {@inheritDoc} Values still in a link that receiving threads read themselves count too. */
    @Override
    public boolean isEmpty() {
        if (!inbox.isEmpty()) {
            return false;
        }
        Connection c = single;
        if (c == null || !c.direct || c.finished || !c.readers.tryLock()) {
            return true;
        }
        try {
            return !c.link.hasBufferedFrame() && !c.link.link.awaitReadable(0);
        } catch (IOException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return false; // the next receive reports it
        } finally {
            c.readers.unlock();
        }
    }

    /** {@inheritDoc} A link that receiving threads read themselves is read meanwhile, so its close is seen. */
    @Override
    public boolean isClosedForReceive() {
        if (inbox.isClosedForReceive()) {
            return true;
        }
        Connection c = single;
        if (c != null && c.direct) {
            c.wantPump();
        }
        return false;
    }

    /** A select takes this end as a case through {@link SelectSide}. */
    @Override
    public SelectEnd.Receive selectEnd() {
        return selectSide;
    }

    private final SelectEnd.Receive selectSide = new SelectSide();

    /**
     * This end as a select case ({@link SelectEnd}). Try now takes from the inbox, else reads a
     * direct link on the selecting thread if nobody else reads it now, as {@link #tryReceive}
     * does. Registering asks the reader thread to feed the inbox while the select waits, then
     * registers on the inbox, under whose lock everything a waiting receive case needs arrives
     * (values, the close). Only this end's own locks are taken (the inbox's, the link's read
     * lock), and the codec runs under the read lock alone.
     */
    private final class SelectSide implements SelectEnd.Receive {
        @Override
        public Object selectTryReceive() {
            Object v = inbox.selectTryReceive();
            Connection c = single;
            if (v != SelectEnd.EMPTY || c == null || !c.direct || !c.readers.tryLock()) {
                return v;
            }
            try {
                Object r = c.readOwn(true, System.nanoTime());
                return r == NONE || r == INBOX ? inbox.selectTryReceive() : r;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // one look never waits: only an interrupt already pending
                return SelectEnd.EMPTY;
            } finally {
                c.readers.unlock();
            }
        }

        @Override
        public boolean selectRegisterReceive(Waiter caseWaiter) {
            Connection c = single;
            if (c != null && c.direct) {
                c.wantPump(); // the reader thread feeds the inbox while the select waits on it
            }
            return inbox.selectRegisterReceive(caseWaiter);
        }

        @Override
        public void selectUnregisterReceive(Waiter caseWaiter) {
            inbox.selectUnregisterReceive(caseWaiter);
        }

        @Override
        public void selectPassOnRetryReceive() {
            inbox.selectPassOnRetryReceive();
        }

        @Override
        public Throwable closeCause() {
            return inbox.closeCause();
        }
    }

    /** The inbox's take hook, under its lock: the credit goes back to the value's connection. */
    private void taken() {
        Connection from = origins.poll();
        if (from != null) {
            from.credits.taken();
        }
    }

    @SuppressWarnings("unchecked")
    private static <E> E cast(Object o) {
        return (E) o;
    }

    private E decode(byte[] payload) throws ChannelProtocolException {
        try {
            return codec.decode(payload);
        } catch (ChannelProtocolException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ChannelProtocolException("codec '" + codec.id() + "' could not decode a DATA frame of "
                    + payload.length + " bytes: " + e, e);
        }
    }

    /**
     * Releases the endpoint: no more values are accepted from the peers, which learn it (on
     * two-way links) as a close; the values that had arrived stay receivable.
     */
    @Override
    public void close() {
        release(null, false);
    }

    /** Releases the endpoint and discards the values that had arrived; the peers learn the cause. */
    @Override
    public void cancel(Throwable cause) {
        release(cause, true);
    }

    private void release(Throwable cause, boolean discard) {
        released = true;
        if (discard) {
            inbox.cancel(cause);
        } else {
            inbox.close(cause);
        }
        for (Connection c : connections) {
            c.release(cause);
        }
    }

    @Override
    public String toString() {
        return "RemoteReceiveChannel[" + (fanIn ? connections.size() + " connections" : describeLinks()) + ", " + inbox + "]";
    }

    private String describeLinks() {
        return connections.stream().map(c -> c.link.describe()).findFirst().orElse("closed");
    }

    /** One link into the channel: its reader thread, its batch, its credits. */
    final class Connection {
        final FrameLink link;
        private final Credits credits;
        /** Values decoded from frames that came in one read, handed to the inbox together. */
        private final ArrayList<Object> batch = new ArrayList<>();
        private final Runnable putHook;
        /** DATA frames read (under the read lock: the reader thread, or a receiving thread reading for itself). */
        private long received;
        /** {@link #allowedWhenRead}: the credits granted at the link read of {@link #readsAtSnapshot}. */
        private long allowedAtRead;
        private long readsAtSnapshot = -2;
        /** Whether receiving threads read the link themselves ({@link Link#canReadNow}; one link, not fanned in). */
        final boolean direct;
        /**
         * Who reads the link ({@link ReaderHandOff}): the reader thread pumping, or a receiving
         * thread reading for itself, holding the read lock. The reader thread stands aside while
         * receiving threads want the link (it does not linger after them).
         */
        final ReaderHandOff readers;
        /**
         * Whether the reader thread should pump frames into the inbox: always unless {@link #direct};
         * on a direct link while a select (or a virtual thread) may wait on the inbox, standing
         * aside whenever a receiving thread reads, until it finds nobody waiting.
         */
        volatile boolean pump;
        /** The link has ended: the sender closed, it failed, or the application released it. */
        volatile boolean finished;
        final Thread thread;
        /** Whether the reader thread may have left values in the inbox (under the read lock). */
        private boolean fed;
        /**
         * The reader thread waits for room in a full inbox (a one-way link): it waits for the
         * application, not for the peer, so the liveness watch does not count the time.
         */
        private volatile boolean waitingForRoom;
        /** Shared links: HELLOs and closes seen, and the first close cause (under the read lock). */
        private int hellos = 1;
        private int closes;
        private Throwable endCause;

        Connection(FrameLink link) {
            this.link = link;
            this.credits = link.duplex() ? new Credits(link, options.capacity()) : null;
            this.putHook = credits == null ? null : () -> origins.add(this);
            this.direct = link.link.canReadNow() && !fanIn;
            this.readers = new ReaderHandOff(link.link, 0);
            this.pump = !direct;
            this.thread = link.thread("receive", this::readLoop);
        }

        /** @return the link's frames (for the handshake) */
        FrameLink frames() {
            return link;
        }

        private void readLoop() {
            readers.lock();
            try {
                link.readHello(codec.id());
                if (credits != null) {
                    credits.allowed.set(Math.max(1, options.capacity())); // the window a rendezvous allows is 1
                    link.write(Frame.credit(options.capacity()));
                    credits.thread.start();
                }
                link.handshake.complete(null);
                link.startLiveness(link::writePing, () -> {
                    if (direct) {
                        wantPump(); // frames that wait in the link count only once read
                    }
                }, () -> waitingForRoom, () -> LockSupport.unpark(thread));
            } catch (IOException e) {
                fail(e);
                return;
            } finally {
                readers.unlock();
            }
            while (!finished) {
                if (link.isClosed()) {
                    if (link.silence() != null) {
                        fail(link.silence()); // the liveness watch closed the link: the peer is silent
                    } else {
                        finish(); // the application released the end (release() woke this thread): it ends here
                    }
                    return;
                }
                if (readers.wanted() || (!pump && inbox.waitingReceivers() == 0)) {
                    LockSupport.parkNanos(this, IDLE_NANOS); // a receiving thread reads, or nobody waits
                    continue;
                }
                pump = true;
                readers.lock();
                try {
                    pump();
                } finally {
                    readers.unlock();
                }
            }
        }

        /**
         * Under the read lock: frames into the inbox until the link ends or, on a direct link, a
         * receiving thread comes to read for itself.
         */
        private void pump() {
            try {
                while (!finished) {
                    if (direct) {
                        if (readers.wanted()) {
                            flush(); // values it read go first: the receiving thread reads what follows them
                            return; // stands aside
                        }
                        if (!link.hasBufferedFrame() && !link.link.awaitReadable(SLICE_NANOS)) {
                            if (inbox.waitingReceivers() == 0) {
                                pump = false; // nobody waits on the inbox now (a select that comes asks again)
                                return;
                            }
                            continue;
                        }
                    }
                    Object r = handle(link.read());
                    if (r == END) {
                        flush();
                        ended(endCause);
                        return;
                    }
                    if (r != MORE) {
                        batch.add(r);
                        if (batch.size() >= 1024 || !link.hasBufferedFrame()) {
                            flush();
                        }
                    }
                }
            } catch (ChannelClosedException | InterruptedException releasedByApplication) {
                finish(); // the application closed or cancelled the end: release() does the rest
            } catch (RuntimeException e) {
                fail(unexpected(e));
            } catch (IOException e) {
                try {
                    flush(); // what arrived before the failure is still delivered
                } catch (ChannelClosedException | InterruptedException releasedMeanwhile) {
                    // nothing more to deliver to
                }
                fail(e);
            }
        }

        /**
         * The credits granted when the link handed up the frame being handled: every frame of one
         * read was sent before it, so none of them may exceed what was granted by then, although
         * credits granted since (for values taken meanwhile, one receive at a time) would allow
         * it. A sender ahead of its credits is so cut off at the frames it sent too early, however
         * the receiving threads take them.
         */
        private long allowedWhenRead() {
            long reads = link.linkReads();
            if (reads < 0 || reads != readsAtSnapshot) {
                allowedAtRead = credits.allowed.get();
                readsAtSnapshot = reads;
            }
            return allowedAtRead;
        }

        /**
         * One frame from the link ({@code null}: its end). A link several writers share (a FIFO)
         * has a HELLO and a close from each, and ends when the last writer has gone: closed if
         * all said so, else lost. (The first HELLO was read by the handshake.)
         *
         * @return a DATA frame's value, {@link #MORE} after any other frame, or {@link #END} when
         *     the sender (every writer) closed, the cause in {@link #endCause}
         */
        private Object handle(Frame f) throws IOException {
            boolean shared = link.link.sharedByWriters();
            if (f == null) {
                if (!shared) {
                    throw link.endOfStream();
                }
                if (closes < hellos) {
                    throw new PeerLostException(link.describe() + ": " + (hellos - closes) + " of " + hellos
                            + " writers went away without closing the channel");
                }
                return END;
            }
            switch (f.kind()) {
                case DATA -> {
                    if (credits != null && ++received > allowedWhenRead()) {
                        throw new ChannelProtocolException("the sender sent more values than it had credits for ("
                                + allowedAtRead + ")");
                    }
                    return decode(f.payload());
                }
                case HELLO -> {
                    if (shared) {
                        f.checkHello(codec.id());
                        hellos++;
                        return MORE;
                    }
                }
                case PING -> {
                    link.answerPing(f);
                    return MORE;
                }
                case PONG -> {
                    return MORE;
                }
                case CLOSE, CLOSE_WITH_CAUSE -> {
                    Throwable cause = f.closeCause();
                    endCause = endCause != null ? endCause : cause;
                    if (!shared) {
                        return END;
                    }
                    closes++;
                    return MORE;
                }
                default -> {
                }
            }
            throw new ChannelProtocolException("unexpected " + f.kind() + " frame from a " + (shared ? "writer" : "sender"));
        }

        /**
         * A receiving thread reads the link for itself (direct links), under the read lock, until
         * a value comes or the time runs out. Values the reader thread put in the inbox come first.
         *
         * @param deadline a {@link System#nanoTime} deadline, if {@code timed}
         * @return a value, {@link #NONE} if the time ran out, or {@link #INBOX} if the link has
         *     ended: the inbox then says what is left (values, or closed with the cause)
         */
        private Object readOwn(boolean timed, long deadline) throws InterruptedException {
            if (fed) {
                Object queued = inbox.doReceive(false, false, 0);
                if (queued != AbstractChannel.EMPTY) {
                    return queued == AbstractChannel.CLOSED ? INBOX : queued;
                }
                fed = false;
            }
            if (finished) {
                return INBOX;
            }
            try {
                while (true) {
                    if (!link.hasBufferedFrame()
                            && !link.link.awaitReadable(timed ? Math.max(0, deadline - System.nanoTime()) : Long.MAX_VALUE)) {
                        if (timed && deadline - System.nanoTime() > 0) {
                            continue; // woken early (another thread wants the link): this one's time is not up
                        }
                        return NONE;
                    }
                    Object r = handle(link.read());
                    if (r == END) {
                        ended(endCause);
                        return INBOX;
                    }
                    if (r != MORE) {
                        if (credits != null) {
                            credits.takenHere(); // taken by the application now: the credit leaves from here
                        }
                        takenDirectly.lazySet(takenDirectly.get() + 1); // one reader at a time
                        return r;
                    }
                }
            } catch (RuntimeException e) {
                fail(unexpected(e));
                return INBOX;
            } catch (IOException e) {
                fail(e);
                return INBOX;
            }
        }

        /** The reader thread should pump frames into the inbox (a select or a virtual thread waits on it). */
        void wantPump() {
            if (!pump) {
                pump = true;
                LockSupport.unpark(thread);
            }
        }

        private void flush() throws InterruptedException {
            fed |= !batch.isEmpty();
            for (int i = 0; i < batch.size(); ) {
                i += inbox.trySendMany(batch, i, putHook);
                if (i < batch.size()) {
                    waitingForRoom = true;
                    try {
                        inbox.send(cast(batch.get(i++))); // a one-way link's full inbox: wait for room
                    } finally {
                        waitingForRoom = false;
                    }
                }
            }
            batch.clear();
        }

        /** The sender closed: the channel closes (one link), or just this link ends (fanned in). */
        private void ended(Throwable cause) {
            if (!fanIn) {
                inbox.close(cause);
            }
            finish();
        }

        /** The link failed: what arrived stays receivable, then receivers see the cause (one link). */
        private void fail(IOException e) {
            Throwable cause = link.closeCause(e);
            if (!released) {
                LinkEvents.ended(link::describe, "receive", cause); // before anyone can see the end fail
            }
            if (!released && cause instanceof ChannelProtocolException && link.duplex()) {
                // tell the sender why we stop listening, before anything may close the link: a
                // failed handshake's opener closes it as soon as the handshake completes
                link.writeReleaseQuietly(cause);
            }
            link.handshake.completeExceptionally(cause);
            if (!released) {
                if (fanIn) {
                    LOG.log(System.Logger.Level.WARNING, "dropped a sender of a fanned-in channel: {0}", cause.getMessage());
                } else {
                    inbox.close(cause);
                }
            }
            finish();
        }

        private IOException unexpected(RuntimeException e) {
            return new IOException("unexpected failure reading " + link.describe() + ": " + e, e);
        }

        /** The link is done with: once, by whoever reads it when it ends. */
        private void finish() {
            if (finished) {
                return;
            }
            finished = true;
            connections.remove(this);
            link.close();
            if (credits != null) {
                LockSupport.unpark(credits.thread);
            }
            LockSupport.unpark(thread);
        }

        /**
         * The application released the end: the peer learns it (two-way links), the link closes,
         * and this connection's threads end promptly, wherever they wait. A thread reading the link
         * (the reader thread pumping, or a receiving thread) returns from it, the link being
         * closed, and finishes; an idle reader thread and the credit thread, parked, are woken to
         * see the closed link. So a released end keeps no thread, descriptor or mapping, whether
         * or not its stream had ended.
         */
        private void release(Throwable cause) {
            if (link.duplex() && !link.isClosed()) {
                link.writeReleaseQuietly(cause);
            }
            link.close();
            LockSupport.unpark(thread);
            if (credits != null) {
                LockSupport.unpark(credits.thread);
            }
        }
    }

    /**
     * The credits of one two-way connection. The credit thread's states ({@link #pending},
     * {@link #sleeping}; no lock, atomics only):
     * <pre>
     *   SLEEPING   pending=0, sleeping=yes  parked without a time limit; the first credit owed unparks it
     *   DELAYING   0 &lt; pending &lt; batch     parked until a batch is owed or {@link #DELAY_NANOS} has passed
     *   GRANTING   pending taken to 0       writes one CREDIT frame under the link's write lock
     * </pre>
     * A receiving thread that read a value itself may grant a due batch in its place
     * ({@link #grantNow}: only if the link can write now and nobody else writes). Invariants:
     * pending plus every credit granted equals the values taken; {@link #allowed} is raised before
     * its CREDIT frame is written, and lowered again only if that frame was not written at all.
     *
     * <p>Grants credits for taken values, in batches: a CREDIT frame wakes the sender's process, so
     * one per value would cost a stream more than the values themselves. Credits owed go back
     * when a batch ({@link #batch}, half the window) is owed, and otherwise within
     * {@link #DELAY_NANOS} of being owed, so a sender is never kept waiting long for credits its
     * receiver owes. A sender that waits for them meanwhile has left more than half the window
     * for the receiving application to take: the batch does not starve it (as TCP's receiver
     * does not announce a window that opened only a little). Smaller batches measured slower
     * (docs/benchmarks.md): each CREDIT frame costs both processes wake-ups. The receiving thread
     * that read a value itself writes a batch when it is due ({@link #takenHere}); else the
     * credit thread writes it.
     */
    private static final class Credits implements Runnable {
        /** The longest a credit is owed before it goes back, short of a batch. */
        static final long DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
        private final FrameLink link;
        private final AtomicInteger pending = new AtomicInteger();
        /** How many values the sender may have sent so far: the window plus every credit granted. */
        final java.util.concurrent.atomic.AtomicLong allowed = new java.util.concurrent.atomic.AtomicLong();
        final Thread thread;
        /** Credits owed that make a batch: half the window, at least 1 (every credit, in a rendezvous). */
        private final int batch;
        /** The credit thread is parked with no time limit (nothing was owed): a first credit owed wakes it. */
        private volatile boolean sleeping;

        Credits(FrameLink link, int capacity) {
            this.link = link;
            this.batch = Math.max(1, capacity / 2);
            this.thread = link.thread("credit", this);
        }

        /** Called under the inbox lock for every value the application takes: must not block. */
        void taken() {
            int n = pending.incrementAndGet();
            if (n == batch || (n == 1 && sleeping)) {
                LockSupport.unpark(thread); // a batch to write, or the delay of a first credit owed to start
            }
        }

        /** A value the receiving thread read itself was taken: writes a batch that is due from that thread. */
        void takenHere() {
            int n = pending.incrementAndGet();
            if (n >= batch) {
                grantNow();
            } else if (n == 1 && sleeping) {
                LockSupport.unpark(thread); // the delay starts
            }
        }

        /**
         * From a receiving thread: grants the pending credits in one frame now, if the link can
         * write without blocking and no other write is under way; else the credit thread is
         * woken for them. The credit thread finishes a frame the link took only part of.
         */
        void grantNow() {
            if (!link.link.canWriteNow() || !link.tryLockWrites()) {
                LockSupport.unpark(thread);
                return;
            }
            try {
                int n = pending.getAndSet(0);
                if (n == 0) {
                    return;
                }
                allowed.addAndGet(n); // counted before the sender can use them
                byte[] frame = FrameWriter.encode(Frame.credit(n).onStream(link.stream));
                if (!link.writeNow(frame, frame.length)) {
                    allowed.addAndGet(-n); // not written, so not usable: the credit thread grants them
                    pending.addAndGet(n);
                    LockSupport.unpark(thread);
                } else if (link.link.hasPendingWrite()) {
                    LockSupport.unpark(thread); // it finishes the frame
                }
            } finally {
                link.unlockWrites();
            }
        }

        @Override
        public void run() {
            long owedSince = 0; // when this thread first saw credits owed that it has not granted
            try {
                while (!link.isClosed()) {
                    int n = pending.get();
                    long now = n > 0 ? System.nanoTime() : 0;
                    if (n > 0 && owedSince == 0) {
                        owedSince = now;
                    }
                    if (n > 0 && (n >= batch || now - owedSince >= DELAY_NANOS)) {
                        n = pending.getAndSet(0);
                        owedSince = 0;
                        if (n > 0) {
                            allowed.addAndGet(n); // counted before the sender can use them
                            link.write(Frame.credit(n));
                        }
                        continue;
                    }
                    link.finishWrites(); // what a receiving thread's credit left unwritten, if anything
                    if (n > 0) {
                        if (pending.get() < batch) { // looked at again: waiting for the write lock may have taken an unpark
                            LockSupport.parkNanos(this, owedSince + DELAY_NANOS - now); // until a batch, or the delay's end
                        }
                        continue;
                    }
                    owedSince = 0;
                    sleeping = true;
                    if (pending.get() == 0) { // looked at again: a take may have missed the flag (or the lock wait taken an unpark)
                        LockSupport.park(this);
                    }
                    sleeping = false;
                }
            } catch (IOException e) {
                // the reader sees the broken link too
            }
        }
    }
}
