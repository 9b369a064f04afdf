package dev.hoare.channels.uds;

import dev.hoare.channels.contract.HeartbeatContract;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.io.TempDir;

/** {@code uds:}'s heartbeat: a stopped peer is lost either way, an idle one is kept, with a child JVM at the other end. */
class UdsHeartbeatTest extends HeartbeatContract {
    private static final AtomicInteger NAMES = new AtomicInteger();
    @TempDir
    static Path dir;

    @Override
    protected URI newEndpoint() {
        return URI.create("uds:" + dir.resolve("h" + NAMES.incrementAndGet() + ".sock") + "?listen=one");
    }

    @Override
    protected boolean twoWay() {
        return true;
    }
}
