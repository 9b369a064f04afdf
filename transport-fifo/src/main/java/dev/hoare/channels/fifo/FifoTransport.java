package dev.hoare.channels.fifo;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.StreamChannels;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.spi.StreamOptions;
import java.io.IOException;
import java.nio.file.Path;

/**
 * {@code fifo:NAME} and {@code fifo:/absolute/path}: channels over named pipes. Opening either end
 * creates the FIFO if it is missing (see {@link Fifos} for names, places and permissions) and waits
 * up to {@code timeout} (default 10 s) for the other end. Options: {@code capacity} (values
 * buffered on each side, default 64), {@code maxFrame}, {@code timeout}.
 *
 * <p>A FIFO is one-way with no return path: a send returns once the value is in the sender's
 * outbox; flow control is the reader's buffer, the pipe's buffer (64 KiB on Linux) and the
 * outbox. Several writers (threads or processes) may share one FIFO; the reading end closes
 * when the last writer has gone — with {@code PeerLostException} if one went away without
 * closing. The I/O runs on platform threads (FIFO reads pin a virtual thread's carrier); the
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
        Path fifo = Fifos.create(endpoint.address());
        return StreamChannels.sender(FifoLink.open(fifo, true, options.timeout()), codec, options);
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
