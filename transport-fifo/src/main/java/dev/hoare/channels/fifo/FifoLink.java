package dev.hoare.channels.fifo;

import dev.hoare.channels.link.Link;
import dev.hoare.channels.link.LinkStreams;
import dev.hoare.channels.link.StreamLink;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a FIFO as a one-way {@link Link} ({@link StreamLink} frames the FIFO's bytes). Several writers may share the FIFO, so every write
 * of a writing end is made under an exclusive lock on a lock file beside the FIFO
 * ({@code NAME.lock}; released by the OS if the writer dies) and, inside one JVM, a lock per
 * FIFO: frames of different writers never interleave, whatever their size. Writes of frames that
 * fit in PIPE_BUF (4096 bytes on Linux) are also atomic for the kernel, so a writer killed in the
 * middle of one leaves nothing half-written; see docs/fifo.md for larger frames.
 */
final class FifoLink extends StreamLink {
    /** PIPE_BUF on Linux: writes up to this size into a pipe are atomic. */
    static final int PIPE_BUF = 4096;
    /** The most bytes one read or write of the FIFO moves ({@link LinkStreams#SLICE}); a chunk of frames is at most this. */
    private static final int SLICE = LinkStreams.SLICE;
    private static final ConcurrentHashMap<Path, ReentrantLock> WRITERS_IN_THIS_JVM = new ConcurrentHashMap<>();

    private final Path fifo;
    private final FileChannel channel;
    private final FileChannel lockFile;
    private final ReentrantLock jvmLock;
    private final InputStream in;
    private final OutputStream out;
    /** Chunks are copied here to be written (under the JVM lock). */
    private final ByteBuffer chunkBuffer;

    private FifoLink(Path fifo, FileChannel channel, boolean write) throws IOException {
        this.fifo = fifo;
        this.channel = channel;
        if (write) {
            this.lockFile = FileChannel.open(lockFile(fifo), java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            this.jvmLock = WRITERS_IN_THIS_JVM.computeIfAbsent(fifo, p -> new ReentrantLock());
            this.chunkBuffer = ByteBuffer.allocateDirect(SLICE);
            this.out = new LinkStreams.Out() {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    writeLocked(b, off, len);
                }
            };
            this.in = null;
        } else {
            this.lockFile = null;
            this.jvmLock = null;
            this.chunkBuffer = null;
            this.in = LinkStreams.in(channel);
            this.out = null;
        }
    }

    static Path lockFile(Path fifo) {
        return fifo.resolveSibling(fifo.getFileName() + ".lock");
    }

    /**
     * Opens an end of the FIFO, waiting at most {@code timeout} for the other end to be opened
     * (a FIFO open blocks until its partner arrives). The blocking open runs on a platform thread;
     * on timeout this process opens the other end itself without blocking, which releases it.
     *
     * @throws IOException naming the missing partner on timeout
     */
    static FifoLink open(Path fifo, boolean write, Duration timeout) throws IOException {
        CompletableFuture<FileChannel> opening = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).name("hoare-fifo-open " + fifo).start(() -> {
            try {
                opening.complete(FileChannel.open(fifo, write ? StandardOpenOption.WRITE : StandardOpenOption.READ));
            } catch (Throwable t) {
                opening.completeExceptionally(t);
            }
        });
        IOException failure;
        try {
            return new FifoLink(fifo, opening.get(timeout.toNanos(), TimeUnit.NANOSECONDS), write);
        } catch (TimeoutException e) {
            failure = new IOException("no " + (write ? "reader" : "writer") + " opened FIFO " + fifo + " within " + dev.hoare.channels.spi.Endpoint.formatDuration(timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = new InterruptedIOException("interrupted while opening FIFO " + fifo);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("cannot open FIFO " + fifo, e.getCause());
        }
        abandon(fifo, write, opening);
        throw failure;
    }

    /** Releases our own blocked open by arriving as its partner, then closes what it opened. */
    private static void abandon(Path fifo, boolean write, CompletableFuture<FileChannel> opening) {
        while (!opening.isDone()) {
            Posix.touchOtherEnd(fifo, !write);
            try {
                opening.get(10, TimeUnit.MILLISECONDS);
            } catch (TimeoutException | InterruptedException | ExecutionException retry) {
                // try again until the opener has returned
            }
        }
        opening.thenAccept(ch -> {
            try {
                ch.close();
            } catch (IOException ignored) {
                // nothing to do
            }
        });
    }

    private void writeLocked(byte[] b, int off, int len) throws IOException {
        lockInJvm();
        try (FileLock ignored = lockFile.lock()) {
            writeThrough(b, off, len);
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * Takes this JVM's lock of the FIFO's writers, giving up if the thread is interrupted (as the
     * writers' lock file and the write itself do: an opening that ran out of time interrupts its
     * thread). Must be followed by {@code jvmLock.unlock()}.
     *
     * @throws InterruptedIOException if interrupted while waiting
     */
    private void lockInJvm() throws InterruptedIOException {
        try {
            jvmLock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another writer of FIFO " + fifo);
        }
    }

    /**
     * One lock for the batch, one write per chunk (each whole: at most PIPE_BUF or whole frames),
     * through a direct buffer.
     */
    @Override
    public void writeChunks(byte[] bytes, int[] ends, int count) throws IOException {
        lockInJvm();
        try (FileLock ignored = lockFile.lock()) {
            for (int i = 0, from = 0; i < count; from = ends[i++]) {
                writeThrough(bytes, from, ends[i] - from);
            }
        } finally {
            jvmLock.unlock();
        }
    }

    /**
     * Under the locks: writes {@code b[from .. from + length)} through the direct buffer, in one
     * write when it fits (every chunk of more than one frame does) and in slices of its size when
     * it does not (one large frame, which the locks keep whole). Given a heap array, the JDK would
     * copy it into a native buffer as large as the frame, and keep that for the thread.
     */
    private void writeThrough(byte[] b, int from, int length) throws IOException {
        for (int end = from + length; from < end; ) {
            int n = Math.min(SLICE, end - from);
            ByteBuffer slice = chunkBuffer.clear().put(b, from, n).flip();
            try {
                while (slice.hasRemaining()) {
                    channel.write(slice);
                }
            } catch (java.nio.channels.ClosedChannelException closedHere) {
                throw closedHere; // our own close, or an interrupt
            } catch (IOException readerGone) {
                throw new IOException(readerGone.getMessage() + ": the reader closed FIFO " + fifo
                        + ". It went away, or it refused this writer's HELLO: a codec or maxFrame mismatch is told only"
                        + " to the reader, since a FIFO has no return path", readerGone);
            }
            from += n;
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

    /** {@inheritDoc} Under the writers' locks, through the direct buffer. */
    @Override
    public void write(byte[] frames, int offset, int length) throws IOException {
        writeLocked(frames, offset, length);
    }

    @Override
    public int atomicWrite() {
        return PIPE_BUF;
    }

    @Override
    public boolean sharedByWriters() {
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            channel.close();
        } finally {
            if (lockFile != null) {
                lockFile.close();
            }
        }
    }

    @Override
    public String describe() {
        return "fifo:" + fifo;
    }
}
