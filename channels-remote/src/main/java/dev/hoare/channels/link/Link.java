package dev.hoare.channels.link;

import dev.hoare.channels.PeerLostException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * A byte stream between this process and a peer, one way (a FIFO end) or both ways (a socket),
 * that a transport opens and hands to {@link dev.hoare.channels.remote.StreamChannels} to carry a channel
 * end as frames (docs/wire-format.md).
 */
public interface Link extends Closeable {

    /** @return bytes from the peer, or {@code null} if this link only sends */
    InputStream in();

    /** @return bytes to the peer, or {@code null} if this link only receives */
    OutputStream out();

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
     * default writes each chunk to {@link #out()} and flushes.
     *
     * @param bytes the chunks, one after the other
     * @param ends where each chunk ends
     * @param count how many chunks
     * @throws IOException if a write fails
     */
    default void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        OutputStream out = out();
        for (int i = 0, from = 0; i < count; from = ends[i++]) {
            out.write(bytes, from, ends[i] - from);
        }
        out.flush();
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
     * Waits until a read of {@link #in()} would return at once (bytes, end of stream or a
     * failure; on a byte stream such as a socket, the rest of a frame may still be on its way,
     * and reading it then waits for it), for at most {@code timeoutNanos} ({@code 0}: one look;
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
