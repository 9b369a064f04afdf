package dev.hoare.channels.uds;

import dev.hoare.channels.contract.TransportContract;
import java.io.IOException;
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

/**
 * The Unix-socket transport passes the transport contract: the receiving end listens for one
 * sender ({@code ?listen=one}), the sending end connects, in this JVM or a child JVM.
 */
class UdsContractTest extends TransportContract {
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
        return URI.create("uds:" + dir.resolve("s" + NAMES.incrementAndGet() + ".sock") + "?capacity=" + capacity
                + "&listen=one");
    }

    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        String p = endpoint.getSchemeSpecificPart();
        SocketChannel socket = UnixChannels.connect(Path.of(p.substring(0, p.indexOf('?'))),
                dev.hoare.channels.spi.StreamOptions.defaults());
        RAW.add(socket);
        return Optional.of(new java.io.FilterOutputStream(Channels.newOutputStream(socket)) {
            @Override
            public void close() throws IOException {
                flush();
                socket.shutdownOutput();
            }
        });
    }
}
