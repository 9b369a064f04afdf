package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FifoExampleTest {

    @Test
    void theProducerProcessFeedsTheConsumerOverAFifo() throws Exception {
        Path dir = Files.createTempDirectory("hoare-fifo-example");
        runBoth(URI.create("fifo:" + dir.resolve("orders")), dir);
    }

    /** The README's "same programs over shared memory": only the URI changes. */
    @Test
    void theSameProgramsRunOverSharedMemory() throws Exception {
        Path dir = Files.createTempDirectory("hoare-shm-example");
        runBoth(URI.create("shm:" + dir.resolve("orders")), dir);
    }

    private static void runBoth(URI uri, Path dir) throws Exception {
        Process producer = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                FifoExample.class.getName(), "produce", uri.toString()).redirectErrorStream(true).start();
        try {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            FifoExample.consume(uri, new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(List.of("brewing espresso", "brewing flat white", "brewing cortado"),
                    printed.toString(StandardCharsets.UTF_8).lines().toList());
            assertTrue(producer.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, producer.exitValue(), new String(producer.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            producer.destroyForcibly();
            Files.deleteIfExists(dir.resolve("orders"));
            Files.deleteIfExists(dir.resolve("orders.lock")); // FIFO writers' lock file
            Files.deleteIfExists(dir);
        }
    }

    /** A consumer whose producer never comes says so in one line and exits 1 (it printed a stack trace). */
    @Test
    void aConsumerWhoseProducerNeverComesPrintsOneLineAndExitsOne() throws Exception {
        Path dir = Files.createTempDirectory("hoare-fifo-example");
        try {
            ExampleRun r = ExampleRun.of(FifoExample.class, "consume", "fifo:" + dir.resolve("orders") + "?timeout=500ms");
            assertEquals(1, r.exit(), r.err());
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(r.err().startsWith("FifoExample consume: ") && r.err().contains("no writer opened FIFO")
                    && r.err().contains("within 500 ms"), r.err());
        } finally {
            Files.deleteIfExists(dir.resolve("orders"));
            Files.deleteIfExists(dir);
        }
    }
}
