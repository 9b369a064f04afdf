package dev.hoare.channels;

import dev.hoare.channels.spi.Link;
import dev.hoare.channels.spi.StreamOptions;
import dev.hoare.channels.wire.Frame;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving end of a channel whose senders are across {@link Link}s: one link
 * ({@link #open}), or any number of links attached over time, all fanned into one channel
 * ({@link #fanIn}, a server's Any2One). Each link has a reader thread that reads frames and
 * decodes DATA into the one in-process inbox; the application receives from the inbox, so this
 * end is a {@link Select} case like a local channel (select resolves through it to the inbox).
 *
 * <p>On two-way links the inbox is unbounded and credits bound it: each link's receiver announces
 * the capacity N after the handshake and grants a credit whenever the application takes one of
 * that link's values, so each sender is never more than N values ahead of the application. The
 * inbox reports every put and take under its lock, and {@link #origins} keeps, in order, which
 * link each value came from (the inbox is FIFO, so the value taken is always the oldest). On a
 * one-way link the inbox holds up to N decoded values and then the reader stops reading, which
 * fills the OS buffer and blocks the writer.
 *
 * <p>With one link, its end (close frame, end of stream, bad frame) ends the channel. Fanned in,
 * a link's end only ends that link; the channel ends when the application closes it.
 */
final class RemoteReceiveChannel<E> extends ForwardingReceiveChannel<E> {
    private static final System.Logger LOG = System.getLogger(RemoteReceiveChannel.class.getName());

    private final Codec<E> codec;
    private final StreamOptions options;
    private final boolean fanIn;
    private final LockChannel<E> inbox;
    /** Which connection each value in the inbox came from, oldest first (two-way links). Guarded by the inbox lock. */
    private final ArrayDeque<Connection> origins = new ArrayDeque<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private volatile boolean released;

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
    }

    /** One link: opens it (handshake within the timeout) and ends the channel when it ends. */
    static <E> ReceiveChannel<E> open(Link link, Codec<E> codec, StreamOptions options) throws IOException {
        if (link.in() == null) {
            throw new IllegalArgumentException(link.describe() + ": a receiving end needs a link that reads");
        }
        RemoteReceiveChannel<E> end = new RemoteReceiveChannel<>(codec, options, false, link.out() != null);
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
        if (fanIn && link.out() == null) {
            throw new IllegalArgumentException(link.describe() + ": fanned-in links must be two-way");
        }
        Connection c = new Connection(new FrameLink(link, options));
        if (released) {
            c.link.close();
            throw new ChannelClosedException(null);
        }
        connections.add(c);
        if (c.link.duplex()) {
            try {
                c.link.write(Frame.hello(codec.id(), options.maxFrame()));
            } catch (IOException e) {
                connections.remove(c);
                c.link.close();
                throw c.link.lost(e);
            }
        }
        c.link.thread("receive", c::readLoop).start();
        return c;
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
        /** DATA frames read (reader thread only). */
        private long received;

        Connection(FrameLink link) {
            this.link = link;
            this.credits = link.duplex() ? new Credits(link) : null;
            this.putHook = credits == null ? null : () -> origins.add(this);
        }

        /** @return the link's frames (for the handshake) */
        FrameLink frames() {
            return link;
        }

        private void readLoop() {
            try {
                link.readHello(codec.id());
                if (credits != null) {
                    credits.allowed.set(Math.max(1, options.capacity())); // the window a rendezvous allows is 1
                    link.write(Frame.credit(options.capacity()));
                    credits.thread.start();
                }
                link.handshake.complete(null);
                if (link.link.sharedByWriters()) {
                    readShared();
                    return;
                }
                while (true) {
                    Frame f = link.read();
                    if (f == null) {
                        throw link.endOfStream();
                    }
                    switch (f.kind()) {
                        case DATA -> deliver(f);
                        case CLOSE -> {
                            flush();
                            ended(null);
                            return;
                        }
                        case CLOSE_WITH_CAUSE -> {
                            flush();
                            ended(f.cause());
                            return;
                        }
                        default -> throw new ChannelProtocolException("unexpected " + f.kind() + " frame from a sender");
                    }
                }
            } catch (ChannelClosedException | InterruptedException releasedByApplication) {
                // the application closed or cancelled the end: release() does the rest
            } catch (IOException e) {
                try {
                    flush(); // what arrived before the failure is still delivered
                } catch (ChannelClosedException | InterruptedException releasedMeanwhile) {
                    // nothing more to deliver to
                }
                fail(e);
            } finally {
                connections.remove(this);
                link.close();
                if (credits != null) {
                    LockSupport.unpark(credits.thread);
                }
            }
        }

        /**
         * A link several writers share (a FIFO): each says HELLO and closes on its own, and the
         * stream ends when the last writer has gone. The first HELLO was read by the handshake.
         */
        private void readShared() throws IOException, InterruptedException {
            int hellos = 1;
            int closes = 0;
            Throwable cause = null;
            while (true) {
                Frame f = link.read();
                if (f == null) {
                    flush();
                    if (closes < hellos) {
                        throw new PeerLostException(link.describe() + ": " + (hellos - closes) + " of " + hellos
                                + " writers went away without closing the channel");
                    }
                    ended(cause);
                    return;
                }
                switch (f.kind()) {
                    case DATA -> deliver(f);
                    case HELLO -> {
                        f.checkHello(codec.id());
                        hellos++;
                    }
                    case CLOSE -> closes++;
                    case CLOSE_WITH_CAUSE -> {
                        closes++;
                        cause = cause != null ? cause : f.cause();
                    }
                    default -> throw new ChannelProtocolException("unexpected " + f.kind() + " frame from a writer");
                }
            }
        }

        /**
         * Decodes a DATA frame into the batch; hands the batch to the inbox when no further frame
         * is already buffered (so a value never waits for the next one to arrive) or the batch is
         * large. (The read loop flushes the batch before it reports a bad frame or a lost peer.)
         */
        private void deliver(Frame f) throws IOException, InterruptedException {
            if (credits != null && ++received > credits.allowed.get()) {
                throw new ChannelProtocolException("the sender sent more values than it had credits for ("
                        + credits.allowed.get() + ")");
            }
            batch.add(decode(f.payload()));
            if (batch.size() >= 1024 || !link.hasBufferedFrame()) {
                flush();
            }
        }

        private void flush() throws InterruptedException {
            for (int i = 0; i < batch.size(); ) {
                i += inbox.trySendMany(batch, i, putHook);
                if (i < batch.size()) {
                    inbox.send(cast(batch.get(i++))); // a one-way link's full inbox: wait for room
                }
            }
            batch.clear();
        }

        /** The sender closed: the channel closes (one link), or just this link ends (fanned in). */
        private void ended(Throwable cause) {
            if (!fanIn) {
                inbox.close(cause);
            }
        }

        /** The link failed: what arrived stays receivable, then receivers see the cause (one link). */
        private void fail(IOException e) {
            IOException cause = link.lost(e);
            link.handshake.completeExceptionally(cause);
            if (released) {
                return;
            }
            if (cause instanceof ChannelProtocolException && link.duplex()) {
                link.writeReleaseQuietly(cause); // tell the sender why we stop listening
            }
            if (fanIn) {
                LOG.log(System.Logger.Level.WARNING, "dropped a sender of a fanned-in channel: {0}", cause.getMessage());
            } else {
                inbox.close(cause);
            }
        }

        private void release(Throwable cause) {
            if (link.duplex() && !link.isClosed()) {
                link.writeReleaseQuietly(cause);
            }
            link.close();
        }
    }

    /** Grants credits for taken values from its own thread: the inbox reports takes under its lock. */
    private static final class Credits implements Runnable {
        private final FrameLink link;
        private final AtomicInteger pending = new AtomicInteger();
        /** How many values the sender may have sent so far: the window plus every credit granted. */
        final java.util.concurrent.atomic.AtomicLong allowed = new java.util.concurrent.atomic.AtomicLong();
        final Thread thread;

        Credits(FrameLink link) {
            this.link = link;
            this.thread = link.thread("credit", this);
        }

        /** Called under the inbox lock for every value the application takes: must not block. */
        void taken() {
            if (pending.getAndIncrement() == 0) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            try {
                while (!link.isClosed()) {
                    int n = pending.getAndSet(0);
                    if (n > 0) {
                        allowed.addAndGet(n); // counted before the sender can use them
                        link.write(Frame.credit(n));
                    } else {
                        LockSupport.park(this);
                    }
                }
            } catch (IOException e) {
                // the reader sees the broken link too
            }
        }
    }
}
