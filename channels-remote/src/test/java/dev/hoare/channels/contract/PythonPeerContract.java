package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.wire.Frame;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Conformance with a peer written in another language from the docs alone: {@code hoare_peer.py}
 * (this package's test resources; standard library only) speaks docs/wire-format.md over the
 * transport a subclass names — docs/fifo.md, docs/uds.md, docs/shm-format.md — and a Java end
 * talks to it both ways: values and a close, a close with a cause, and a peer SIGKILLed
 * mid-stream (Java sees {@link PeerLostException}; Python sees the stream end without a close).
 * Skipped, saying so, where {@code python3} is missing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class PythonPeerContract {
    private static final Duration DEADLINE = Duration.ofSeconds(20);
    private static final int COUNT = 200;
    private static Path script;
    private static boolean python;

    private final List<AutoCloseable> opened = new ArrayList<>();
    private Path dir;

    /** @return the scheme: {@code fifo}, {@code uds} or {@code shm} */
    protected abstract String scheme();

    /** @return the URI a Java receiving end opens at {@code path} (a server, where the transport has one) */
    protected URI javaReceive(Path path) {
        return URI.create(scheme() + ":" + path);
    }

    /** @return the URI a Java sending end opens at {@code path} */
    protected URI javaSend(Path path) {
        return URI.create(scheme() + ":" + path);
    }

    /** @return extra arguments for the Python receiver (such as a ring's options) */
    protected List<String> pythonReceiveOptions() {
        return List.of();
    }

    @BeforeAll
    static void findPython() throws Exception {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true).start();
            python = p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            python = false;
        }
        Path dir = Files.createTempDirectory("hoare-python-peer");
        script = dir.resolve("hoare_peer.py");
        try (InputStream in = PythonPeerContract.class.getResourceAsStream("hoare_peer.py")) {
            Files.copy(in, script);
        }
        script.toFile().deleteOnExit();
        dir.toFile().deleteOnExit();
    }

    @BeforeEach
    void needPython() throws IOException {
        assumeTrue(python, "python3 is not on the PATH: the Python conformance tests are skipped");
        dir = Files.createTempDirectory(Path.of("/tmp"), "hoare-py"); // short: a socket path has 107 bytes at most
    }

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            try {
                c.close();
            } catch (Exception | AssertionError ignored) {
                // best effort
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private ChildJvm python(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", "-u", script.toString()));
        command.addAll(List.of(args));
        ChildJvm p = ChildJvm.run(command);
        opened.add(p);
        return p;
    }

    private ChildJvm pythonReceiver(Path at) throws Exception {
        List<String> args = new ArrayList<>(List.of("recv", scheme() + ":" + at));
        args.addAll(pythonReceiveOptions());
        ChildJvm p = python(args.toArray(String[]::new));
        p.expect("listening");
        return p;
    }

    private static String value(int i) {
        return i + " héllo ✓";
    }

    /** Opens a Java receiving end while {@code peer} is started (opening may wait for it). */
    private ReceiveChannel<String> receiveFrom(Path at, PythonStart peer) throws Exception {
        return receiveFrom(at, null, peer);
    }

    /** The URI with {@code liveness=} added ({@code null}: as it is). */
    private static URI withLiveness(URI uri, Duration liveness) {
        if (liveness == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "liveness=" + liveness.toMillis() + "ms");
    }

    /** Opens a Java receiving end, with a liveness if not {@code null}, while {@code peer} is started. */
    private ReceiveChannel<String> receiveFrom(Path at, Duration liveness, PythonStart peer) throws Exception {
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(withLiveness(javaReceive(at), liveness), Codec.utf8());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (scheme().equals("uds") || scheme().equals("shm")) {
            awaitFile(at); // the Java end listens, or made the ring: the peer may come
        }
        peer.start();
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(in::close);
        return in;
    }

    @FunctionalInterface
    private interface PythonStart {
        void start() throws Exception;
    }

    private static void awaitFile(Path at) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(at)) {
            assertTrue(System.nanoTime() < deadline, at + " never appeared");
            Thread.sleep(5); // polling for a file another thread makes, with a deadline
        }
    }

    /** Receives {@code count} values in order, then the close; returns the close's cause. */
    private static Throwable receiveAll(ReceiveChannel<String> in, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            assertEquals(value(i), in.receive(DEADLINE).orElseThrow(), "value " + i);
        }
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        return closed.getCause();
    }

    private static void expectValues(ChildJvm peer, int count) throws InterruptedException {
        for (int i = 0; i < count; i++) {
            assertEquals("value " + value(i), peer.expect("value "), "value " + i);
        }
    }

    @Test
    void valuesAndACloseFromPythonReachJava() throws Exception {
        Path at = dir.resolve("ch");
        ReceiveChannel<String> in = receiveFrom(at, () -> python("send", scheme() + ":" + at, Integer.toString(COUNT)));
        assertNull(receiveAll(in, COUNT), "a clean close");
    }

    @Test
    void aCloseWithCauseFromPythonReachesJava() throws Exception {
        Path at = dir.resolve("ch");
        ReceiveChannel<String> in = receiveFrom(at,
                () -> python("send", scheme() + ":" + at, "3", "--cause", "bye from python"));
        Frame.RemoteCause cause = assertInstanceOf(Frame.RemoteCause.class, receiveAll(in, 3));
        assertEquals("builtins.RuntimeError", cause.remoteType());
        assertEquals("builtins.RuntimeError: bye from python", cause.getMessage());
    }

    @Test
    void valuesAndACloseFromJavaReachPython() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm peer = pythonReceiver(at);
        try (SendChannel<String> out = Channels.openSend(javaSend(at), Codec.utf8())) {
            for (int i = 0; i < COUNT; i++) {
                out.send(value(i));
            }
        }
        expectValues(peer, COUNT);
        assertEquals("closed", peer.expect("closed"));
        assertEquals(0, peer.exitCode());
    }

    @Test
    void aCloseWithCauseFromJavaReachesPython() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm peer = pythonReceiver(at);
        SendChannel<String> out = Channels.openSend(javaSend(at), Codec.utf8());
        out.send(value(0));
        out.close(new IllegalStateException("bye from java"));
        expectValues(peer, 1);
        assertEquals("closed-with-cause java.lang.IllegalStateException: bye from java", peer.expect("closed"));
        assertEquals(0, peer.exitCode());
    }

    @Test
    void aPythonSenderKilledMidStreamIsPeerLostToJava() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm[] peer = new ChildJvm[1];
        ReceiveChannel<String> in = receiveFrom(at,
                () -> peer[0] = python("send", scheme() + ":" + at, "20", "--hang"));
        for (int i = 0; i < 20; i++) {
            assertEquals(value(i), in.receive(DEADLINE).orElseThrow());
        }
        peer[0].expect("sent 20");
        peer[0].kill();
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        assertInstanceOf(PeerLostException.class, closed.getCause(), "the close cause");
    }

    @Test
    void aJavaSenderKilledMidStreamEndsPythonsStreamWithoutAClose() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm peer = pythonReceiver(at);
        ChildJvm sender = ChildJvm.start(ContractPeer.class, "stream", javaSend(at).toString());
        opened.add(sender);
        peer.expect("value 100");
        sender.kill();
        assertTrue(peer.expect("lost").startsWith("lost "));
        assertEquals(0, peer.exitCode());
    }

    /**
     * A Python sender idle for five times a Java receiver's liveness keeps the heartbeat (a PONG
     * for each PING on a two-way link, PINGs of its own on a one-way link): the channel stays open
     * and closes with the sender's own close.
     */
    @Test
    void anIdlePythonSenderKeepingTheHeartbeatIsNotCalledLost() throws Exception {
        Path at = dir.resolve("ch");
        ReceiveChannel<String> in = receiveFrom(at, Duration.ofMillis(500),
                () -> python("send", scheme() + ":" + at, "3", "--idle", "2.5"));
        assertNull(receiveAll(in, 3), "the sender's close, not a loss");
    }

    /** A Python sender that stops talking (it sleeps, answering nothing) is lost to a Java receiver with a liveness. */
    @Test
    void aSilentPythonSenderIsPeerLostToAJavaReceiverWithALiveness() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm[] peer = new ChildJvm[1];
        ReceiveChannel<String> in = receiveFrom(at, Duration.ofMillis(500),
                () -> peer[0] = python("send", scheme() + ":" + at, "2", "--hang"));
        assertEquals(value(0), in.receive(DEADLINE).orElseThrow());
        assertEquals(value(1), in.receive(DEADLINE).orElseThrow());
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        PeerLostException lost = assertInstanceOf(PeerLostException.class, closed.getCause(), "the close cause");
        assertTrue(lost.getMessage().contains("no frame from the peer for 500 ms"), lost.getMessage());
    }

    /**
     * A Java sender with a liveness, idle for five times it, sends PINGs the Python receiver reads
     * past (and answers with PONGs on a two-way link); every value still arrives, then the close.
     */
    @Test
    void aJavaSendersHeartbeatIsUnderstoodByPython() throws Exception {
        Path at = dir.resolve("ch");
        ChildJvm peer = pythonReceiver(at);
        try (SendChannel<String> out = Channels.openSend(withLiveness(javaSend(at), Duration.ofMillis(500)), Codec.utf8())) {
            out.send(value(0));
            expectValues(peer, 1);
            Thread.sleep(2500); // the scenario: idle for five liveness times, the heartbeat going
            assertTrue(!out.isClosedForSend(), "the sender was called lost while its Python receiver was alive");
            out.send(value(1));
        }
        assertEquals("value " + value(1), peer.expect("value "));
        assertEquals("closed", peer.expect("closed"));
        assertEquals(0, peer.exitCode());
    }
}
