package dev.hoare.channels.remote;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.internal.ChannelWaitEvent;
import dev.hoare.channels.internal.Counted;
import dev.hoare.channels.internal.CountersRegistry;
import dev.hoare.channels.internal.LinkEvents;
import dev.hoare.channels.internal.SelectEnd;
import dev.hoare.channels.internal.SendFront;
import dev.hoare.channels.internal.WaitQueue;
import dev.hoare.channels.internal.Waiter;
import dev.hoare.channels.internal.Wake;
import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sending end of a channel whose receiver is across a {@link Link}. A send encodes its value
 * in the caller's thread and, if there is room, appends the frame to the {@link Outbox} and
 * returns; a writer thread swaps the outbox for an empty one and writes it in batches. On a link
 * that can take a frame without blocking ({@link Link#canWriteNow}, shared memory), a send that
 * finds nothing queued and no batch being written writes its frame itself. "Room" is a credit from the receiver on a two-way
 * link (the receiver announces its capacity, then grants one credit per value its application
 * takes) and an outbox below its capacity on a one-way link, where the OS buffer then blocks the
 * writer. Senders without room wait in {@link #senders}, each with its value already encoded. On a
 * link the sending thread can read ({@link Link#canReadNow}), a sender waiting for credits reads
 * the return path itself while the return path's thread stands aside ({@link #awaitSendReading}).
 * It is a send end only: it has no receive methods, and takes part in {@link Select} as a send
 * case through {@link SelectEnd.Send} (a select's case waiter waits in {@link #senders} like a
 * plain sender; the codec runs before the lock is taken).
 *
 * <h2>State</h2>
 * The end's lifecycle (fields {@link #closed}, {@link #finished}, {@link #peerGone}, all written
 * under {@link #lock}):
 * <pre>
 *   state     closed finished peerGone  meaning
 *   OPEN      no     no       no        sends accepted while there is room
 *   CLOSING   yes    no       no        no new send; the outbox and waiting senders go out, then CLOSE
 *   CLOSED    yes    yes      no        CLOSE written; {@link #delivered} once the receiver closed after it
 *   LOST      yes    yes      yes       the peer went away or released its end; nothing more is written
 *
 *   OPEN    -> CLOSING  close(), application thread
 *   CLOSING -> CLOSED   finish(), writer thread, once the outbox and the waiting senders are written
 *   OPEN, CLOSING -> LOST  lose(): writer thread (a write failed), or the return path's reader
 *                       (its thread, or a sender reading it): RELEASE, end of stream, a failure
 * </pre>
 * The writer ({@link #writing}, {@link #finishing}, under {@link #lock}):
 * <pre>
 *   IDLE         writing=no  finishing=no   a send that finds the outbox empty may write its frame
 *                                           itself (direct links, {@link #spaced})
 *   BATCH        writing=yes finishing=no   the writer thread swapped the outbox out and writes it
 *   DIRECT_REST  writing=yes finishing=yes  a direct write left bytes in the link; the writer finishes them
 *
 *   IDLE -> BATCH        writer thread, outbox not empty          BATCH -> IDLE  writer thread, batch written
 *   IDLE -> DIRECT_REST  a sending thread, partial direct write    DIRECT_REST -> IDLE  writer thread
 * </pre>
 * The return path (two-way links) is read by whoever holds the return lock: its thread, or a
 * sender waiting for credits, handed over as {@link ReaderHandOff} describes (the thread lingers
 * aside {@link ReaderHandOff#LINGER_NANOS} after a sender read); {@link #returnEnded} is set once,
 * by that reader.
 *
 * <p>Invariants, whenever {@link #lock} is free:
 * <ol>
 *   <li>A value is accepted (one credit spent, {@link #accepted} incremented) exactly when it enters
 *       the outbox or is written directly; so the values in flight never exceed the credits granted.</li>
 *   <li>{@link #senders} non-empty implies no credit or a full outbox, except for a select's case
 *       waiter found ready when it registered (the select then removes it): the writer and every
 *       credit move waiting senders into the outbox in queue order ({@link #refillLocked}).</li>
 *   <li>After {@code closed}, nothing new is accepted; waiting senders still go out, unless LOST.</li>
 *   <li>LOST implies an empty outbox and no waiting sender (they failed with the cause).</li>
 *   <li>In a rendezvous, {@link #takenCount} never exceeds {@link #accepted}.</li>
 *   <li>Only the writer thread and a direct send write the link: the connection's frames (a PING
 *       for the liveness timer, a PONG answering the receiver's PING) go through the outbox
 *       ({@link #queueConnectionFrame}), only while it is empty and the end still writes, and take
 *       no credit.</li>
 * </ol>
 */
final class RemoteSendChannel<E> extends SendFront<E> implements SelectEnd.Send, Counted {
    /**
     * Guards the outbox, the credits, the queue of waiting senders, the close and the flags so
     * marked. Waiters are completed under it and unparked after it is released.
     */
    private final ReentrantLock lock = new ReentrantLock();
    /** Blocked senders and select send cases, oldest first. Guarded by {@link #lock}. */
    private final WaitQueue senders = new WaitQueue();
    /** The cause given to close, or the loss; set with {@link #closed}. Guarded by {@link #lock}. */
    private Throwable closeCause;
    private final FrameLink link;
    private final Codec<E> codec;
    /** DATA frames accepted and not yet written. Guarded by {@link #lock}; the writer swaps it for an empty one. */
    private Outbox outbox;
    /** The outbox's frame count, written under the lock, read without it by the writer's linger. */
    private volatile int queued;
    private final int outboxLimit;
    /** The link can take a frame from the sending thread itself ({@link Link#writeNow}). */
    private final boolean direct;
    /** The writer thread is writing a batch, or has a direct write to finish. Guarded by {@link #lock}. */
    private boolean writing;
    /**
     * A direct write left bytes in the link ({@link Link#hasPendingWrite}) for the writer thread.
     * Written under {@link #lock}; read without it by the writer's linger, which then ends at once.
     */
    private volatile boolean finishing;
    /** {@link Link#directWriteSpacingNanos}. */
    private final long spacing;
    /** When the last send that found nothing queued came. Guarded by {@link #lock}. */
    private long lastDirectWrite;
    /** A direct write's frame is encoded here ({@code null} unless {@link #direct}). Guarded by {@link #lock}. */
    private final Outbox oneFrame;
    /** Values that may still be accepted (receiver's credits); unbounded on a one-way link. Guarded by {@link #lock}. */
    private long credits;
    /** Signalled when the writer has work: frames, a close, or a loss. */
    private final Condition work = lock.newCondition();
    /** Rendezvous: the receiver announced capacity 0, so a send waits until its value is taken. */
    private volatile boolean rendezvous;
    /** Values accepted so far (the last one's sequence number). Guarded by {@link #lock}. */
    private long accepted;
    /** Rendezvous: values the receiving application has taken so far, in order. Guarded by {@link #lock}. */
    private long takenCount;
    /** Rendezvous: signalled when credits come back (values taken) or the peer is lost. */
    private final Condition taken = lock.newCondition();
    /** The peer went away or released its end (not our own close). Guarded by {@link #lock}. */
    private boolean peerGone;
    /** After our close, the receiver closed: everything written reached it. Guarded by {@link #lock}. */
    private boolean delivered;
    /** Written under the lock. */
    private volatile boolean closed;
    /** The peer is gone (or the CLOSE is written): nothing more is written. Guarded by {@link #lock}. */
    private boolean finished;
    private volatile int peerMaxFrame;
    private final Thread writer;
    /** Counted down once nothing more will be written: the close frame is out, or the peer is lost. */
    private final java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
    private final Thread reader;
    /**
     * A sender waiting for credits reads the return path itself ({@link Link#canReadNow}: a
     * socket in non-blocking mode), so a credit reaches it with one wake-up instead of three
     * (the JDK's poller thread, the return path's virtual thread, the sender).
     */
    private final boolean directReturn;
    /**
     * Who reads the return path: its thread, or a sender waiting for credits, which holds the read
     * lock (the return lock). Its thread stands aside while senders want the link, and for
     * {@link ReaderHandOff#LINGER_NANOS} after one read it, since in a stream the next sender soon
     * waits for credits again, and taking the link back from the thread would cost a wake-up.
     */
    private final ReaderHandOff returnReaders;
    /** The return path has ended (the receiver's close or release, or a failure): nobody reads it again. */
    private volatile boolean returnEnded;
    /** The longest a sender reading the return path waits on the link at a time ({@link ReaderHandOff#SLICE_NANOS}). */
    private static final long RETURN_SLICE_NANOS = ReaderHandOff.SLICE_NANOS;

    private RemoteSendChannel(FrameLink link, Codec<E> codec) {
        this.link = link;
        this.codec = codec;
        this.outbox = new Outbox(link.stream);
        boolean duplex = link.duplex();
        this.outboxLimit = duplex ? Integer.MAX_VALUE : Math.max(1, link.options.capacity());
        this.direct = link.link.canWriteNow();
        this.spacing = direct ? link.link.directWriteSpacingNanos() : 0;
        this.lastDirectWrite = System.nanoTime() - spacing;
        this.oneFrame = direct ? new Outbox(link.stream) : null;
        this.credits = duplex ? 0 : Long.MAX_VALUE;
        this.peerMaxFrame = link.options.maxFrame();
        this.writer = link.thread("send", this::writeLoop);
        this.reader = duplex ? link.thread("send-return", this::readLoop) : null;
        this.directReturn = duplex && link.link.canReadNow();
        this.returnReaders = new ReaderHandOff(link.link, ReaderHandOff.LINGER_NANOS);
    }

    static <E> SendChannel<E> open(Link link, Codec<E> codec, StreamOptions options) throws IOException {
        RemoteSendChannel<E> end = start(link, codec, options);
        if (end.reader != null) {
            end.link.awaitHandshake();
        }
        return end;
    }

    /** Says HELLO and starts the threads; on a two-way link the caller awaits {@link #handshake()}. */
    static <E> RemoteSendChannel<E> start(Link link, Codec<E> codec, StreamOptions options) throws IOException {
        if (!link.writes()) {
            throw new IllegalArgumentException(link.describe() + ": a sending end needs a link that writes");
        }
        FrameLink frames = new FrameLink(link, options);
        RemoteSendChannel<E> end = new RemoteSendChannel<>(frames, codec);
        CountersRegistry.register(end); // named by its address
        try {
            frames.write(Frame.hello(codec.id(), options.maxFrame(), options.liveness().toMillis()));
        } catch (IOException e) {
            frames.close();
            throw frames.lost(e);
        }
        if (end.reader == null) {
            end.startLiveness(); // one-way: the writer sends PINGs while idle, for the reader's liveness
        }
        if (end.reader != null) {
            end.reader.start();
        }
        end.writer.start();
        return end;
    }

    /** @return the link, whose handshake a caller of {@link #start} awaits */
    FrameLink handshake() {
        return link;
    }

    // ---------------------------------------------------------------- send

    /** Encodes a value for a DATA frame, refusing one larger than the peer accepts. */
    private byte[] payload(E value) {
        byte[] payload = codec.encode(value);
        if (payload.length + (long) FrameWriter.HEADER - 4 > peerMaxFrame) {
            throw new IllegalArgumentException("a value encoded to " + payload.length + " bytes does not fit a frame of "
                    + peerMaxFrame + " bytes, the most " + link.describe() + " accepts");
        }
        return payload;
    }

    /**
     * Takes the value into the outbox if there is room; it is then value number {@link #accepted}.
     * Must be called with the lock held.
     */
    private boolean acceptLocked(byte[] payload) {
        if (closed) {
            throw new ChannelClosedException(closeCause);
        }
        if (credits > 0 && outbox.frames() < outboxLimit) {
            credits--;
            accepted++;
            if (direct && outbox.frames() == 0 && !writing && spaced() && writeNowLocked(payload)) {
                if (link.link.hasPendingWrite()) { // the link took part of it: the writer thread writes the rest
                    writing = true;
                    finishing = true;
                    work.signal();
                }
                return true; // nothing queued before it: written by this thread, no hand-off
            }
            outbox.append(payload);
            queued = outbox.frames();
            work.signal();
            return true;
        }
        return false;
    }

    /**
     * Whether this send comes long enough after the last direct write to be worth a write of its
     * own ({@link Link#directWriteSpacingNanos}): sends in quick succession go to the writer thread,
     * which writes them in batches. Must be called with the lock held.
     */
    private boolean spaced() {
        if (spacing == 0) {
            return true;
        }
        long now = System.nanoTime();
        boolean paused = now - lastDirectWrite >= spacing;
        lastDirectWrite = now; // every send counts: a stream keeps batching until it pauses
        return paused;
    }

    /** Encodes the frame and offers it to the link to write now. Must be called with the lock held. */
    private boolean writeNowLocked(byte[] payload) {
        oneFrame.clear();
        oneFrame.append(payload);
        return link.writeNow(oneFrame.bytes(), oneFrame.size());
    }

    /**
     * One send: encoded without the lock; accepted under it if there is room, else (if
     * {@code block}) queued in {@link #senders} to wait.
     *
     * @return {@code true} if sent; {@code false} if it would have to wait (not blocking) or the time ran out
     */
    @Override
    protected boolean doSend(E value, boolean block, boolean timed, long deadline) throws InterruptedException {
        byte[] payload = payload(value);
        Waiter self;
        lock.lock();
        try {
            if (acceptLocked(payload)) {
                return !block || awaitTaken(accepted);
            }
            if (!block) {
                return false;
            }
            self = new Waiter(payload);
            self.parkSoon = true; // room comes from the writer thread, after a system call
            senders.add(self);
        } finally {
            lock.unlock();
        }
        long waitStart = System.nanoTime(); // slow path only: for the blocked-time counter
        ChannelWaitEvent wait = ChannelWaitEvent.start(); // null unless a recording wants waits
        boolean sent = false;
        try {
            sent = readsReturn() ? awaitSendReading(self, timed, deadline) : awaitSend(self, timed, deadline);
        } finally {
            ChannelWaitEvent.finish(wait, this, ChannelWaitEvent.SEND, sent || self.state != Waiter.WAITING);
            addBlocked(true, System.nanoTime() - waitStart);
        }
        if (!sent) {
            return false;
        }
        lock.lock();
        try {
            return !(self.item instanceof Long number) || awaitTaken(number); // refillLocked numbered it
        } finally {
            lock.unlock();
        }
    }

    /**
     * A rendezvous (the receiver announced capacity 0): waits, with the lock held, until the
     * receiving application has taken value number {@code number} (its credit came back). The value has left, so
     * a timeout no longer applies; an interrupt ends the wait early, leaving the interrupt status
     * set (the value is still delivered unless the peer goes away).
     *
     * @return {@code true}
     * @throws ChannelClosedException if the peer went away or released its end before taking it
     */
    private boolean awaitTaken(long number) {
        if (!rendezvous) {
            return true;
        }
        while (takenCount < number) {
            if (delivered) {
                return true;
            }
            if (peerGone) {
                throw new ChannelClosedException(closeCause);
            }
            try {
                taken.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return true;
            }
        }
        return true;
    }

    /**
     * Moves waiting senders' values into the outbox while there is room. Must be called with the
     * lock held; the completed senders go into {@code wake}, each (in a rendezvous) with its
     * value's number in {@link Waiter#item}.
     */
    private void refillLocked(Wake wake) {
        while (credits > 0 && outbox.frames() < outboxLimit) {
            Waiter sender = senders.completeFirst(null, Waiter.DONE, null);
            if (sender == null) {
                return;
            }
            outbox.append((byte[]) sender.item);
            queued = outbox.frames();
            credits--;
            accepted++;
            sender.item = rendezvous ? Long.valueOf(accepted) : null;
            wake.add(sender);
            work.signal();
        }
    }

    // ---------------------------------------------------------------- the writer thread

    private void writeLoop() {
        int atomic = link.link.atomicWrite();
        Outbox spare = new Outbox(link.stream);
        int[] ends = new int[64];
        try {
            while (true) {
                Wake wake = new Wake();
                Outbox batch;
                boolean done;
                lingerForWork();
                lock.lock();
                try {
                    while (!finished && !finishing && outbox.frames() == 0 && !(closed && senders.isEmpty())) {
                        work.await();
                    }
                    if (finished) {
                        return; // lost: nothing more to write
                    }
                    if (finishing) {
                        batch = null; // first the rest of a direct write, then (next round) the outbox
                        done = false;
                    } else {
                        batch = outbox;
                        outbox = spare;
                        queued = 0;
                        writing = batch.frames() > 0;
                        refillLocked(wake);
                        done = batch.frames() == 0; // closed, and nothing left or waiting
                    }
                } finally {
                    lock.unlock();
                }
                if (batch == null) {
                    finishDirectWrite();
                    continue;
                }
                wake.run();
                if (done) {
                    finish();
                    return;
                }
                ends = writeBatch(batch, ends, atomic);
                if (direct) {
                    lock.lock();
                    try {
                        writing = false; // senders may write directly again once the outbox is empty
                    } finally {
                        lock.unlock();
                    }
                }
                batch.clear();
                spare = batch;
            }
        } catch (IOException e) {
            if (reader != null) {
                // the receiver may have released its end (a CLOSE on the return path) just before
                // the write failed: let the return path read it before calling the peer lost
                try {
                    reader.join(link.options.timeout().toMillis());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            lose(link.closeCause(e));
        } catch (InterruptedException e) {
            lose(new PeerLostException(link.describe() + ": the writer thread was interrupted"));
        }
    }

    /** Writes what a direct write left in the link; then senders may write directly again. */
    private void finishDirectWrite() throws IOException {
        link.finishWrites();
        lock.lock();
        try {
            finishing = false;
            writing = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Before taking work, stays on the CPU a little (yielding it to runnable threads) while the
     * application is likely to send again: a park and the wake-up from the next send cost more
     * than the wait, and frames that pile up meanwhile go out in one write. Waits while the outbox
     * is empty or still growing, so a lone frame goes at once and a stream goes in large batches.
     * The rest of a partial direct write ({@link #finishing}) ends it at once: its bytes are
     * already due. Reads the outbox size without the lock (a racy hint; the lock decides).
     */
    private void lingerForWork() {
        long deadline = System.nanoTime() + LINGER_NANOS;
        int seen = queued;
        while (!closed && !finishing && System.nanoTime() < deadline) {
            Thread.yield();
            int now = queued;
            if (now > 0 && (now == seen || now >= LINGER_BATCH)) {
                return;
            }
            seen = now;
        }
    }

    /** Frames enough for one batch: the writer stops lingering for more. */
    private static final int LINGER_BATCH = 512;

    private static final long LINGER_NANOS = Runtime.getRuntime().availableProcessors() > 1 ? 20_000 : 0;

    /**
     * Writes a batch of frames as chunks of the outbox, several frames per chunk. Frames that fit
     * the link's atomic write size go in chunks no larger than it (whole for the OS even if this
     * process dies mid-write); larger frames, which cannot be, share chunks of their own of up to
     * {@link #LARGE_CHUNK} bytes (or one frame).
     *
     * @return {@code ends}, or a larger array if it was too small
     */
    private int[] writeBatch(Outbox batch, int[] ends, int atomic) throws IOException {
        int size = batch.size();
        int chunks = 0;
        int start = 0;
        boolean large = false;
        for (int pos = 0; pos < size; ) {
            int frame = batch.frameAt(pos);
            boolean frameLarge = frame > atomic;
            if (pos > start && (frameLarge != large || pos - start + frame > (large ? LARGE_CHUNK : atomic))) {
                ends = end(ends, chunks++, pos);
                start = pos;
            }
            large = frameLarge;
            pos += frame;
        }
        ends = end(ends, chunks++, size);
        link.writeChunks(batch.bytes(), ends, chunks);
        return ends;
    }

    private static final int LARGE_CHUNK = 1 << 16;

    private static int[] end(int[] ends, int i, int at) {
        int[] e = i < ends.length ? ends : java.util.Arrays.copyOf(ends, 2 * ends.length);
        e[i] = at;
        return e;
    }

    /** Everything is written: CLOSE goes out, then the link ends (after the peer's end, on a two-way link). */
    private void finish() throws IOException, InterruptedException {
        Throwable cause = closeCause();
        link.write(cause == null ? Frame.close() : Frame.closeWithCause(cause));
        lock.lock();
        try {
            finished = true;
        } finally {
            lock.unlock();
        }
        ended.countDown();
        if (reader != null) {
            link.shutdownOutputQuietly();
            reader.join(link.options.timeout().toMillis()); // the receiver closes after our CLOSE
        }
        link.close();
    }

    // ---------------------------------------------------------------- liveness

    /** Starts the link's liveness watch: PINGs go through the outbox, a silent peer is lost. */
    private void startLiveness() {
        link.startLiveness(() -> queueConnectionFrame(Frame.ping(System.nanoTime())), () -> {
            // the return path's reader reads whenever frames come
        }, () -> false, () -> lose(link.silence()));
    }

    /**
     * Queues a PING or PONG for the writer thread, the only writer besides a direct send (which
     * writes only while the outbox is empty, so after this frame has gone), if nothing is queued
     * (then the peer hears from this side anyway) and the end still writes.
     */
    private void queueConnectionFrame(Frame frame) {
        lock.lock();
        try {
            if (!finished && !closed && outbox.frames() == 0) {
                outbox.appendConnectionFrame(frame);
                queued = outbox.frames();
                work.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- the return path (two-way links)

    private void readLoop() {
        try {
            returnReaders.lock();
            try {
                peerMaxFrame = link.readHello(codec.id());
                Frame announce = link.read();
                if (announce == null) {
                    throw link.endOfStream();
                }
                if (announce.kind() != FrameKind.CREDIT) {
                    throw new ChannelProtocolException("expected CREDIT (the receiver's capacity) after HELLO, got " + announce.kind());
                }
                rendezvous = announce.announcedCapacity() == 0;
                addCredits(Math.max(1, announce.announcedCapacity()), false);
                link.handshake.complete(null);
                startLiveness();
            } finally {
                returnReaders.unlock();
            }
            while (!returnEnded) {
                if (returnReaders.wanted() || returnReaders.lingerLeftNanos() > 0) {
                    LockSupport.parkNanos(this, ReaderHandOff.LINGER_NANOS); // a waiting sender reads, or did just now
                    continue;
                }
                returnReaders.lock();
                try {
                    if (directReturn && !link.hasBufferedFrame() && !link.link.awaitReadableUntilWoken()) {
                        continue; // nothing yet, or a sender asked for the link: look again
                    }
                    if (returnFrame(link.read())) {
                        return;
                    }
                } finally {
                    returnReaders.unlock();
                }
            }
        } catch (IOException e) {
            returnFailed(e);
        } catch (InterruptedException e) {
            returnFailed(new java.io.InterruptedIOException("the return path's thread was interrupted"));
        }
    }

    /**
     * Handles one frame of the return path, under the return lock ({@link #returnReaders}).
     *
     * @param f the frame, or {@code null} at the end of the stream
     * @return whether the return path has ended (the receiver closed after our CLOSE, or released its end)
     */
    private boolean returnFrame(Frame f) throws IOException {
        if (f == null) {
            if (isFinished()) {
                returnEnded = true;
                allDelivered(); // the receiver closed after our CLOSE
                return true;
            }
            throw link.endOfStream();
        }
        switch (f.kind()) {
            case CREDIT -> addCredits(f.credits(), true);
            case PING -> queueConnectionFrame(f.pong());
            case PONG -> {
                // heard: the liveness watch counted it
            }
            case RELEASE -> {
                returnEnded = true;
                lose(f.cause()); // the receiver released its end: sends fail as on a closed channel
                return true;
            }
            default -> throw new ChannelProtocolException("unexpected " + f.kind() + " frame from a receiver");
        }
        return false;
    }

    private void returnFailed(IOException e) {
        returnEnded = true;
        Throwable cause = link.closeCause(e);
        if (cause instanceof ChannelProtocolException && !link.handshake.isDone()) {
            // the receiver's HELLO or capacity is refused: it is told why (the frame a sender
            // sends), before the opener, seeing the handshake fail, closes the link
            link.writeCloseQuietly(cause);
        }
        link.handshake.completeExceptionally(cause);
        if (!isFinished()) {
            lose(cause);
        }
    }

    /** Whether this thread, about to wait for credits, may read the return path itself. */
    private boolean readsReturn() {
        return directReturn && link.handshake.isDone() && !returnEnded
                && (!Thread.currentThread().isVirtual() || link.link.readNowFromVirtualThreads());
    }

    /**
     * {@link #awaitSend}, reading the return path meanwhile: the credits that complete this
     * sender (or fail it) are read by its own thread, while the return path's thread stands
     * aside. Reads in slices, so that a close or a loss that completes the sender from another
     * thread is seen within {@link #RETURN_SLICE_NANOS}.
     */
    private boolean awaitSendReading(Waiter self, boolean timed, long deadline) throws InterruptedException {
        boolean interrupted = false;
        if (self.state == Waiter.WAITING && !returnEnded && !(timed && deadline - System.nanoTime() <= 0)) {
            boolean locked = false;
            try {
                // a credit, a close or a loss may complete this sender meanwhile, or end the return path
                Object entered = returnReaders.enter(timed, deadline,
                        () -> self.state != Waiter.WAITING || returnEnded ? Boolean.TRUE : null);
                if (entered == ReaderHandOff.LOCKED) {
                    locked = true;
                    try {
                        readReturnUntil(self, timed, deadline); // returns at once if this sender is done meanwhile
                    } finally {
                        returnReaders.unlock();
                    }
                }
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                returnReaders.leave(locked);
            }
        }
        if (!interrupted && self.state == Waiter.WAITING && returnEnded) {
            return awaitSend(self, timed, deadline); // the return path ended under it: the end completes or fails it
        }
        if (self.state != Waiter.WAITING || senders.giveUp(lock, self)) {
            if (interrupted) {
                Thread.currentThread().interrupt(); // the send completed: the interrupt stays for the caller
            }
            if (self.state == Waiter.DONE) {
                return true;
            }
            throw new ChannelClosedException(closeCause()); // cancelled while waiting
        }
        if (interrupted || Thread.interrupted()) {
            throw new InterruptedException();
        }
        return false;
    }

    /** Under the return lock ({@link #returnReaders}): reads the return path until this sender is done, its time is up, or the path ends. */
    private void readReturnUntil(Waiter self, boolean timed, long deadline) throws InterruptedException {
        try {
            while (self.state == Waiter.WAITING && !returnEnded) {
                long left = timed ? deadline - System.nanoTime() : RETURN_SLICE_NANOS;
                if (left <= 0) {
                    return;
                }
                if (!link.hasBufferedFrame() && !link.link.awaitReadable(Math.min(left, RETURN_SLICE_NANOS))) {
                    continue;
                }
                if (returnFrame(link.read())) {
                    return;
                }
            }
        } catch (IOException e) {
            returnFailed(e);
        }
    }

    private boolean isFinished() {
        lock.lock();
        try {
            return finished;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The waiting part of a send whose waiter {@code self} is queued in {@link #senders}: waits,
     * gives up on timeout or interrupt unless completed meanwhile.
     *
     * @return {@code true} if sent; {@code false} if the time ran out
     * @throws ChannelClosedException if the end was lost while waiting
     * @throws InterruptedException if interrupted before the value was accepted
     */
    private boolean awaitSend(Waiter self, boolean timed, long deadline) throws InterruptedException {
        if (self.await(timed, deadline) || senders.giveUp(lock, self)) {
            if (self.state == Waiter.DONE) {
                return true;
            }
            throw new ChannelClosedException(closeCause());
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        return false;
    }

    /**
     * @param n credits granted
     * @param takes whether they report values taken (all but the announcement): in a rendezvous,
     *     those values' senders may return
     */
    private void addCredits(int n, boolean takes) {
        Wake wake = new Wake();
        lock.lock();
        try {
            credits += n;
            if (rendezvous && takes) {
                takenCount = Math.min(accepted, takenCount + n);
                taken.signalAll();
            }
            refillLocked(wake);
        } finally {
            lock.unlock();
        }
        wake.run();
    }

    /** The receiver closed the connection after our CLOSE: every value written reached it. */
    private void allDelivered() {
        lock.lock();
        try {
            delivered = true;
            taken.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The peer is gone or released its end: closes with {@code cause} (unless the application's
     * close was already written), drops what was not written, fails waiting senders, ends the link.
     */
    private void lose(Throwable cause) {
        Waiter failed;
        lock.lock();
        try {
            if (finished) {
                return;
            }
            finished = true;
            // recorded before any sender can see the loss (a short write to a JFR buffer, if recording)
            LinkEvents.ended(link::describe, "send", cause);
            peerGone = true;
            closed = true;
            closeCause = cause;
            outbox.clear();
            failed = senders.completeAll(Waiter.CLOSED);
            work.signal();
            taken.signalAll();
        } finally {
            lock.unlock();
        }
        ended.countDown();
        Waiter.unparkAll(failed);
        link.close();
    }

    // ---------------------------------------------------------------- close and state

    /**
     * Closes the end: the values sent before, and waiting senders' values, go out first, then the
     * close frame. Lingers like a socket's {@code SO_LINGER}: waits up to the timeout for all of
     * that to be written (so a program that closes and exits loses nothing), then returns anyway
     * (the writer goes on while the process lives). An interrupt ends the wait early.
     */
    @Override
    public boolean close(Throwable cause) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            closed = true;
            closeCause = cause;
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            ended.await(link.options.timeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    /** A send end has nothing to discard that the application could see: cancel closes it. */
    void cancel(Throwable cause) {
        close(cause != null ? cause : new java.util.concurrent.CancellationException("channel cancelled"));
    }

    @Override
    public void close() {
        close(null);
    }

    @Override
    public boolean isClosedForSend() {
        return closed;
    }

    @Override
    public Throwable closeCause() {
        lock.lock();
        try {
            return closeCause;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: how many senders (and selects with a send case) wait now. */
    int waitingSenders() {
        lock.lock();
        try {
            return senders.size();
        } finally {
            lock.unlock();
        }
    }

 /**
     * The counters: values accepted, the outbox's frames as the depth (accepted, not yet written),
     * senders waiting for credits, the credits left, the link's frames, and whether the peer is
     * there, and the link's bytes and the peer's pid when the transport knows it ({@link Link#peerPid}).
     */
    @Override
    public dev.hoare.channels.ChannelStats stats() {
        lock.lock();
        try {
            String name = name();
            long unknown = dev.hoare.channels.ChannelStats.UNKNOWN;
            return new dev.hoare.channels.ChannelStats(name, scheme(name), accepted, unknown, outbox.frames(),
                    outboxLimit == Integer.MAX_VALUE ? Long.MAX_VALUE : outboxLimit, senders.size(), 0,
                    sendBlockedNanos(), 0, link.framesOut(), link.framesIn(), link.bytesOut(), link.bytesIn(),
                    credits == Long.MAX_VALUE ? unknown : credits, link.peerPid(), peerGone ? 0 : 1, peerGone || finished ? 0 : 1);
        } finally {
            lock.unlock();
        }
    }

    /** @return the scheme of an address ({@code uds} of {@code uds:/run/...}), or {@code remote} */
    static String scheme(String address) {
        int colon = address.indexOf(':');
        return colon > 0 && colon <= 15 ? address.substring(0, colon) : "remote";
    }

    @Override
    public String name() {
        return link.link.describe();
    }

    @Override
    public boolean finished() {
        return closed && ended.getCount() == 0;
    }

    @Override
    public String toString() {
        return "RemoteSendChannel[" + link.describe() + (closed ? ", closed]" : "]");
    }

    // ---------------------------------------------------------------- select (SelectEnd.Send)

    /** Try now: the value is encoded first, without the lock; accepted if there is room. */
    @Override
    public boolean selectTrySend(Object value) {
        byte[] payload = payload(cast(value));
        lock.lock();
        try {
            return acceptLocked(payload);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Encodes the case's value (without the lock), then, under the lock, queues the case waiter
     * with the encoded value as a plain waiting sender is, unless there is room or the end is
     * closed (ready). Credits and losses complete it under the lock, as they do a plain sender.
     */
    @Override
    public boolean selectRegisterSend(Waiter caseWaiter) {
        caseWaiter.item = payload(cast(caseWaiter.item));
        lock.lock();
        try {
            if (closed || (credits > 0 && outbox.frames() < outboxLimit)) {
                return true;
            }
            senders.add(caseWaiter);
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void selectUnregisterSend(Waiter caseWaiter) {
        lock.lock();
        try {
            senders.remove(caseWaiter);
        } finally {
            lock.unlock();
        }
    }

    @SuppressWarnings("unchecked")
    private static <E> E cast(Object o) {
        return (E) o;
    }
}
