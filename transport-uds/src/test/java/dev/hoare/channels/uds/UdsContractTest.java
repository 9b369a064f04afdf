package dev.hoare.channels.uds;

import dev.hoare.channels.contract.TransportContract;
import dev.hoare.channels.link.StreamOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Unix-socket transport passes the transport contract: the receiving end listens for one
 * sender ({@code ?listen=one}), the sending end connects, in this JVM or a child JVM.
 */
class UdsContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("uds:" + dir.resolve("s" + NAMES.incrementAndGet() + ".sock") + "?capacity=" + capacity
                + "&listen=one");
    }

    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        return Optional.of(rawSocketSender(UnixChannels.connect(pathOf(endpoint), StreamOptions.defaults())));
    }
}
