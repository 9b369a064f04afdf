package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class QuickStartTest {

    @Test
    void quickStartReceivesEveryWordInOrderThenEnds() throws Exception {
        assertEquals(List.of("NEVER", "COMMUNICATE", "BY", "SHARING", "MEMORY"), QuickStart.run());
    }

    @Test
    void selectTakesTheFirstAnswerThenTimesOut() throws Exception {
        assertEquals("fast answer / slow one timed out", QuickStart.firstAnswer());
    }

    @Test
    void reactiveExampleSquaresThroughAFluxAndSeesTheSignal() throws Exception {
        assertEquals("[1, 4, 9, 16, 25, 36, 49, 64, 81, 100] SIGUSR1", QuickStart.reactive());
    }

    @Test
    void broadcastExampleGivesTheAuditorEveryPriceAndTheDashboardTheNewest() throws Exception {
        assertEquals("[ACME 10, ACME 11, ACME 12, ACME 13] ACME 13", BroadcastExample.run());
    }

    @Test
    void countersExampleSeesTheWaitingSenderAndTheNamedChannel() throws Exception {
        assertEquals("orders sent=2 depth=2/2 blockedSenders=1; after: sent=3 received=1 blocked=0; file "
                + ProcessHandle.current().pid() + ".counters", ObservabilityExample.run());
    }

    /** The README shows the tagged lines of QuickStart.java, FifoExample.java, RpcExample.java, BroadcastExample.java, ChildProcessExample.java, WorkerPoolExample.java, ObservabilityExample.java and AeronExample.java verbatim (indentation aside), so it cannot drift. */
    @Test
    void readmeShowsTheCompiledQuickStart() throws IOException {
        Path root = Path.of("").toAbsolutePath().getParent();
        String readme = Files.readString(root.resolve("README.md"));
        for (String tag : new String[] {"quickstart", "select", "broadcast", "reactive", "fifo-consume", "fifo-produce", "uds-serve", "uds-call", "process-spawn", "process-child", "pool-producer", "pool-worker", "counters", "aeron-kitchen", "aeron-order"}) {
            String source = Files.readString(root.resolve("examples/src/main/java/dev/hoare/examples/"
                    + (tag.startsWith("fifo") ? "FifoExample.java" : tag.startsWith("uds") ? "RpcExample.java"
                    : tag.startsWith("process") ? "ChildProcessExample.java" : tag.startsWith("aeron") ? "AeronExample.java" : tag.startsWith("pool") ? "WorkerPoolExample.java"
                    : tag.equals("broadcast") ? "BroadcastExample.java" : tag.equals("counters") ? "ObservabilityExample.java"
                    : "QuickStart.java")));
            String snippet = between(source, "// tag::" + tag + "[]\n", "        // end::" + tag + "[]");
            String dedented = snippet.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                    .reduce("", (a, b) -> a + b + "\n");
            assertTrue(readme.contains(dedented), () -> "README.md must contain the " + tag + " example exactly:\n" + dedented);
        }
    }

    private static String between(String text, String start, String end) {
        int from = text.indexOf(start) + start.length();
        return text.substring(from, text.indexOf(end, from));
    }
}
