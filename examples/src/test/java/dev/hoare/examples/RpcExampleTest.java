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
            assertEquals(List.of("HELLO", "CHANNELS"), RpcExample.call(socket)); // call waits for the server to listen
        } finally {
            server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
