package dev.hoare.channels.fifo;

import dev.hoare.channels.contract.TransportContract;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The FIFO transport passes the transport contract, with child JVMs on the other end. */
class FifoContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("fifo:" + dir.resolve("f" + NAMES.incrementAndGet()) + "?capacity=" + capacity);
    }

    /** Receiver's buffer, the reader thread's value in hand, the pipe (64 KiB of frames of 5+ bytes), the outbox. */
    @Override
    protected int maxAhead(int capacity) {
        return capacity + 1 + 65536 / 5 + capacity;
    }

    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        String path = endpoint.getSchemeSpecificPart();
        Path fifo = Fifos.create(path.substring(0, path.indexOf('?')));
        return Optional.of(new FileOutputStream(fifo.toFile())); // blocks until the receiver opens: it is opening
    }
}
