package dev.hoare.channels.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * A two-way link over a socket in non-blocking mode, so that an application thread may read and
 * write it itself ({@link #canReadNow}, {@link #canWriteNow}) without an interrupt closing the
 * socket (only blocking socket I/O is closed by an interrupt). Threads that must wait do so in a
 * {@link Selector}: one for reading, one (made when first needed) for writing.
 *
 * <p>Reading ({@link #read}, {@link #awaitReadable}; {@link StreamLink} frames the stream) is done
 * by one thread at a time, as is writing ({@link #write}, {@link #writeChunks}, {@link #writeNow},
 * {@link #finishWrites}): the
 * channel ends serialise their readers and their writers. A wait that completes a frame already
 * begun (reading the rest of it, or writing it) does not stop for an interrupt, which would tear
 * the stream; it keeps the interrupt for the caller and ends when the link closes.
 */
final class SocketLink extends StreamLink {
    private final SocketChannel socket;
    private final String description;
    private final Selector readSelector;
    /** Made by the first write that finds the socket full. Writers only. */
    private volatile Selector writeSelector;
    /** What a {@link #writeNow} could not write at once, written before anything else. Writers only. */
    private byte[] pending;
    private volatile boolean closed;
    /**
     * {@link #wakeReader} was called: a timed {@link #awaitReadable}, or an
     * {@link #awaitReadableUntilWoken}, returns at its next look.
     */
    private volatile boolean wakeRequested;

    private final InputStream in = new LinkStreams.In() {
        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            ByteBuffer buf = ByteBuffer.wrap(b, off, Math.min(len, SLICE)); // see SLICE
            while (true) {
                int n = socket.read(buf);
                if (n != 0) {
                    return n;
                }
                awaitUninterruptibly(readSelector());
            }
        }
    };

    private final OutputStream out = new LinkStreams.Out() {
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            finishWrites();
            writeFully(b, off, len);
        }
    };

    SocketLink(SocketChannel socket, String description) throws IOException {
        this.socket = socket;
        this.description = description;
        socket.configureBlocking(false);
        this.readSelector = Selector.open();
        try {
            socket.register(readSelector, SelectionKey.OP_READ);
        } catch (IOException | RuntimeException e) {
            readSelector.close();
            throw e;
        }
    }

    @Override
    protected InputStream in() {
        return in;
    }

    @Override
    protected OutputStream out() {
        return out;
    }

    /** {@inheritDoc} Straight into the socket, after what a {@link #writeNow} left. */
    @Override
    public void write(byte[] frames, int offset, int length) throws IOException {
        finishWrites();
        writeFully(frames, offset, length);
    }

    private Selector readSelector() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        return readSelector;
    }

    private Selector writeSelector() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (writeSelector == null) {
            Selector s = Selector.open();
            try {
                socket.register(s, SelectionKey.OP_WRITE);
            } catch (IOException | RuntimeException e) {
                s.close();
                throw e;
            }
            writeSelector = s;
            if (closed) { // closed meanwhile: close() may not have seen it
                s.close();
                throw new ClosedChannelException();
            }
        }
        return writeSelector;
    }

    /** Writes {@code b[off .. off + len)} in slices of {@link #SLICE}, waiting for room as needed. */
    private void writeFully(byte[] b, int off, int len) throws IOException {
        for (int end = off + len; off < end; ) {
            int n = socket.write(ByteBuffer.wrap(b, off, Math.min(SLICE, end - off)));
            if (n == 0) {
                awaitUninterruptibly(writeSelector());
            }
            off += n;
        }
    }

    /**
     * Waits until the selector's one key is ready (or a wake-up), keeping an interrupt for the
     * caller instead of stopping for it.
     */
    private void awaitUninterruptibly(Selector selector) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            selector.select(key -> { }, 0);
        } catch (ClosedSelectorException e) {
            throw new ClosedChannelException();
        } finally {
            if (interrupted || Thread.interrupted()) {
                Thread.currentThread().interrupt();
            }
        }
        if (closed) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        finishWrites();
        socket.shutdownOutput();
    }

    /** {@inheritDoc} All of the batch's bytes at once, in slices of {@link #SLICE}. */
    @Override
    public void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        finishWrites();
        writeFully(bytes, 0, count == 0 ? 0 : ends[count - 1]);
    }

    /** {@link LinkStreams#SLICE}: the most bytes handed to one socket read or write. */
    private static final int SLICE = LinkStreams.SLICE;

    /** The sending thread may write a frame itself: a non-blocking write. */
    @Override
    public boolean canWriteNow() {
        return true;
    }

    /** A direct write is a system call (and wakes the reader): a stream of sends goes in batches. */
    @Override
    public long directWriteSpacingNanos() {
        return 20_000L;
    }

    /**
     * One non-blocking write. If the socket took part of the frames only, the rest is kept and
     * written before anything else ({@link #hasPendingWrite}: the caller has it finished).
     */
    @Override
    public boolean writeNow(byte[] bytes, int length) {
        if (closed || pending != null) {
            return false;
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes, 0, Math.min(length, SLICE));
        try {
            socket.write(buf);
        } catch (IOException | RuntimeException e) {
            return false; // the writer thread's write meets the same failure and reports it
        }
        if (buf.position() == 0) {
            return false;
        }
        if (buf.position() < length) {
            pending = Arrays.copyOfRange(bytes, buf.position(), length);
        }
        return true;
    }

    @Override
    public boolean hasPendingWrite() {
        return pending != null;
    }

    @Override
    public void finishWrites() throws IOException {
        byte[] p = pending;
        if (p != null) {
            writeFully(p, 0, p.length);
            pending = null;
        }
    }

    /** The receiving thread may read the socket itself, waiting in a selector. */
    @Override
    public boolean canReadNow() {
        return true;
    }

    @Override
    public boolean awaitReadable(long timeoutNanos) throws IOException, InterruptedException {
        return await(timeoutNanos, false);
    }

    /** An untimed select, ended by a {@link #wakeReader}: no timer per wait for a virtual thread. */
    @Override
    public boolean awaitReadableUntilWoken() throws IOException, InterruptedException {
        return await(Long.MAX_VALUE, true);
    }

    /** @param wakeable whether a wait with no limit ends on a {@link #wakeReader} (a timed one always does) */
    private boolean await(long timeoutNanos, boolean wakeable) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeoutNanos;
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
            int ready;
            try {
                long left = deadline - System.nanoTime();
                if (timeoutNanos <= 0 || left <= 0) {
                    ready = readSelector().selectNow(key -> { });
                } else if (timeoutNanos == Long.MAX_VALUE) {
                    ready = readSelector().select(key -> { }, 0);
                } else {
                    long millis = TimeUnit.NANOSECONDS.toMillis(Math.min(left, Long.MAX_VALUE - 999_999) + 999_999); // rounded up
                    ready = readSelector().select(key -> { }, Math.max(1, millis));
                }
            } catch (ClosedSelectorException e) {
                return true; // closed: the read says so
            }
            if (ready > 0 || closed || !socket.isOpen()) { // a closed socket: the read reports it at once
                return true;
            }
            boolean woken = wakeRequested;
            if (woken) {
                wakeRequested = false;
            }
            if (timeoutNanos <= 0 || (woken && wakeable)
                    || (timeoutNanos != Long.MAX_VALUE && (woken || deadline - System.nanoTime() <= 0))) {
                return false; // the time is up, or another thread wants the link: the caller looks again
            }
        }
    }

    /** A virtual thread in a selector leaves its carrier (Java 25; this link is used from 25 on). */
    @Override
    public boolean readNowFromVirtualThreads() {
        return true;
    }

    @Override
    public void wakeReader() {
        wakeRequested = true;
        try {
            readSelector.wakeup();
        } catch (ClosedSelectorException ignored) {
            // closed: nobody waits
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        try {
            socket.close();
        } finally {
            readSelector.wakeup();
            readSelector.close();
            Selector w = writeSelector;
            if (w != null) {
                w.wakeup();
                w.close();
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public String toString() {
        return "SocketLink[" + description + "]";
    }
}
