package dev.hoare.channels.signal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.hoare.channels.contract.ChildJvm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real signals sent to real child JVMs (the Flux form is tested in channels-reactor's ReactiveSignalsTest). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SignalsTest {
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    /** A child JVM running {@link SignalChild} in a mode, once it said READY. */
    private final class Child {
        final ChildJvm jvm;

        Child(String mode) throws Exception {
            jvm = ChildJvm.start(SignalChild.class, mode);
            children.add(jvm.process());
            jvm.expect("READY");
        }

        void expect(String line) throws InterruptedException {
            jvm.expect(line);
        }

        void signal(Signal s) throws Exception {
            Signals.send(jvm.process().pid(), s);
        }

        int exitCode() throws InterruptedException {
            return jvm.exitCode();
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
        assumeFalse(ignoredHere(Signal.HUP), "HUP is ignored in this JVM (run under nohup?), and so in its children");
        Child child = new Child("default");
        child.signal(Signal.HUP);
        child.expect("GOT HUP");
        child.expect("HOOK RAN");
        assertEquals(128 + 1, child.exitCode());
    }

    /**
     * Under nohup the JVM installs no handler for HUP and says nothing: a subscription to it errs
     * at once instead of never firing.
     */
    @Test
    void aSignalTheProcessIgnoresIsRefusedInsteadOfNeverFiring() throws Exception {
        assumeTrue(new java.io.File("/usr/bin/nohup").canExecute(), "no nohup here");
        ChildJvm child = ChildJvm.run(List.of("/usr/bin/nohup", ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), SignalChild.class.getName(), "ignored"));
        children.add(child.process());
        String refused = child.expect("REFUSED");
        assertTrue(refused.contains("SIGHUP is ignored"), refused);
        child.expect("READY");
        assertEquals(0, child.exitCode());
    }

    /** @return whether this process ignores {@code s} (its children inherit that), from Linux's /proc */
    private static boolean ignoredHere(Signal s) throws java.io.IOException {
        for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                long mask = Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                return (mask & (1L << (s.number() - 1))) != 0;
            }
        }
        return false;
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
        assertTrue(child.jvm.printed().stream().noneMatch(l -> l.startsWith("GOT")), "no handler of ours ran: " + child.jvm.printed());
    }

    @Test
    void signalsArriveAsAChannelToo() throws Exception {
        Child child = new Child("channel");
        child.signal(Signal.USR1);
        child.expect("GOT USR1 FROM CHANNEL");
        assertEquals(0, child.exitCode());
    }

    @Test
    void cancellingTheSignalChannelPutsThePreviousHandlerBack() throws Exception {
        Child child = new Child("channel-cancel");
        child.signal(Signal.USR1);
        assertEquals(128 + 10, child.exitCode(), "USR1's default action (terminate) is back");
    }

    @Test
    void aHandlerThatThrowsKeepsNeitherTheOthersNorTheJvmsExitFromRunning() throws Exception {
        Child child = new Child("throwing-handler");
        child.signal(Signal.TERM);
        child.expect("UNCAUGHT handler failed on TERM");
        child.expect("GOT TERM");
        child.expect("HOOK RAN");
        assertEquals(128 + 15, child.exitCode());
    }

    @Test
    void reservedSignalsAreRefused() {
        for (Signal s : Signal.values()) {
            if (s.isReserved()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.handle(x -> { }, s));
                assertTrue(e.getMessage().contains("reserved"), e.getMessage());
                assertThrows(IllegalArgumentException.class, () -> Signals.channel(s));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Signals.handle(x -> { }));
        assertThrows(IllegalArgumentException.class, Signals::channel);
    }

    @Test
    void underXrsSubscribingFailsClearlyInsteadOfNeverFiring() throws Exception {
        ChildJvm child = ChildJvm.start(SignalChild.class, java.util.List.of("-Xrs"), "default");
        children.add(child.process());
        child.exitCode(); // it must fail at once, not wait for signals
        String out = String.join("\n", child.printed());
        assertTrue(out.contains("IllegalStateException") && out.contains("-Xrs"), out);
        assertTrue(!out.contains("READY"), out);
    }

    @Test
    void sendingToAMissingProcessFailsClearly() throws Exception {
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(), "-version").start();
        p.waitFor(20, TimeUnit.SECONDS);
        long gone = p.pid();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Signals.send(gone, Signal.USR1));
        assertEquals("no such process: pid " + gone + " (ESRCH)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Signals.send(0, Signal.USR1));
    }

    /**
     * On Java 22+ a signal goes out through kill(2) itself: a child JVM whose PATH finds no
     * {@code kill} command still delivers it (it failed with "Cannot run program \"kill\"" when
     * the command did the sending).
     */
    @Test
    void aSignalIsSentThroughKill2NotTheKillCommand() throws Exception {
        assumeTrue(Runtime.version().feature() >= 22, "kill(2) is called through the FFM API from Java 22 on");
        Process sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            ChildJvm child = ChildJvm.run(List.of("/usr/bin/env", "PATH=", ProcessHandle.current().info().command().orElseThrow(),
                    "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                    SendSignalChild.class.getName(), Long.toString(sleeper.pid()), "USR1"));
            children.add(child.process());
            assertEquals("SENT", child.expect("SENT"));
            assertTrue(sleeper.waitFor(20, TimeUnit.SECONDS), "the signal reached the process");
            assertEquals(128 + Signal.USR1.number(), sleeper.exitValue(), "ended by SIGUSR1");
        } finally {
            sleeper.destroyForcibly();
        }
    }

    /** Another user's process (init's, pid 1) is EPERM, a SecurityException; as root every process may be signalled, so this is skipped. */
    @Test
    void signallingAnotherUsersProcessIsNotPermitted() throws Exception {
        int me = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/self"), "unix:uid");
        int init = (Integer) java.nio.file.Files.getAttribute(java.nio.file.Path.of("/proc/1"), "unix:uid");
        assumeTrue(me != 0 && init != me, "runs only as a user other than root and pid 1's");
        SecurityException e = assertThrows(SecurityException.class, () -> Signals.send(1, Signal.CONT));
        assertTrue(e.getMessage().contains("not permitted") && e.getMessage().contains("EPERM"), e.getMessage());
    }
}
