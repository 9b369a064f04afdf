package dev.hoare.channels.shm;

import dev.hoare.channels.contract.TransportContract;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** The shm transport passes the transport contract, with child JVMs on the other end. */
class ShmContractTest extends TransportContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    private static final int RING = 4096;
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint(int capacity) {
        return URI.create("shm:" + dir.resolve("r" + NAMES.incrementAndGet()) + "?capacity=" + capacity + "&capacityBytes=" + RING);
    }

    /** Receiver's buffer, the reader thread's value in hand, the ring (frames of 5+ bytes), the outbox. */
    @Override
    protected int maxAhead(int capacity) {
        return capacity + 1 + RING / 5 + capacity;
    }

    /** A raw writer: each write is one record, as a writing end's chunks are. */
    @Override
    protected Optional<OutputStream> openRawSender(URI endpoint) throws IOException {
        ShmLink link = ShmLink.writer(pathOf(endpoint), ShmRing.WaitStrategy.BACKOFF, Duration.ofSeconds(30));
        return Optional.of(new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                link.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                link.close();
            }
        });
    }
}
