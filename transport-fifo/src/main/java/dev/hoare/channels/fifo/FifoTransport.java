package dev.hoare.channels.fifo;

import dev.hoare.channels.Channels;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code fifo:NAME} and {@code fifo:/absolute/path}: channels over named pipes. Opening either end
 * creates the FIFO if it is missing (see {@link Fifos} for names, places and permissions) and waits
 * up to {@code timeout} (default 10 s) for the other end; a sending end also writes its HELLO within
 * that time (into a full pipe, whose reader does not read, it fails saying so). Options: {@code capacity} (values
 * buffered on each side, default 64), {@code maxFrame}, {@code timeout}.
 *
 * <p>A FIFO is one-way with no return path: a send returns once the value is in the sender's
 * outbox; flow control is the reader's buffer, the pipe's buffer (64 KiB on Linux) and the
 * outbox. Several writers (threads or processes) may share one FIFO; the reading end closes
 * when the last writer has gone — with {@code PeerLostException} if one went away without
 * closing. The handshake is one-way too: a codec or {@code maxFrame} mismatch is reported only to
 * the reader (which closes); the writer's values until then are lost and it sees a
 * {@code PeerLostException} that names a mismatch as one possible reason. The I/O runs on platform threads (FIFO reads pin a virtual thread's carrier); the
 * application may call from any thread.
 */
public final class FifoTransport implements ChannelTransport {

    /** Made by {@link java.util.ServiceLoader}; use {@code Channels.openSend/openReceive}. */
    public FifoTransport() {
    }

    @Override
    public String scheme() {
        return "fifo";
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = options(endpoint);
        long deadline = System.nanoTime() + options.timeout().toNanos();
        Path fifo = Fifos.create(endpoint.address());
        FifoLink link = FifoLink.open(fifo, true, options.timeout());
        return sayHello(fifo, link, codec, options, deadline);
    }

    /**
     * Starts the sending end on {@code link}, which writes its HELLO, by the deadline: the HELLO
     * waits for the writers' locks (another writer may hold them, itself waiting to write) and
     * for room in the pipe (full when its reader does not read). It is written on a platform
     * thread of its own, which is interrupted at the deadline: a FIFO's write, its lock file's
     * lock and this JVM's writer lock all give up on an interrupt (the first two closing their
     * channel), so nothing is left waiting. A HELLO is smaller than PIPE_BUF, so it is written
     * whole or not at all.
     *
     * @throws IOException saying the FIFO is full, if the deadline passes; the link is closed then
     */
    private static <T> SendChannel<T> sayHello(Path fifo, FifoLink link, Codec<T> codec, StreamOptions options, long deadline)
            throws IOException {
        CompletableFuture<SendChannel<T>> hello = new CompletableFuture<>();
        Thread saying = Thread.ofPlatform().daemon(true).name("hoare-fifo-hello " + fifo).start(() -> {
            try {
                hello.complete(StreamChannels.sender(link, codec, options));
            } catch (Throwable t) {
                hello.completeExceptionally(t);
            }
        });
        try {
            return hello.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException late) {
            saying.interrupt();
            try {
                return hello.get(10, TimeUnit.SECONDS); // it ends at once: the end, if it made it meanwhile
            } catch (TimeoutException | ExecutionException | InterruptedException gaveUp) {
                link.close();
                if (gaveUp instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("FIFO " + fifo + " is full: its reader has not read for " + dev.hoare.channels.spi.Endpoint.formatDuration(options.timeout())
                        + " (or another writer holds the writers' lock meanwhile); gave up opening a sending end");
            }
        } catch (InterruptedException e) {
            saying.interrupt();
            link.close();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while opening a sending end of FIFO " + fifo);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException("cannot open a sending end of FIFO " + fifo, e.getCause());
        }
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = options(endpoint);
        Path fifo = Fifos.create(endpoint.address());
        return StreamChannels.receiver(FifoLink.open(fifo, false, options.timeout()), codec, options);
    }

    private static StreamOptions options(Endpoint endpoint) {
        return StreamOptions.from(endpoint.onlyOptions(StreamOptions.OPTIONS)).withPlatformThreads(true);
    }
}
