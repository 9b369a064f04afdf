package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DemoTest {

    @Test
    void demoShowsPipelineCloseOverflowRendezvousAndTheSameChannelAcrossProcesses() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Demo(new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertContains(out, "100 squares received, sum of squares 1..100 = 338350");
        assertContains(out, "got line 1");
        assertContains(out, "got line 2");
        assertContains(out, "closed, cause: disk unplugged");
        assertContains(out, "send after close: channel closed: java.lang.IllegalStateException: disk unplugged");
        assertContains(out, "conflated: 10");
        assertContains(out, "window: [8, 9, 10], dropped: [1, 2, 3, 4, 5, 6, 7]");
        assertContains(out, "trySend with no receiver: false");
        assertContains(out, "receiver got: hello");
        assertContains(out, "send returned true once the receiver had it");
        assertContains(out, "got result A\n   got result B\n   timed out after 500 ms");
        assertContains(out, "evens x10 from the channel: [20, 40, 60, 80, 100, 120, 140, 160, 180, 200]");
        assertContains(out, "from a Flux: back into a channel");
        assertContains(out, "fifo: (a named pipe)         from child pid ");
        assertContains(out, "uds:  (a Unix socket)        from child pid ");
        assertContains(out, "shm:  (a shared-memory ring) from child pid ");
        assertTrue(out.lines().filter(l -> l.endsWith("files removed)") && l.contains(": espresso, flat white, cortado (")).count() == 3, out);
        assertContains(out, "received SIGUSR1 (signal 10)");
        assertContains(out, "done.");
    }

    private static void assertContains(String out, String expected) {
        assertTrue(out.contains(expected), () -> "missing \"" + expected + "\" in:\n" + out);
    }
}
