package dev.hoare.channels.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real signals sent to real child JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalsTest {
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    /** A child JVM running {@link SignalChild} and the lines it printed so far. */
    private final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        Child(String mode) throws Exception {
            String java = ProcessHandle.current().info().command().orElseThrow();
            process = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    SignalChild.class.getName(), mode).redirectErrorStream(true).start();
            children.add(process);
            Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        lines.add(line);
                    }
                } catch (java.io.IOException ignored) {
                    // the child is gone
                }
            });
            expect("READY");
        }

        /** Waits (20 s at most) for the line, skipping others; fails with what was printed. */
        void expect(String wanted) throws InterruptedException {
            List<String> seen = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < deadline) {
                String line = lines.poll(100, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                if (line.equals(wanted)) {
                    return;
                }
                seen.add(line);
            }
            fail("child never printed \"" + wanted + "\"; printed: " + seen);
        }

        void signal(Signal s) throws Exception {
            Signals.send(process.pid(), s);
        }

        int exitCode() throws InterruptedException {
            assertTrue(process.waitFor(20, TimeUnit.SECONDS), "child did not exit");
            return process.exitValue();
        }
    }

    @Test
    void subscribersSeeSignalsAndTermStillRunsTheShutdownHooks() throws Exception {
        Child child = new Child("default");
        child.signal(Signal.USR1);
        child.expect("GOT USR1");
        child.signal(Signal.USR1);
        child.expect("GOT USR1");
        child.signal(Signal.TERM);
        child.expect("GOT TERM");
        child.expect("HOOK RAN");
        assertEquals(128 + 15, child.exitCode(), "the JVM's own TERM handling still ends it");
    }

    @Test
    void hupIsDeliveredAndThenEndsTheJvmAsBefore() throws Exception {
        Child child = new Child("default");
        child.signal(Signal.HUP);
        child.expect("GOT HUP");
        child.expect("HOOK RAN");
        assertEquals(128 + 1, child.exitCode());
    }

    @Test
    void takingOverTermAllowsAGracefulDrainAndExitZero() throws Exception {
        Child child = new Child("takeover");
        child.signal(Signal.TERM);
        child.expect("GOT TERM");
        child.expect("DRAINED 10");
        assertEquals(0, child.exitCode());
    }

    @Test
    void theLastSubscriberLeavingPutsThePreviousHandlerBack() throws Exception {
        Child child = new Child("restore");
        child.signal(Signal.USR1);
        assertEquals(128 + 10, child.exitCode(), "USR1's default action (terminate) is back");
        assertTrue(child.lines.stream().noneMatch(l -> l.startsWith("GOT")), "no handler of ours ran: " + child.lines);
    }

    @Test
    void signalsArriveAsAChannelToo() throws Exception {
        Child child = new Child("channel");
        child.signal(Signal.USR1);
        child.expect("GOT USR1 FROM CHANNEL");
        assertEquals(0, child.exitCode());
    }

    @Test
    void reservedSignalsAreRefused() {
        for (Signal s : Signal.values()) {
            if (s.isReserved()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.flux(s));
                assertTrue(e.getMessage().contains("reserved"), e.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, Signals::flux);
    }

    @Test
    void underXrsSubscribingFailsClearlyInsteadOfNeverFiring() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-Xrs",
                "-cp", System.getProperty("java.class.path"), SignalChild.class.getName(), "default")
                .redirectErrorStream(true).start();
        children.add(p);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the child must fail at once, not wait for signals");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(out.contains("IllegalStateException") && out.contains("-Xrs"), out);
        assertTrue(!out.contains("READY"), out);
    }

    @Test
    void sendingToAMissingProcessFailsClearly() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version").start();
        p.waitFor(20, TimeUnit.SECONDS);
        long gone = p.pid();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.send(gone, Signal.USR1));
        assertTrue(e.getMessage().contains("no process"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signals.send(0, Signal.USR1));
    }
}
