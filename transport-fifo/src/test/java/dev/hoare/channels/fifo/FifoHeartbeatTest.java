package dev.hoare.channels.fifo;

import dev.hoare.channels.contract.HeartbeatContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@code fifo:}'s heartbeat: the reader calls a stopped writer lost and keeps an idle one, with a child JVM writing. */
class FifoHeartbeatTest extends HeartbeatContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint() {
        return URI.create("fifo:" + dir.resolve("h" + NAMES.incrementAndGet()));
    }

    @Override
    protected boolean twoWay() {
        return false;
    }

    /** Either end may make the FIFO; opening for reading waits for a writer. */
    @Override
    protected boolean senderAwaitsReceiverFile() {
        return false;
    }
}
