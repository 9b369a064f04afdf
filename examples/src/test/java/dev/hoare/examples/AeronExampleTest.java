package dev.hoare.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The README's two-host example, on loopback: the order in a child JVM with its own media driver, as another host. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronExampleTest {

    private static int freePort() throws Exception {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void anOrderFromAnotherJvmReachesTheKitchen() throws Exception {
        URI uri = URI.create("aeron:udp?endpoint=127.0.0.1:" + freePort() + "&senders=one");
        Process order = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                AeronExample.class.getName(), "order", uri.toString(), "espresso", "flat white", "cortado")
                .redirectErrorStream(true).start();
        try {
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            AeronExample.kitchen(uri, new PrintStream(printed, true, StandardCharsets.UTF_8));
            assertEquals(List.of("brewing espresso", "brewing flat white", "brewing cortado"),
                    printed.toString(StandardCharsets.UTF_8).lines().toList());
            assertTrue(order.waitFor(30, TimeUnit.SECONDS));
            assertEquals(0, order.exitValue(), new String(order.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } finally {
            order.destroyForcibly();
        }
    }

    /** An order with no kitchen says so in one line and exits 1. */
    @Test
    void anOrderWithNoKitchenPrintsOneLineAndExitsOne() throws Exception {
        ExampleRun r = ExampleRun.of(AeronExample.class, "order", "aeron:udp?endpoint=127.0.0.1:" + freePort() + "&timeout=500ms", "x");
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("AeronExample order: ") && r.err().contains("no receiver at"), r.err());
    }
}
