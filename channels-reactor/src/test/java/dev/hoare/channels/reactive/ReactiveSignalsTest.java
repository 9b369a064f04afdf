package dev.hoare.channels.reactive;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.signal.Signal;
import dev.hoare.channels.signal.Signals;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ReactiveSignals}: real signals sent to real child JVMs that subscribe to the flux. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ReactiveSignalsTest {
    private final List<Process> children = new ArrayList<>();

    @AfterEach
    void killChildren() {
        children.forEach(Process::destroyForcibly);
    }

    private ChildJvm child(String mode) throws Exception {
        ChildJvm jvm = ChildJvm.start(SignalFluxChild.class, mode);
        children.add(jvm.process());
        jvm.expect("READY");
        return jvm;
    }

    @Test
    void everySubscriberSeesTheSignalAndTermStillRunsTheShutdownHooks() throws Exception {
        ChildJvm child = child("default");
        Signals.send(child.process().pid(), Signal.USR1);
        child.expect("GOT USR1");
        Signals.send(child.process().pid(), Signal.TERM);
        child.expect("GOT TERM");
        child.expect("HOOK RAN");
        assertEquals(128 + 15, child.exitCode(), "the JVM's own TERM handling still ends it");
        assertTrue(child.printed().contains("ALSO GOT USR1"), "the second subscriber saw USR1 too: " + child.printed());
    }

    @Test
    void takingOverTermAllowsAGracefulDrainAndExitZero() throws Exception {
        ChildJvm child = child("takeover");
        Signals.send(child.process().pid(), Signal.TERM);
        child.expect("GOT TERM");
        child.expect("DRAINED 10");
        assertEquals(0, child.exitCode());
    }

    @Test
    void theLastSubscriberCancellingPutsThePreviousHandlerBack() throws Exception {
        ChildJvm child = child("restore");
        Signals.send(child.process().pid(), Signal.USR1);
        assertEquals(128 + 10, child.exitCode(), "USR1's default action (terminate) is back");
        assertTrue(child.printed().stream().noneMatch(l -> l.startsWith("GOT")), "no handler of ours ran: " + child.printed());
    }

    /** Under nohup the JVM installs no handler for HUP: the subscription errs at once instead of never firing. */
    @Test
    void aSignalTheProcessIgnoresEndsTheSubscriptionWithAnError() throws Exception {
        assumeTrue(new java.io.File("/usr/bin/nohup").canExecute(), "no nohup here");
        ChildJvm child = ChildJvm.run(List.of("/usr/bin/nohup", ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), SignalFluxChild.class.getName(), "ignored"));
        children.add(child.process());
        String refused = child.expect("REFUSED");
        assertTrue(refused.contains("SIGHUP is ignored"), refused);
        child.expect("READY");
        assertEquals(0, child.exitCode());
    }

    @Test
    void reservedSignalsAreRefusedWhenTheFluxIsMade() {
        for (Signal s : Signal.values()) {
            if (s.isReserved()) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ReactiveSignals.flux(s));
                assertTrue(e.getMessage().contains("reserved"), e.getMessage());
            }
        }
        assertThrows(IllegalArgumentException.class, ReactiveSignals::flux);
    }
}
