package dev.hoare.channels.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Channels to real child processes: Java children ({@link Children}) and the Python peer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcessesTest {
    @TempDir
    Path dir;

    /** A child JVM running {@link Children} with this JVM's class path. */
    static ProcessBuilder javaChild(String... args) {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                "-cp", System.getProperty("java.class.path"), Children.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command);
    }

    static ProcessOptions options() {
        return ProcessOptions.defaults().withHandshakeTimeout(Duration.ofSeconds(30));
    }

    @Test
    void aJavaChildEchoesEveryValueExactlyOnceInOrderThenExitsWhenWeClose() throws Exception {
        int n = 20_000;
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("echo", "8"), Codec.utf8(), Codec.utf8(),
                options().withCapacity(8))) {
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        child.out().send("v" + i);
                    }
                    child.out().close(); // the child's loop ends, it closes its channel and exits
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals("v" + i, child.in().receive());
            }
            ChannelStats out = Channels.stats(child.out()).orElseThrow();
            assertEquals(child.process().pid(), out.peerPid(), "the counters name the child: " + out);
            assertEquals(n, Channels.stats(child.in()).orElseThrow().received());
            assertTrue(out.bytesOut() >= n * (9 + 2L), "every value's frame counted in bytes: " + out);
            Received<String> end = child.in().receiveResult();
            assertTrue(end.isClosed() && end.cause().isEmpty(), "closed by the child, without a cause: " + end);
            assertTrue(sender.join(Duration.ofSeconds(10)));
            assertEquals(0, child.onExit().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void closingTheHandleOfAChildThatFollowsTheCloseEndsItWithoutASignal() throws Exception {
        ChildProcess<String, String> child = Processes.spawn(javaChild("echo"), Codec.utf8(), Codec.utf8(), options());
        child.out().send("a");
        assertEquals("a", child.in().receive());
        child.out().send("b"); // left unreceived: close discards it, the child is not stuck on credit
        long start = System.nanoTime();
        child.close();
        assertEquals(0, child.exitStatus().orElseThrow(), "exited by itself after our close");
        assertTrue(System.nanoTime() - start < ProcessOptions.DEFAULT_GRACE.toNanos(), "within the grace time");
    }

    @Test
    void aPythonChildEchoesEveryValueInOrder() throws Exception {
        Path script = pythonScript("/dev/hoare/channels/contract/hoare_peer.py");
        int n = 5_000;
        try (ChildProcess<String, String> child = Processes.spawn(
                new ProcessBuilder("python3", "-u", script.toString(), "stdio-echo", "--capacity", "4"),
                Codec.utf8(), Codec.utf8(), options().withCapacity(4).withStderrLines(true))) {
            Thread sender = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < n; i++) {
                        child.out().send(i + " héllo ✓");
                    }
                    child.out().close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < n; i++) {
                assertEquals(i + " héllo ✓", child.in().receive());
            }
            Received<String> end = child.in().receiveResult();
            assertTrue(end.isClosed() && end.cause().isEmpty(), "closed by the child, without a cause: " + end);
            assertTrue(sender.join(Duration.ofSeconds(10)));
            assertEquals("closed", child.stderr().receive());
            assertEquals(0, child.onExit().get(20, TimeUnit.SECONDS));
        }
    }

    /** The short Python child of docs/processes.md. */
    @Test
    void thePythonChildOfTheDocsAnswersEachValueAndClosesAfterUs() throws Exception {
        Path script = pythonScript("upper_child.py");
        try (ChildProcess<String, String> child = Processes.spawn(new ProcessBuilder("python3", script.toString()),
                Codec.utf8(), Codec.utf8(), options().withCapacity(2))) {
            for (String word : List.of("hello", "from", "python")) {
                child.out().send(word);
            }
            for (String word : List.of("HELLO", "FROM", "PYTHON")) {
                assertEquals(word, child.in().receive());
            }
            child.out().close();
            Received<String> end = child.in().receiveResult();
            assertTrue(end.isClosed() && end.cause().isEmpty(), "closed by the child, without a cause: " + end);
            assertEquals(0, child.onExit().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void theDocsShowThePythonChildThatIsTested() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "processes.md"));
        String script;
        try (InputStream in = ProcessesTest.class.getResourceAsStream("upper_child.py")) {
            script = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        assertTrue(doc.contains(script), "docs/processes.md holds upper_child.py as it is");
    }

    @Test
    void everyValueAKilledChildWroteIsDeliveredThenPeerLostWithItsExitStatus() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("flood", "500"), Codec.utf8(), Codec.utf8(),
                options().withCapacity(1000).withStderrLines(true))) {
            assertEquals("written 500", child.stderr().receive()); // all 500 frames are in the pipe
            child.process().destroyForcibly();
            assertTrue(child.process().waitFor(20, TimeUnit.SECONDS));
            for (int i = 0; i < 500; i++) {
                assertEquals("v" + i, child.in().receive());
            }
            PeerLostException lost = lostCause(child.in());
            assertTrue(lost.getMessage().contains("child pid " + child.pid()), lost.getMessage());
            assertTrue(lost.getMessage().contains("exited with status 137 (killed by SIGKILL)"), lost.getMessage());
            ChannelClosedException sendFailed = sendUntilClosed(child);
            assertInstanceOf(PeerLostException.class, sendFailed.getCause());
            assertTrue(sendFailed.getCause().getMessage().contains("status 137"), sendFailed.getCause().getMessage());
        }
    }

    @Test
    void aJavaChildKilledMidStreamDeliversAnUnbrokenPrefixThenPeerLost() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("stream"), Codec.utf8(), Codec.utf8(),
                options().withCapacity(64))) {
            int i = 0;
            for (; i < 2_000; i++) {
                assertEquals("v" + i, child.in().receive());
            }
            child.process().destroyForcibly();
            while (true) {
                Received<String> r = child.in().receiveResult();
                if (r.isClosed()) {
                    PeerLostException lost = assertInstanceOf(PeerLostException.class, r.cause().orElseThrow());
                    assertTrue(lost.getMessage().contains("exited with status 137 (killed by SIGKILL)"), lost.getMessage());
                    break;
                }
                assertEquals("v" + i++, r.value(), "no value lost or repeated before the end");
            }
        }
    }

    @Test
    void ourSendsWaitAtTheCapacityOfAChildThatNeverReads() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("silent", "4"), Codec.utf8(), Codec.utf8(),
                options().withGrace(Duration.ofMillis(300)))) {
            int accepted = 0;
            for (int i = 0; i < 100; i++) {
                if (child.out().trySend("v" + i)) {
                    accepted++;
                }
            }
            assertEquals(4, accepted, "the child's capacity, and not one more");
            assertFalse(child.out().send("more", Duration.ofMillis(200)), "a timed send times out");
            assertTrue(child.process().isAlive());
        }
    }

    @Test
    void closingTheHandleTermsAChildThatIgnoresItsInputAfterTheGrace() throws Exception {
        ChildProcess<String, String> child = Processes.spawn(javaChild("silent"), Codec.utf8(), Codec.utf8(),
                options().withGrace(Duration.ofMillis(300)));
        long start = System.nanoTime();
        child.close();
        long took = System.nanoTime() - start;
        assertEquals(143, child.exitStatus().orElseThrow(), "SIGTERM: " + child); // the JVM's exit on TERM
        assertTrue(took >= Duration.ofMillis(300).toNanos(), "after the grace: " + took);
        Received<String> end = child.in().receiveResult();
        assertTrue(end.isClosed());
    }

    @Test
    void closingTheHandleKillsAChildThatIgnoresTerm() throws Exception {
        ChildProcess<String, String> child = Processes.spawn(javaChild("ignore-term"), Codec.utf8(), Codec.utf8(),
                options().withGrace(Duration.ofMillis(300)).withStderrLines(true));
        assertEquals("ready", child.stderr().receive()); // its TERM handler is in place
        long start = System.nanoTime();
        child.close();
        long took = System.nanoTime() - start;
        assertEquals(137, child.exitStatus().orElseThrow(), "SIGKILL: " + child);
        assertTrue(took >= Duration.ofMillis(600).toNanos(), "after two graces: " + took);
    }

    @Test
    void aChildThatWritesGarbageClosesTheChannelWithAProtocolError() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("garbage"), Codec.utf8(), Codec.utf8(),
                options().withGrace(Duration.ofMillis(300)))) {
            Received<String> end = child.in().receiveResult();
            ChannelProtocolException e = assertInstanceOf(ChannelProtocolException.class, end.cause().orElseThrow());
            assertTrue(e.getMessage().contains("exceeds the maximum"), e.getMessage()); // "this" read as a length
        }
    }

    /**
     * Repeated: the bytes may come before our own HELLOs are written, and the cut-off link must
     * not then turn the protocol error into a lost connection (it did, 3 runs of 20, before
     * {@link ProcessLink} dropped writes after its close).
     */
    @RepeatedTest(20)
    void aProgramThatPrintsInsteadOfItsHandshakeIsRefusedWithAClearProtocolError() throws Exception {
        ProcessBuilder b = new ProcessBuilder("sh", "-c", "echo hello, I am not a Hoare child; exec sleep 30");
        ChannelProtocolException e = assertThrows(ChannelProtocolException.class,
                () -> Processes.spawn(b, Codec.utf8(), Codec.utf8(), options().withGrace(Duration.ofMillis(300))));
        assertTrue(e.getMessage().contains("does not carry Hoare frames"), e.getMessage());
    }

    @Test
    void aProgramThatExitsBeforeItsHandshakeReportsItsStatus() {
        ProcessBuilder b = new ProcessBuilder("sh", "-c", "exit 3");
        PeerLostException e = assertThrows(PeerLostException.class,
                () -> Processes.spawn(b, Codec.utf8(), Codec.utf8(), options()));
        assertTrue(e.getMessage().contains("exited with status 3"), e.getMessage());
    }

    @Test
    void aStrayPrintlnInTheChildGoesToItsStderrAndTheFramesStayIntact() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("noisy"), Codec.utf8(), Codec.utf8(),
                options().withStderrLines(true))) {
            for (int i = 0; i < 100; i++) {
                child.out().send("v" + i);
                assertEquals("v" + i, child.in().receive());
                assertEquals("stray v" + i, child.stderr().receive());
            }
            child.out().close();
            assertTrue(child.in().receiveResult().isClosed());
            assertTrue(child.stderr().receiveResult().isClosed(), "the lines end with the child's stderr");
        }
    }

    @Test
    void stderrIsAChannelOnlyOnRequest() throws Exception {
        try (ChildProcess<String, String> child = Processes.spawn(javaChild("echo"), Codec.utf8(), Codec.utf8(), options())) {
            IllegalStateException e = assertThrows(IllegalStateException.class, child::stderr);
            assertTrue(e.getMessage().contains("withStderrLines"), e.getMessage());
        }
    }

    @Test
    void aBuilderWhoseOutputIsNotAPipeIsRefused() {
        ProcessBuilder b = new ProcessBuilder("true").redirectOutput(ProcessBuilder.Redirect.DISCARD);
        assertThrows(IllegalArgumentException.class, () -> Processes.spawn(b, Codec.utf8(), Codec.utf8()));
        ProcessBuilder merged = new ProcessBuilder("true").redirectErrorStream(true);
        assertThrows(IllegalArgumentException.class, () -> Processes.spawn(merged, Codec.utf8(), Codec.utf8()));
    }

    private static PeerLostException lostCause(ReceiveChannel<String> in) throws InterruptedException {
        Received<String> r = in.receiveResult();
        assertTrue(r.isClosed(), "closed after the values, not " + r);
        return assertInstanceOf(PeerLostException.class, r.cause().orElseThrow());
    }

    /** Sends until the send end reports the loss (it learns it from the same end of stream, on its own thread). */
    private static ChannelClosedException sendUntilClosed(ChildProcess<String, ?> child) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try {
                child.out().send("x", Duration.ofMillis(50));
            } catch (ChannelClosedException e) {
                return e;
            }
        }
        return fail("sends to a dead child never failed");
    }

    /** Copies a Python script from the test resources; skips the test, saying so, without python3. */
    private Path pythonScript(String resource) throws IOException {
        assumeTrue(python(), "python3 is not on the PATH: the Python child test is skipped");
        Path script = dir.resolve(Path.of(resource).getFileName().toString());
        try (InputStream in = ProcessesTest.class.getResourceAsStream(resource)) {
            Files.copy(in, script);
        }
        return script;
    }

    private static boolean python() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
