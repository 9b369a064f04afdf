package dev.hoare.channels.stream;

import dev.hoare.channels.contract.TransportContract;
import dev.hoare.channels.spi.StreamOptions;
import java.io.IOException;
import java.io.FilterOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;

/** The stream machinery ({@code StreamChannels}) passes the transport contract over a real socket. */
class StreamContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final List<SocketChannel> RAW = new CopyOnWriteArrayList<>();
    @TempDir
    static Path dir;

    @AfterAll
    static void closeRawSenders() throws IOException {
        for (SocketChannel s : RAW) {
            s.close();
        }
    }

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("testsock:" + dir.resolve("s" + NAMES.incrementAndGet()) + "?capacity=" + capacity);
    }

    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        String path = endpoint.getSchemeSpecificPart();
        path = path.substring(0, path.indexOf('?'));
        SocketChannel socket = TestSocketTransport.connect(Path.of(path), StreamOptions.defaults());
        RAW.add(socket);
        return Optional.of(new FilterOutputStream(Channels.newOutputStream(socket)) {
            @Override
            public void close() throws IOException {
                flush();
                socket.shutdownOutput(); // the receiver sees the end of the stream and may still write its replies
            }
        });
    }
}
