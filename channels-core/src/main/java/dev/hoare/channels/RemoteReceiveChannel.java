package dev.hoare.channels;

import dev.hoare.channels.spi.Link;
import dev.hoare.channels.spi.StreamOptions;
import dev.hoare.channels.wire.Frame;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The receiving end of a channel whose sender is across a {@link Link}. A reader thread reads
 * frames, decodes DATA into an in-process inbox channel, and closes the inbox on CLOSE, on a
 * protocol error or when the peer is lost; the application receives from the inbox, so this end
 * is a {@link Select} case like a local channel (select resolves through it to the inbox).
 *
 * <p>On a two-way link the inbox is unbounded and credits bound it: this end announces its
 * capacity N after the handshake and grants one credit per value its application takes (the
 * inbox reports every take), coalesced by a credit thread, so the sender is never more than N
 * values ahead of the application. On a one-way link the inbox holds up to N decoded values and
 * then the reader stops reading, which fills the OS buffer and blocks the writer.
 */
final class RemoteReceiveChannel<E> extends ForwardingReceiveChannel<E> {
    private final FrameLink link;
    private final Codec<E> codec;
    private final LockChannel<E> inbox;
    private final Credits credits;
    private volatile boolean released;

    private RemoteReceiveChannel(FrameLink link, Codec<E> codec, LockChannel<E> inbox, Credits credits) {
        super(inbox);
        this.link = link;
        this.codec = codec;
        this.inbox = inbox;
        this.credits = credits;
    }

    static <E> ReceiveChannel<E> open(Link link, Codec<E> codec, StreamOptions options) throws IOException {
        FrameLink frames = new FrameLink(link, options);
        if (link.in() == null) {
            throw new IllegalArgumentException(link.describe() + ": a receiving end needs a link that reads");
        }
        Credits credits = frames.duplex() ? new Credits(frames) : null;
        LockChannel<E> inbox = credits != null
                ? new LockChannel<>(Channel.UNLIMITED, Overflow.SUSPEND, null, credits::taken)
                : new LockChannel<>(options.capacity(), Overflow.SUSPEND, null);
        RemoteReceiveChannel<E> end = new RemoteReceiveChannel<>(frames, codec, inbox, credits);
        if (frames.duplex()) {
            try {
                frames.write(Frame.hello(codec.id(), options.maxFrame()));
            } catch (IOException e) {
                frames.close();
                throw frames.lost(e);
            }
        }
        frames.thread("receive", end::readLoop).start();
        frames.awaitHandshake();
        return end;
    }

    private void readLoop() {
        try {
            link.readHello(codec.id());
            if (credits != null) {
                link.write(Frame.credit(link.options.capacity()));
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
                        inbox.close();
                        return;
                    }
                    case CLOSE_WITH_CAUSE -> {
                        flush();
                        inbox.close(f.cause());
                        return;
                    }
                    default -> throw new ChannelProtocolException("unexpected " + f.kind() + " frame from a sender");
                }
            }
        } catch (ChannelClosedException | InterruptedException releasedByApplication) {
            // the application closed or cancelled this end: release() does the rest
        } catch (IOException e) {
            try {
                flush(); // what arrived before the failure is still delivered
            } catch (ChannelClosedException | InterruptedException released) {
                // the application released this end meanwhile
            }
            fail(e);
        } finally {
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
                inbox.close(cause);
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

    /** Values decoded from frames that came in one read, handed to the inbox together. */
    private final java.util.ArrayList<Object> batch = new java.util.ArrayList<>();

    /**
     * Decodes a DATA frame into the batch; hands the batch to the inbox when no further frame is
     * already buffered (so a value never waits for the next one to arrive) or the batch is large.
     * (The read loop flushes the batch before it reports a bad frame or a lost peer.)
     */
    private void deliver(Frame f) throws IOException, InterruptedException {
        batch.add(decode(f.payload()));
        if (batch.size() >= 1024 || !link.hasBufferedFrame()) {
            flush();
        }
    }

    private void flush() throws InterruptedException {
        for (int i = 0; i < batch.size(); ) {
            i += inbox.trySendMany(batch, i);
            if (i < batch.size()) {
                inbox.send(cast(batch.get(i++))); // the inbox is full: wait for room
            }
        }
        batch.clear();
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

    /** Ends the stream with a failure: what arrived stays receivable, then receivers see it as the cause. */
    private void fail(IOException e) {
        if (released) {
            return;
        }
        IOException cause = link.lost(e);
        if (cause instanceof ChannelProtocolException && link.duplex()) {
            link.writeCloseQuietly(cause); // tell the sender why we stop listening
        }
        inbox.close(cause);
        link.handshake.completeExceptionally(cause);
    }

    /**
     * Releases the endpoint: no more values are accepted from the peer, which learns it (on a
     * two-way link) as a close; the values that had arrived stay receivable.
     */
    @Override
    public void close() {
        release(null, false);
    }

    /** Releases the endpoint and discards the values that had arrived; the peer learns the cause. */
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
        if (link.duplex() && !link.isClosed()) {
            link.writeCloseQuietly(cause);
        }
        link.close();
    }

    @Override
    public String toString() {
        return "RemoteReceiveChannel[" + link.describe() + ", " + inbox + "]";
    }

    /** Grants credits for taken values from its own thread: the inbox reports takes under its lock. */
    private static final class Credits implements Runnable {
        private final FrameLink link;
        private final AtomicInteger pending = new AtomicInteger();
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
                        link.write(Frame.credit(n));
                    } else {
                        LockSupport.park(this);
                    }
                }
            } catch (IOException e) {
                // the reader sees the broken link too and closes the inbox with the cause
            }
        }
    }
}
