package dev.hoare.channels.uds;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.remote.StreamChannels;
import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A work queue over a Unix socket: one producing process sends, any number of worker processes
 * receive, each value goes to exactly one worker ({@link UnixChannels#dispatch}). The other
 * direction of a {@link UnixServer}, which fans many senders into one receiver.
 *
 * <p>Each connected worker is the receive end of its own remote channel (one socket, its own
 * credits: at most the capacity ahead of its application). A {@link #send} hands the value to a
 * worker with a free credit, chosen at random among those ({@link Select}'s fair choice over the
 * workers' send ends); while no worker has a free credit (or none is connected) it blocks, as a
 * send on a full channel does. A worker that joins later gets work from its first credit on.
 *
 * <h2>Delivery</h2>
 * <ul>
 *   <li>{@link Delivery#ONCE} (the default): a worker connects with
 *       {@link UnixChannels#connectReceive} (or {@code Channels.openReceive("uds:/path")}). A
 *       value is handed over once; the values a worker had taken or buffered when it died are lost
 *       with it: at most its capacity buffered, plus the one its application was working on.
 *       No value is ever received twice.</li>
 *   <li>{@link Delivery#REDELIVER}: a worker connects with {@link UnixChannels#connectWorker} and
 *       must {@link WorkItem#ack() acknowledge} each value it finished. The values a worker was
 *       given and did not acknowledge go back to the queue when it dies (its socket ends) and go to
 *       another worker: no value is lost while some worker stays, and a value the dead worker
 *       processed but had not acknowledged is received twice (at-least-once).</li>
 * </ul>
 *
 * <h2>State</h2>
 * <pre>
 *   roster     the connected workers and a "changed" channel, replaced together (immutable
 *              snapshot, {@link #roster}); the old "changed" channel is closed on each change,
 *              which wakes every send blocked in a select over the old workers
 *   OPEN       sends dispatch; workers join (accept thread) and leave (a send finds their end
 *              closed, or, redelivering, their acknowledgement channel ends)
 *   CLOSED     {@link #close}: accepting stops, the socket file is removed, every worker's end is
 *              closed (its values go out first); sends throw {@link ChannelClosedException}
 * </pre>
 * Redelivery bookkeeping (REDELIVER only): {@link #outstanding} maps each value sent and not yet
 * acknowledged by anyone to its value; each worker's {@link Worker#unacked} holds the sequence
 * numbers it was given. Invariants, whenever the worker's lock is free:
 * <ol>
 *   <li>A sequence number is in {@link #outstanding} from before its first dispatch until the first
 *       acknowledgement of it (by any worker).</li>
 *   <li>An outstanding value is in the {@link #redeliveries} queue, in flight to a worker, or in
 *       exactly one live worker's {@code unacked}: a worker marked dead puts its unacked values
 *       back, and a dispatch to a worker already dead puts the value back itself.</li>
 * </ol>
 *
 * @param <T> the value type
 */
public final class WorkQueue<T> implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WorkQueue.class.getName());

    /** What happens to the values of a worker that dies. */
    public enum Delivery {
        /** Each value is handed to one worker once; a worker that dies loses what it held. */
        ONCE,
        /** Unacknowledged values of a worker that dies go to another worker (at-least-once). */
        REDELIVER
    }

    /** A connected worker: the end its values are sent on and, redelivering, what it was given. */
    private static final class Worker {
        final SendChannel<Object> out;
        final ReentrantLock lock = new ReentrantLock();
        /** Guarded by {@link #lock}. */
        final Set<Long> unacked = new HashSet<>();
        /** Guarded by {@link #lock}. */
        boolean dead;

        Worker(SendChannel<Object> out) {
            this.out = out;
        }
    }

    private record Roster(List<Worker> workers, Channel<Void> changed) {
    }

    private final Path path;
    private final Codec<T> codec;
    private final UnixServer.Options options;
    private final Delivery delivery;
    private final ReentrantLock rosterLock = new ReentrantLock();
    /** Replaced under {@link #rosterLock}; read without it. */
    private volatile Roster roster = new Roster(List.of(), Channel.<Void>builder().capacity(0).build());
    private volatile boolean closed;
    private UnixServer<Void> server;
    /** REDELIVER: dispatches {@link #redeliveries}; interrupted by {@link #close}. */
    private Thread redeliverer;

    /** {@link #channel()}: made at the first call, under {@link #rosterLock}. */
    private Channel<T> view;

    /** REDELIVER: the values sent and not yet acknowledged, by sequence number. */
    private final ConcurrentHashMap<Long, T> outstanding = new ConcurrentHashMap<>();
    private final ReentrantLock ackLock = new ReentrantLock();
    /** Signalled when {@link #outstanding} becomes empty. */
    private final Condition allAcked = ackLock.newCondition();
    private long nextSeq;
    /** REDELIVER: sequence numbers of dead workers' values, to dispatch again. */
    private final LinkedBlockingQueue<Long> redeliveries = new LinkedBlockingQueue<>();

    private WorkQueue(Path path, Codec<T> codec, UnixServer.Options options, Delivery delivery) {
        this.path = path;
        this.codec = codec;
        this.options = options;
        this.delivery = delivery;
    }

    static <T> WorkQueue<T> start(Path path, Codec<T> codec, UnixServer.Options options, Delivery delivery) throws IOException {
        WorkQueue<T> q = new WorkQueue<>(path.toAbsolutePath().normalize(), codec, options, delivery);
        q.server = UnixServer.startAccepting(q.path, q::accepted, options);
        if (delivery == Delivery.REDELIVER) {
            q.redeliverer = Thread.ofVirtual().name("hoare-redeliver uds:" + q.path).start(q::redeliverLoop);
        }
        return q;
    }

    /** On the accept thread: the handshake runs on a virtual thread of its own. */
    private void accepted(SocketChannel client) {
        Thread.ofVirtual().name("hoare-worker-handshake uds:" + path).start(() -> {
            try {
                var link = Links.socket(client, "uds:" + path + " worker");
                if (delivery == Delivery.ONCE) {
                    @SuppressWarnings("unchecked")
                    SendChannel<Object> out = (SendChannel<Object>) (SendChannel<?>) StreamChannels.sender(link, codec, options.stream());
                    join(new Worker(out));
                } else {
                    StreamChannels.Duplex<WorkItem.Numbered<T>, Long> d = StreamChannels.duplex(link, StreamChannels.Role.ACCEPTING,
                            WorkItem.numberedCodec(codec), WorkItem.SEQUENCE_CODEC, options.stream());
                    @SuppressWarnings("unchecked")
                    SendChannel<Object> out = (SendChannel<Object>) (SendChannel<?>) d.out();
                    Worker w = new Worker(out);
                    if (!join(w)) {
                        d.close(); // the queue closed meanwhile: the link goes with both ends
                        return;
                    }
                    Thread.ofVirtual().name("hoare-acks uds:" + path).start(() -> readAcks(w, d.in()));
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "dropped a worker of uds:" + path + ": " + e);
            }
        });
    }

    /** Adds a handshaken worker; if the queue closed meanwhile, closes its end instead and returns false. */
    private boolean join(Worker w) {
        rosterLock.lock();
        try {
            if (closed) {
                w.out.close();
                return false;
            }
            List<Worker> next = new ArrayList<>(roster.workers());
            next.add(w);
            replaceRoster(next);
            return true;
        } finally {
            rosterLock.unlock();
        }
    }

    /** Removes the given workers. */
    private void leave(List<Worker> gone) {
        rosterLock.lock();
        try {
            List<Worker> next = new ArrayList<>(roster.workers());
            if (next.removeAll(gone)) {
                replaceRoster(next);
            }
        } finally {
            rosterLock.unlock();
        }
    }

    /** Precondition: {@link #rosterLock} held. Wakes every send waiting on the old roster. */
    private void replaceRoster(List<Worker> workers) {
        Roster old = roster;
        roster = new Roster(List.copyOf(workers), Channel.<Void>builder().capacity(0).build());
        old.changed().close();
    }

    /**
     * Sends a value to one worker, waiting while no worker has a free credit.
     *
     * @param value the value
     * @throws ChannelClosedException if the queue is closed
     * @throws InterruptedException if interrupted while waiting (the value was not sent)
     */
    public void send(T value) throws InterruptedException {
        send(value, null);
    }

    /**
     * Sends a value to one worker, waiting at most {@code timeout} for one with a free credit.
     *
     * @param value the value
     * @param timeout how long to wait
     * @return whether it was sent (false: no worker had room in time; the value was not sent)
     * @throws ChannelClosedException if the queue is closed
     * @throws InterruptedException if interrupted while waiting (the value was not sent)
     */
    public boolean send(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "channel values must not be null");
        long deadline = timeout == null ? 0 : System.nanoTime() + Math.max(0, timeout.toNanos());
        if (delivery == Delivery.ONCE) {
            return dispatch(value, timeout == null, deadline) != null;
        }
        long seq;
        ackLock.lock();
        try {
            seq = ++nextSeq;
            outstanding.put(seq, value);
        } finally {
            ackLock.unlock();
        }
        Worker w;
        try {
            w = dispatch(new WorkItem.Numbered<>(seq, value), timeout == null, deadline);
        } catch (InterruptedException | RuntimeException notSent) {
            acknowledged(seq); // not sent: nothing to wait for
            throw notSent;
        }
        if (w == null) {
            acknowledged(seq); // not sent: nothing to wait for
            return false;
        }
        given(w, seq);
        return true;
    }

    /**
     * Hands {@code payload} to a worker with a free credit.
     *
     * @return the worker, or null on timeout
     * @throws ChannelClosedException if the queue is closed
     */
    private Worker dispatch(Object payload, boolean forever, long deadline) throws InterruptedException {
        while (true) {
            if (closed) {
                throw new ChannelClosedException("the work queue uds:" + path + " is closed", null);
            }
            Roster r = roster;
            Select<Worker> select = Select.select();
            for (Worker w : r.workers()) {
                select.onSend(w.out, payload, () -> w);
            }
            select.onReceiveResult(r.changed(), changed -> null);
            if (!forever) {
                long left = deadline - System.nanoTime();
                select.onTimeout(Duration.ofNanos(Math.max(0, left)), () -> null);
            }
            Worker chosen;
            try {
                chosen = select.run();
            } catch (ChannelClosedException workerGone) {
                List<Worker> gone = new ArrayList<>();
                for (Worker w : r.workers()) {
                    if (w.out.isClosedForSend()) {
                        gone.add(w);
                    }
                }
                if (gone.isEmpty() && closed) {
                    throw workerGone;
                }
                leave(gone);
                continue;
            }
            if (chosen != null) {
                return chosen;
            }
            if (!forever && System.nanoTime() - deadline >= 0) {
                return null;
            }
            // the roster changed: look again
        }
    }

    /** REDELIVER: records that {@code w} was given {@code seq}, or puts it back if {@code w} died meanwhile. */
    private void given(Worker w, long seq) {
        w.lock.lock();
        try {
            if (!outstanding.containsKey(seq)) {
                return; // already acknowledged
            }
            if (!w.dead) {
                w.unacked.add(seq);
                return;
            }
        } finally {
            w.lock.unlock();
        }
        redeliveries.add(seq);
    }

    /** REDELIVER: reads a worker's acknowledgements until its socket ends, then puts back what it did not acknowledge. */
    private void readAcks(Worker w, ReceiveChannel<Long> acks) {
        try {
            for (Long seq : acks) {
                w.lock.lock();
                try {
                    w.unacked.remove(seq);
                } finally {
                    w.lock.unlock();
                }
                acknowledged(seq);
            }
        } catch (RuntimeException ended) {
            // the worker died (PeerLostException) or broke the protocol: treated alike
        }
        List<Long> back;
        w.lock.lock();
        try {
            w.dead = true;
            back = new ArrayList<>(w.unacked);
            w.unacked.clear();
        } finally {
            w.lock.unlock();
        }
        w.out.close();
        leave(List.of(w));
        back.sort(null);
        for (Long seq : back) {
            if (outstanding.containsKey(seq)) {
                redeliveries.add(seq);
            }
        }
        if (!back.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "a worker of uds:{0} left with {1} unacknowledged values; they go to others", path, back.size());
        }
    }

    private void acknowledged(long seq) {
        if (outstanding.remove(seq) != null && outstanding.isEmpty()) {
            ackLock.lock();
            try {
                allAcked.signalAll();
            } finally {
                ackLock.unlock();
            }
        }
    }

    private void redeliverLoop() {
        try {
            while (!closed) {
                Long seq = redeliveries.take();
                T value = outstanding.get(seq);
                if (value == null) {
                    continue; // acknowledged after all
                }
                Worker w = dispatch(new WorkItem.Numbered<>(seq, value), true, 0);
                given(w, seq);
            }
        } catch (ChannelClosedException | InterruptedException stopped) {
            // closed
        }
    }

    /**
     * The queue as a channel, for code that takes a {@link SendChannel} and for {@link Select}: a
     * rendezvous channel whose values a thread of the queue sends on ({@link #send}). That thread
     * holds at most one value while every worker is full, so the channel lets one value more past
     * than the workers' credits. Closing the channel closes the queue once the value in hand went to
     * a worker; closing the queue closes the channel (a value in hand is then dropped, as a
     * {@link #send} waiting at the close fails). The same channel at every call.
     *
     * @return the send end
     */
    public SendChannel<T> channel() {
        rosterLock.lock();
        try {
            if (view == null) {
                Channel<T> c = Channel.<T>builder().capacity(0).build();
                view = c;
                if (closed) {
                    c.close();
                } else {
                    Thread.ofVirtual().name("hoare-dispatch uds:" + path).start(() -> pump(c));
                }
            }
            return view.sendOnly();
        } finally {
            rosterLock.unlock();
        }
    }

    /** Sends what comes on {@code c} until it or the queue closes. */
    private void pump(Channel<T> c) {
        try {
            while (true) {
                dev.hoare.channels.Received<T> r = c.receiveResult();
                if (!r.ok()) {
                    break;
                }
                send(r.value());
            }
        } catch (ChannelClosedException queueClosed) {
            c.close(queueClosed);
            return;
        } catch (InterruptedException e) {
            c.close(e);
        }
        close();
    }

    /**
     * REDELIVER: waits until every value sent has been acknowledged (by some worker).
     *
     * @param timeout how long to wait
     * @return whether all were acknowledged in time (always true when delivering once)
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean awaitAcknowledged(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        ackLock.lock();
        try {
            while (!outstanding.isEmpty()) {
                if (left <= 0) {
                    return false;
                }
                left = allAcked.awaitNanos(left);
            }
            return true;
        } finally {
            ackLock.unlock();
        }
    }

    /** @return the values sent and not yet acknowledged (0 when delivering once) */
    public int unacknowledged() {
        return outstanding.size();
    }

    /** @return how many workers are connected (a worker whose process died counts until its socket's end is read) */
    public int workers() {
        int live = 0;
        for (Worker w : roster.workers()) {
            if (!w.out.isClosedForSend()) {
                live++;
            }
        }
        return live;
    }

    /** @return how the queue treats a worker's death */
    public Delivery delivery() {
        return delivery;
    }

    /** @return the socket file */
    public Path path() {
        return path;
    }

    /**
     * Stops accepting workers, removes the socket file and closes every worker's channel (the values
     * already handed to a worker go out first; it then sees the channel closed). Sends waiting or
     * to come throw {@link ChannelClosedException}. Values not yet acknowledged are not sent again
     * (to wait for them first, {@link #awaitAcknowledged}). Idempotent.
     */
    @Override
    public void close() {
        List<Worker> all;
        rosterLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (view != null) {
                view.close();
            }
            all = roster.workers();
            replaceRoster(List.of());
        } finally {
            rosterLock.unlock();
        }
        server.close();
        if (redeliverer != null) {
            redeliverer.interrupt();
        }
        for (Worker w : all) {
            w.out.close();
        }
    }

    @Override
    public String toString() {
        return "WorkQueue[uds:" + path + ", " + delivery + ", " + workers() + " workers" + (closed ? ", closed]" : "]");
    }
}
