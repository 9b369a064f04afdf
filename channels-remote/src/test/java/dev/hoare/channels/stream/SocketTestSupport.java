package dev.hoare.channels.stream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/** What the socket tests share: a deadline for every wait, and what each test opens, closed after it. */
abstract class SocketTestSupport {
    static final Duration DEADLINE = Duration.ofSeconds(20);
    /** Sockets and channel ends the test opened, closed in order after it. */
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }
}
