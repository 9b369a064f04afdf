package dev.hoare.channels.stream;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.spi.ChannelTransport;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code testsock:/path/to/socket}: a test-only transport, just enough to run the stream machinery
 * ({@link StreamChannels}) over a real two-way socket between processes for the contract kit. The
 * receiving end listens at the path and accepts one sender; the sending end connects, retrying
 * until the timeout. (The real Unix-socket transport is {@code transport-uds}.)
 */
public final class TestSocketTransport implements ChannelTransport {

    @Override
    public String scheme() {
        return "testsock";
    }

    @Override
    public <T> SendChannel<T> openSend(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = StreamOptions.from(endpoint.onlyOptions(StreamOptions.OPTIONS));
        SocketChannel socket = connect(Path.of(endpoint.address()), options);
        return StreamChannels.sender(Links.socket(socket, endpoint.uri().toString()), codec, options);
    }

    @Override
    public <T> ReceiveChannel<T> openReceive(Endpoint endpoint, Codec<T> codec) throws IOException {
        StreamOptions options = StreamOptions.from(endpoint.onlyOptions(StreamOptions.OPTIONS));
        Path path = Path.of(endpoint.address());
        SocketChannel socket;
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
             Selector selector = Selector.open()) {
            Files.deleteIfExists(path);
            server.bind(UnixDomainSocketAddress.of(path));
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            if (selector.select(options.timeout().toMillis()) == 0) {
                throw new IOException("no sender connected to " + path + " within " + options.timeout());
            }
            socket = server.accept();
        } finally {
            Files.deleteIfExists(path);
        }
        socket.configureBlocking(true);
        return StreamChannels.receiver(Links.socket(socket, endpoint.uri().toString()), codec, options);
    }

    /** Connects to the path, retrying until a receiver listens there or the timeout passes. */
    public static SocketChannel connect(Path path, StreamOptions options) throws IOException {
        long deadline = System.nanoTime() + options.timeout().toNanos();
        while (true) {
            try {
                return SocketChannel.open(UnixDomainSocketAddress.of(path));
            } catch (IOException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("no receiver listening at " + path + " within " + options.timeout(), notYet);
                }
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while connecting to " + path);
                }
            }
        }
    }
}
