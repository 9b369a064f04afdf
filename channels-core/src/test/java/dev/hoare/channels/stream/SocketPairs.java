package dev.hoare.channels.stream;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Two connected Unix sockets for a test (its socket file is gone once they are connected). */
final class SocketPairs {
    private SocketPairs() {
    }

    /**
     * @param toClose where the two sockets are added, for the test to close
     * @return the connecting end and the accepted end
     */
    static SocketChannel[] open(List<AutoCloseable> toClose) throws IOException {
        Path dir = Files.createTempDirectory("hoare-socket-pair");
        Path path = dir.resolve("s");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(path));
            SocketChannel a = SocketChannel.open(UnixDomainSocketAddress.of(path));
            SocketChannel b = server.accept();
            toClose.add(a);
            toClose.add(b);
            return new SocketChannel[] {a, b};
        } finally {
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir);
        }
    }
}
