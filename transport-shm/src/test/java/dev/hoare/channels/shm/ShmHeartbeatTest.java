package dev.hoare.channels.shm;

import dev.hoare.channels.contract.HeartbeatContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@code shm:}'s heartbeat: the reader calls a stopped writer lost and keeps an idle one, with a child JVM writing. */
class ShmHeartbeatTest extends HeartbeatContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint() {
        return URI.create("shm:" + dir.resolve("h" + NAMES.incrementAndGet()));
    }

    @Override
    protected boolean twoWay() {
        return false;
    }
}
