package dev.hoare.channels.link;

import dev.hoare.channels.PeerLostException;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A link between this process and a peer that carries whole frames (docs/wire-format.md), one way
 * (a FIFO end, a shared-memory ring) or both ways (a socket): what a transport opens and hands to
 * {@link dev.hoare.channels.remote.StreamChannels} to carry channel ends. A link whose transport is
 * a byte stream (a pipe, a socket, a child's standard streams) extends {@link StreamLink}, which
 * frames and unframes the stream once; a transport of records (shared memory, a message bus)
 * implements this interface itself and hands its records up as they are.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Directions.</b> {@link #reads()} and {@link #writes()} say which directions the link has;
 *       they never change. The reading methods ({@link #read}, {@link #hasFrame},
 *       {@link #awaitReadable}) are called only on a link that reads; the writing ones only on one
 *       that writes.</li>
 *   <li><b>Who calls what.</b> One thread reads at a time: the channel end serialises its readers
 *       (its reader thread, or an application thread holding its read lock), with a happens-before
 *       edge between one reader and the next. One thread writes at a time, likewise (the end's
 *       write lock, or its own lock while its writer is idle). A reader and a writer may run at
 *       the same time. {@link #wakeReader}, {@link #describe} and {@link #close} may be called by
 *       any thread at any time.</li>
 *   <li><b>Up: whole frames.</b> {@link #read} returns one or more whole frames, encoded, between
 *       the buffer's position and limit; never part of a frame. The buffer is the link's: the
 *       caller reads it (moving its position) and must not keep it, nor the bytes in it, past the
 *       next {@code read}, {@code awaitReadable} or {@code close}, which may reuse or release it.
 *       A link that would wait for the rest of a frame (a stream) refuses a length below 5 or
 *       above the {@code maxFrame} the caller passes ({@code ChannelProtocolException}) as soon as
 *       the length is in, before it waits or allocates anything; a link whose records are in
 *       whole may hand such a frame up. The caller decodes each frame once, checking its length,
 *       kind and stream.</li>
 *   <li><b>Down: whole frames.</b> {@link #write}, {@link #writeChunks} and {@link #writeNow} take
 *       arrays of whole frames, encoded; the link writes each frame whole (never interleaved with
 *       another writer's bytes), and does not keep the caller's array after it returns (a link
 *       that keeps part of a write copies it, see {@link #hasPendingWrite}).</li>
 *   <li><b>End of stream.</b> {@link #read} returns {@code null} once the peer has gone after a
 *       whole frame (and every frame before was handed up); a stream that ends inside a frame is a
 *       {@code ChannelProtocolException}. After {@code null}, a read returns {@code null} again or
 *       fails.</li>
 *   <li><b>Faults.</b> A lost peer is an {@link IOException} (the end reports it as a
 *       {@link PeerLostException}); a fault of the transport itself (a corrupt ring) is a
 *       {@link LinkFaultException}, whose cause the end reports as it is. After a fault the
 *       link is not read or written again, only closed.</li>
 *   <li><b>Close.</b> {@link #close} closes both directions, is idempotent, and makes a thread
 *       blocked in any method of the link return (with an exception, end of stream, or
 *       {@code true} from a wait, so that the next call fails); nothing reopens the link.</li>
 * </ul>
 */
public interface Link extends Closeable {

    /** @return whether frames come from the peer on this link ({@link #read}) */
    boolean reads();

    /** @return whether frames go to the peer on this link ({@link #write}) */
    boolean writes();

    /**
     * Waits for the next whole frames from the peer (see the class comment: whole frames, the
     * buffer's owner, end of stream).
     *
     * @param maxFrame the largest frame (kind + stream + payload, the length field's value) the
     *     caller accepts, at least 5
     * @return one or more whole frames between the buffer's position and limit, the link's until
     *     its next read, wait or close; {@code null} at a clean end of stream
     * @throws dev.hoare.channels.ChannelProtocolException for a truncated, too short or oversized frame
     * @throws IOException if the link fails or closes
     */
    ByteBuffer read(int maxFrame) throws IOException;

    /**
     * Whether a {@link #read} would return without waiting for the peer: a whole frame (or a length
     * that the read refuses) is already in the link's hands. Called by the one reader. The default
     * is {@code false}; the caller then waits with {@link #awaitReadable} or reads and blocks.
     *
     * @return whether a read returns at once
     */
    default boolean hasFrame() {
        return false;
    }

    /**
     * Writes whole frames, at once, and flushes them to the peer.
     *
     * @param frames whole frames, encoded
     * @param offset where the first frame begins
     * @param length how many bytes, from {@code offset}
     * @throws IOException if the write fails or the link closes
     */
    void write(byte[] frames, int offset, int length) throws IOException;

    /**
     * Ends the output (the peer reads end of stream) and keeps the input open: a socket's
     * {@code shutdownOutput}. The default does nothing; {@link #close} follows in any case.
     *
     * @throws IOException if it fails
     */
    default void shutdownOutput() throws IOException {
    }

    /**
     * The largest write the link keeps whole when several writers share it (a FIFO's PIPE_BUF),
     * or {@link Integer#MAX_VALUE}: a sender never puts several frames in one write beyond it.
     *
     * @return the limit in bytes
     */
    default int atomicWrite() {
        return Integer.MAX_VALUE;
    }

    /**
     * Writes a batch of chunks: chunk {@code i} is {@code bytes[ends[i-1] .. ends[i])} (from 0 for
     * the first), each whole frames and, when it holds more than one frame, at most
     * {@link #atomicWrite} bytes. A link shared by writers may take its lock once for the whole
     * batch, but must write each chunk in one write of its own so that each stays whole. The
     * default writes each chunk with {@link #write}.
     *
     * @param bytes the chunks, one after the other
     * @param ends where each chunk ends
     * @param count how many chunks
     * @throws IOException if a write fails
     */
    default void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        for (int i = 0, from = 0; i < count; from = ends[i++]) {
            write(bytes, from, ends[i] - from);
        }
    }

    /**
     * Whether {@link #writeNow} can write (a link in memory, such as a shared-memory ring, or a
     * socket in non-blocking mode). The default is {@code false}: every write goes through the
     * sending end's writer thread.
     *
     * @return {@code false} by default
     */
    default boolean canWriteNow() {
        return false;
    }

    /**
     * Writes whole frames at once if that takes neither blocking nor a system call an interrupt
     * could break (a copy into shared memory, a non-blocking socket write), for a sending thread
     * that finds nothing queued before its frame: it then skips the hand-off to the writer thread.
     * Called only if {@link #canWriteNow}, by the one thread writing the link at the time; must
     * not block, and must not throw. It may take part of the bytes and keep the rest
     * ({@link #hasPendingWrite}), never copying the caller's array after it returns.
     *
     * @param bytes whole frames
     * @param length how many bytes
     * @return whether they were taken (written, or kept for {@link #finishWrites}); {@code false}
     *     leaves them all to the writer thread
     */
    default boolean writeNow(byte[] bytes, int length) {
        return false;
    }

    /**
     * The process at the other end, for the ends' counters ({@code ChannelStats.peerPid}), if the
     * transport knows it: a ring's reader, a child process, the parent of a child. May be called
     * from any thread; must not block.
     *
     * @return the peer's pid, or {@code -1} if unknown (the default)
     */
    default long peerPid() {
        return -1;
    }

    /**
     * The least time between two sends for the second to write directly too ({@link #writeNow}),
     * when each direct write is a system call: sends that follow each other more closely (a
     * stream) go to the writer thread, which writes them in batches, until the sender pauses that
     * long. The default, {@code 0}, lets every send that finds nothing queued write directly (a
     * write into memory costs less than any hand-off).
     *
     * @return nanoseconds, {@code 0} by default
     */
    default long directWriteSpacingNanos() {
        return 0;
    }

    /**
     * Whether a {@link #writeNow} that returned {@code true} left part of its bytes unwritten (a
     * socket that took only part of them): the link writes them before anything else, and the
     * sending end has {@link #finishWrites} called soon, from a thread that may wait. The default
     * is {@code false}: a {@code writeNow} writes all or nothing.
     *
     * @return {@code false} by default
     */
    default boolean hasPendingWrite() {
        return false;
    }

    /**
     * Writes what a {@link #writeNow} left unwritten, waiting for room as needed. Called by the
     * one thread writing the link at the time. The default does nothing.
     *
     * @throws IOException if the write fails
     */
    default void finishWrites() throws IOException {
    }

    /**
     * Whether a receiving application thread may read this link itself (a link in memory, such
     * as a shared-memory ring, or a socket in non-blocking mode), waiting with
     * {@link #awaitReadable} instead of for a hand-off from the end's reader thread. The default
     * is {@code false}.
     *
     * @return {@code false} by default
     */
    default boolean canReadNow() {
        return false;
    }

    /**
     * Waits until a {@link #read} would return at once (frames, end of stream or a failure; on a
     * byte stream such as a socket, the rest of a frame may still be on its way, and reading it
     * then waits for it), for at most {@code timeoutNanos} ({@code 0}: one look;
     * {@link Long#MAX_VALUE}: no limit). Called only if
     * {@link #canReadNow}, and only by the one thread reading the link at the time (the end
     * serialises its readers); it may consume control records the stream would skip anyway.
     * A timed wait may also return {@code false} before its time after a {@link #wakeReader}
     * (the caller looks again); a wait with no limit does not.
     *
     * @param timeoutNanos how long to wait at most
     * @return whether a read would return at once
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException if the link fails
     */
    default boolean awaitReadable(long timeoutNanos) throws IOException, InterruptedException {
        return true;
    }

    /**
     * Waits as {@code awaitReadable(Long.MAX_VALUE)} does, except that a {@link #wakeReader} ends
     * the wait early ({@code false}: the caller looks again). For a thread that reads the link on
     * behalf of others and steps aside when an application thread wants it. The default waits
     * one slice of 10 ms ({@code awaitReadable} with that timeout); a link whose timed wait costs
     * more than an untimed one (a virtual thread in a selector: a timer for every wait) waits
     * untimed and ends on the wake-up.
     *
     * @return whether a read would return at once
     * @throws InterruptedException if interrupted while waiting
     * @throws IOException if the link fails
     */
    default boolean awaitReadableUntilWoken() throws IOException, InterruptedException {
        return awaitReadable(java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * Whether a virtual thread may read this link itself ({@link #canReadNow}): its
     * {@link #awaitReadable} leaves the carrier while it waits. The default is {@code false} (a
     * wait on shared memory spins or sleeps on a futex, holding the carrier): virtual threads
     * then wait on the end's inbox, fed by its reader thread.
     *
     * @return {@code false} by default
     */
    default boolean readNowFromVirtualThreads() {
        return false;
    }

    /**
     * Makes a thread blocked in a timed {@link #awaitReadable} look again soon (another thread
     * wants to read): it may return {@code false} early. The default does nothing; the waiter
     * then returns at its timeout.
     */
    default void wakeReader() {
    }

    /**
     * Whether several writers (processes) may send on this one-way link at once, as into a FIFO:
     * the receiver then accepts a HELLO from each, counts their close frames, and ends the
     * channel only at the end of the stream (when the last writer has gone): closed if every
     * writer that said HELLO also closed, else with {@code PeerLostException}.
     *
     * @return {@code false} by default
     */
    default boolean sharedByWriters() {
        return false;
    }

    /**
     * Closes both directions. Must make a thread blocked reading or writing the link return
     * (with an exception or end of stream). Idempotent.
     *
     * @throws IOException if it fails
     */
    @Override
    void close() throws IOException;

    /** @return what the link connects, for thread names and messages, such as {@code uds:/run/x.sock} */
    String describe();
}
