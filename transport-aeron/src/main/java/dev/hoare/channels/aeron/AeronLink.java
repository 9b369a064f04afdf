package dev.hoare.channels.aeron;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.link.Link;
import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.function.Predicate;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A two-way {@link Link} over Aeron: frames go out on an exclusive publication (one Aeron message
 * per write of whole frames, fragmented above the MTU and reassembled by the peer) and come in
 * from one image (one sender's session).
 *
 * <p>Two kinds: a <b>sender's</b> link publishes to the receiver's channel and reads the replies
 * (HELLO, credits, RELEASE) from a subscription of its own on an ephemeral port, which it names to
 * the receiver first in a link record (CONNECT); a <b>receiver's</b> link reads one sender's image
 * of the receiving channel's subscription and, on that CONNECT, publishes the replies to the
 * address it names.
 *
 * <h2>Link records</h2>
 * A message whose first four bytes are zero (a frame length no frame has) is the link's own, never
 * handed up: {@code 0x00000000, kind (1 byte), then UTF-8}. Kind 1, CONNECT, carries
 * {@code host:port} of the sender's reply subscription, and {@code #stream} after it when the
 * replies go on a stream other than the channel's (an endpoint the sender's JVM already receives
 * on). It is the sender's first message.
 *
 * <h2>States</h2>
 * <pre>
 *   sender:   open --(reply image seen)--> reading replies --(close / image gone / not connected)--> closed
 *   receiver: awaiting CONNECT --(CONNECT)--> publishing replies --(close / image gone)--> closed
 * </pre>
 * A peer is lost when its image goes (after Aeron's image liveness: the driver heard nothing) or,
 * for a sender, when its publication, once connected, is no longer connected (the receiver's
 * driver stopped sending status messages). Frames already received are handed up first.
 *
 * <p>One thread reads and one writes at a time (the {@link Link} contract); {@link #close} and
 * {@link #wakeReader} come from any thread.
 */
final class AeronLink implements Link {
    /** Link record kind: the sender names its reply address. */
    static final byte CONNECT = 1;
    private static final int FRAGMENT_LIMIT = 16;

    private final String describe;
    private final Duration timeout;
    /** Whom a receiver may publish replies to, and which reply images a sender reads. */
    private final Predicate<String> allowedHost;
    private final boolean sending;

    /** The sender's reply subscription (owned); null for a receiver. */
    private final Subscription replies;
    /** A receiver's subscription if this link owns it (one sender per channel); else null. */
    private final Subscription owned;
    /** Where frames go: the sender's data publication, or the receiver's reply publication. */
    private final ExclusivePublication publication;
    /** Where frames come from: the receiver's image, or the sender's reply image once seen. */
    private Image image;
    /** Whether the publication was ever connected (set by the reader and the writer; only goes true). */
    private volatile boolean everConnected;
    /** A sender's CONNECT: where its replies come ({@code host:port}, {@code #stream} when not the channel's); for tests. */
    String replyAddress;
    /** A sender's reply images refused by the allow list (their sessions), the reader's. */
    private final java.util.Set<Integer> refusedSessions = new java.util.HashSet<>();

    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private final IdleStrategy idle = AeronDrivers.idleStrategy();
    private final IdleStrategy writeIdle = AeronDrivers.idleStrategy();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[0]);
    /**
     * Frames polled: {@code [0, handedTo)} is what the last read handed up, left alone until the
     * next read (a wait may poll meanwhile); {@code [handedTo, limit)} is not handed up yet.
     */
    private byte[] buf = new byte[64 * 1024];
    private int handedTo;
    private int limit;
    private IOException fault;
    private volatile boolean closed;
    private volatile boolean woken;

    private AeronLink(String describe, Duration timeout, Predicate<String> allowedHost,
            boolean sending, Subscription replies, Subscription owned, ExclusivePublication publication, Image image) {
        this.describe = describe;
        this.timeout = timeout;
        this.allowedHost = allowedHost;
        this.sending = sending;
        this.replies = replies;
        this.owned = owned;
        this.publication = publication;
        this.image = image;
    }

    /**
     * A sender's link: publishes to {@code channel}, first a CONNECT naming {@code replyAddress},
     * then whole frames; reads replies from {@code replies}. Waits up to {@code timeout} for the
     * receiver to be connected.
     */
    static AeronLink sender(Aeron aeron, String channel, int streamId, Subscription replies, String replyAddress, Duration timeout,
            Predicate<String> allowedHost, String describe) throws IOException {
        ExclusivePublication pub = AeronTransport.registered(() -> aeron.addExclusivePublication(channel, streamId), channel);
        AeronLink link = new AeronLink(describe, timeout, allowedHost, true, replies, null, pub, null);
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!pub.isConnected()) {
                if (System.nanoTime() - deadline > 0) {
                    throw new java.net.ConnectException("no receiver at " + describe + " within "
                            + dev.hoare.channels.spi.Endpoint.formatDuration(timeout)
                            + " (nothing subscribes there, or UDP does not get through)");
                }
                Thread.sleep(1);
            }
            link.replyAddress = replyAddress;
            byte[] address = replyAddress.getBytes(StandardCharsets.UTF_8);
            ByteBuffer record = ByteBuffer.allocate(5 + address.length);
            record.putInt(0).put(CONNECT).put(address);
            link.write(record.array(), 0, record.capacity());
        } catch (IOException | RuntimeException e) {
            link.close();
            throw e;
        } catch (InterruptedException e) {
            link.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while connecting to " + describe);
        }
        return link;
    }

    /**
     * A receiver's link over one sender's image: reads the sender's CONNECT (its first message,
     * waited for up to {@code timeout}), then publishes replies where it says, with
     * {@code replyParams}. {@code owned}, if not null, is closed with the link.
     *
     * @throws IOException if no CONNECT comes in time, the first message is something else, or
     *     the reply address is not allowed
     */
    static AeronLink receiver(Aeron aeron, Image image, String replyParams, Duration timeout, Predicate<String> allowedHost,
            Subscription owned, String describe) throws IOException {
        String name = describe + " from " + image.sourceIdentity() + " session " + image.sessionId();
        String said = readConnect(image, timeout, name);
        int hash = said.indexOf('#'); // host:port#stream: replies on a stream of the sender's own at that endpoint
        String address = hash < 0 ? said : said.substring(0, hash);
        int replyStream;
        try {
            replyStream = hash < 0 ? image.subscription().streamId() : Integer.parseInt(said.substring(hash + 1));
        } catch (NumberFormatException e) {
            throw new ChannelProtocolException(name + ": a CONNECT naming no stream after '#': " + said);
        }
        if (!allowedHost.test(AeronTransport.hostOf(address))) {
            AeronTransport.refused(name, address, "a reply address");
            throw new ChannelProtocolException(name + ": the sender asked for replies at " + address + ", not an allowed peer");
        }
        ExclusivePublication pub;
        try {
            String channel = "aeron:udp?endpoint=" + address + replyParams;
            pub = AeronTransport.registered(() -> aeron.addExclusivePublication(channel, replyStream), channel);
        } catch (IOException e) {
            throw new IOException(name + ": cannot publish replies to " + address + ": " + e.getMessage(), e);
        }
        return new AeronLink(name, timeout, allowedHost, false, null, owned, pub, image);
    }

    /** Polls {@code image} for its first message, which must be a CONNECT, and returns the address it names. */
    private static String readConnect(Image image, Duration timeout, String name) throws IOException {
        String[] address = new String[1];
        String[] wrong = new String[1];
        long deadline = System.nanoTime() + timeout.toNanos();
        IdleStrategy idle = AeronDrivers.idleStrategy();
        while (address[0] == null && wrong[0] == null) {
            int n = image.controlledPoll((buffer, offset, length, header) -> {
                if (length >= 5 && buffer.getInt(offset, ByteOrder.BIG_ENDIAN) == 0 && buffer.getByte(offset + 4) == CONNECT
                        && (header.flags() & io.aeron.logbuffer.FrameDescriptor.UNFRAGMENTED) == io.aeron.logbuffer.FrameDescriptor.UNFRAGMENTED) {
                    address[0] = buffer.getStringWithoutLengthUtf8(offset + 5, length - 5);
                } else {
                    wrong[0] = "its first message is not a CONNECT link record";
                }
                return io.aeron.logbuffer.ControlledFragmentHandler.Action.BREAK;
            }, 1);
            if (n == 0) {
                if (image.isClosed() || image.isEndOfStream()) {
                    throw new IOException(name + ": the sender went away before it named its reply address");
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new java.net.SocketTimeoutException(name + ": the sender named no reply address within "
                            + dev.hoare.channels.spi.Endpoint.formatDuration(timeout));
                }
                idle.idle();
            }
        }
        if (wrong[0] != null) {
            throw new ChannelProtocolException(name + ": " + wrong[0]);
        }
        return address[0];
    }

    @Override
    public boolean reads() {
        return true;
    }

    @Override
    public boolean writes() {
        return true;
    }

    // ---------------------------------------------------------------- reading

    @Override
    public ByteBuffer read(int maxFrame) throws IOException {
        if (handedTo > 0) { // the caller is done with what it was handed: the rest moves to the front
            System.arraycopy(buf, handedTo, buf, 0, limit - handedTo);
            limit -= handedTo;
            handedTo = 0;
        }
        startReading();
        idle.reset();
        while (limit == 0) {
            if (pollOnce() == 0) {
                if (limit > 0) {
                    break;
                }
                if (endOfStream()) {
                    return null;
                }
                idle.idle();
            }
        }
        handedTo = limit;
        return ByteBuffer.wrap(buf, 0, limit);
    }

    @Override
    public boolean hasFrame() {
        return limit > handedTo;
    }

    @Override
    public boolean canReadNow() {
        return true;
    }

    @Override
    public boolean awaitReadable(long timeoutNanos) throws IOException, InterruptedException {
        startReading();
        woken = false;
        long start = System.nanoTime();
        idle.reset();
        while (true) {
            if (limit > handedTo || closed || fault != null) {
                return true;
            }
            int n;
            try {
                n = pollOnce();
            } catch (IOException e) {
                return true; // the read reports it
            }
            if (limit > handedTo) {
                return true;
            }
            if (n == 0 && gone()) {
                return true;
            }
            // a wake-up ends a timed wait early, never an unlimited one (the Link contract: its caller does not look again)
            boolean timed = timeoutNanos != Long.MAX_VALUE;
            if (timeoutNanos == 0 || timed && (woken || System.nanoTime() - start >= timeoutNanos)) {
                return false;
            }
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            idle.idle(n);
        }
    }

    @Override
    public void wakeReader() {
        woken = true;
    }

    /** Fails at once after a fault or a close. */
    private void startReading() throws IOException {
        if (fault != null) {
            throw fault;
        }
        if (closed) {
            throw new IOException(describe + " is closed");
        }
    }

    /** Polls the image once (finding a sender's reply image first); returns the fragments read. */
    private int pollOnce() throws IOException {
        if (closed) {
            throw new IOException(describe + " is closed");
        }
        Image img = image;
        if (img == null) {
            img = findReplyImage();
            if (img == null) {
                checkPublication();
                return 0;
            }
        }
        int n = img.poll(assembler, FRAGMENT_LIMIT);
        if (fault != null) {
            throw fault;
        }
        if (n == 0) {
            checkPublication();
        }
        return n;
    }

    /** A sender's reply image from an allowed host, once the receiver's reply publication reaches it. */
    private Image findReplyImage() {
        for (Image i : replies.images()) {
            if (allowedHost.test(AeronTransport.hostOf(i.sourceIdentity()))) {
                image = i;
                return i;
            }
            if (refusedSessions.add(i.sessionId())) { // once per image: it stays listed until Aeron drops it
                AeronTransport.refused(describe, i.sourceIdentity(), "a reply");
                i.reject("not an allowed peer");
            }
        }
        return null;
    }

    /**
     * Fails the read if the publication, once connected, no longer is and no image from the peer
     * is open (an open image is drained to its end first: the peer's last frames, such as a
     * refusal, may still be on their way after its subscription closed).
     */
    private void checkPublication() throws IOException {
        ExclusivePublication pub = publication;
        if (pub.isConnected()) {
            everConnected = true;
        } else if ((everConnected || pub.isClosed()) && (image == null || image.isClosed())) {
            throw lost("the " + (sending ? "receiver" : "sender") + "'s media driver stopped answering (publication not connected)");
        }
    }

    /** Whether the image has gone with nothing left: a clean end of stream returns null, anything else fails. */
    private boolean endOfStream() throws IOException {
        if (!gone()) {
            return false;
        }
        if (image != null && image.isEndOfStream()) {
            return true;
        }
        throw lost("the peer's image is gone (nothing heard from it within the driver's image liveness)");
    }

    private boolean gone() {
        Image img = image;
        return img != null && (img.isClosed() || img.isEndOfStream());
    }

    private IOException lost(String why) {
        if (fault == null) {
            fault = new IOException(describe + ": " + why);
        }
        return fault;
    }

    private void onMessage(DirectBuffer buffer, int offset, int length, Header header) {
        if (length >= 5 && buffer.getInt(offset, ByteOrder.BIG_ENDIAN) == 0) {
            onRecord(buffer, offset, length);
            return;
        }
        if (buf.length - limit < length) { // a new array: what was handed up stays in the old one
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, limit + length));
        }
        buffer.getBytes(offset, buf, limit, length);
        limit += length;
    }

    private void onRecord(DirectBuffer buffer, int offset, int length) {
        fault = new ChannelProtocolException(describe + ": unexpected link record of kind " + buffer.getByte(offset + 4));
    }

    // ---------------------------------------------------------------- writing

    @Override
    public void write(byte[] frames, int offset, int length) throws IOException {
        ExclusivePublication pub = publication;
        if (length > pub.maxMessageLength()) {
            throw new ChannelProtocolException(describe + ": a write of " + length + " bytes is above the "
                    + pub.maxMessageLength() + " bytes an Aeron message of this publication holds (term-length / 8)");
        }
        out.wrap(frames, offset, length);
        writeIdle.reset();
        long deadline = 0;
        while (true) {
            if (closed) {
                throw new IOException(describe + " is closed");
            }
            long r = pub.offer(out, 0, length);
            if (r > 0) {
                everConnected = true;
                return;
            }
            if (r == Publication.CLOSED) {
                throw new IOException(describe + " is closed");
            }
            if (r == Publication.MAX_POSITION_EXCEEDED) {
                throw new IOException(describe + ": the publication's position limit is reached");
            }
            if (r == Publication.NOT_CONNECTED) {
                if (everConnected) {
                    throw lostForWrite();
                }
                if (deadline == 0) {
                    deadline = System.nanoTime() + timeout.toNanos();
                } else if (System.nanoTime() - deadline > 0) {
                    throw new java.net.ConnectException(describe + ": the peer's subscription never connected within "
                            + dev.hoare.channels.spi.Endpoint.formatDuration(timeout));
                }
            } else {
                everConnected = true; // back pressure or admin action: connected
            }
            writeIdle.idle();
        }
    }

    private IOException lostForWrite() {
        return new IOException(describe + ": the " + (sending ? "receiver" : "sender")
                + " is gone (its media driver stopped answering: publication not connected)");
    }

    @Override
    public int atomicWrite() {
        return publication.maxMessageLength();
    }

    @Override
    public boolean canWriteNow() {
        return true;
    }

    @Override
    public boolean writeNow(byte[] bytes, int length) {
        ExclusivePublication pub = publication;
        if (closed || length > pub.maxMessageLength()) {
            return false;
        }
        try {
            out.wrap(bytes, 0, length);
            if (pub.offer(out, 0, length) > 0) {
                everConnected = true;
                return true;
            }
            return false;
        } catch (RuntimeException e) {
            return false; // the writer thread's write reports it
        }
    }

    // ---------------------------------------------------------------- the rest

    /**
     * The CLOSE is written (the engine then waits for the receiver to close its side, and closes
     * the link): until {@link #close}, an exiting JVM keeps its driver up for it, so that the last
     * values and the CLOSE, perhaps still in Aeron's buffers, reach the receiver. The publication
     * stays open: its close is an end of stream the peer would see at once.
     */
    @Override
    public void shutdownOutput() {
        if (sending && !closed) {
            AeronDrivers.CLOSING.add(this);
        }
    }

    /** Closes the publication only (the peer reads end of stream) and keeps reading: for tests. */
    void closeOutput() {
        publication.close();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        AeronDrivers.CLOSING.remove(this);
        for (AutoCloseable c : new AutoCloseable[] {publication, replies, owned}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    // the client may be closing at exit
                }
            }
        }
    }

    @Override
    public String describe() {
        return describe;
    }

    @Override
    public String toString() {
        return describe;
    }
}
