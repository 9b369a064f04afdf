package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RpcExampleTest {
    @TempDir
    Path dir;

    @Test
    void aClientProcessGetsAnswersFromAServerProcessOverOneSocket() throws Exception {
        Path socket = dir.resolve("shout.sock");
        Process server = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), RpcExample.class.getName(), "serve", socket.toString())
                .redirectErrorStream(true).start();
        try {
            assertEquals(List.of("HELLO", "CHANNELS"), RpcExample.call(socket, java.time.Duration.ofSeconds(30))); // call waits for the server to listen
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** A client whose server never comes says so in one line and exits 1 (it printed a stack trace). */
    @Test
    void aClientWhoseServerNeverComesPrintsOneLineAndExitsOne() throws Exception {
        ExampleRun r = ExampleRun.of(RpcExample.class, "call", dir.resolve("shout.sock").toString(), "500ms");
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        org.junit.jupiter.api.Assertions.assertTrue(r.err().startsWith("RpcExample call: ")
                && r.err().contains("no server accepted a connection") && r.err().contains("within 500 ms"), r.err());
    }
}
