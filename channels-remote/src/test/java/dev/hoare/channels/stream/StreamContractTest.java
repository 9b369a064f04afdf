package dev.hoare.channels.stream;

import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.contract.TransportContract;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The stream machinery ({@code StreamChannels}) passes the transport contract over a real socket. */
class StreamContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("testsock:" + dir.resolve("s" + NAMES.incrementAndGet()) + "?capacity=" + capacity);
    }

    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        return Optional.of(rawSocketSender(TestSocketTransport.connect(pathOf(endpoint), StreamOptions.defaults())));
    }
}
