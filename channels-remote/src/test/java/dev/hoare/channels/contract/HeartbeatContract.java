package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The heartbeat (docs/wire-format.md, Liveness) on a real transport, against a peer in a child
 * JVM: a peer stopped with {@code SIGSTOP} (the OS reports nothing: its descriptors stay open) is
 * {@link PeerLostException} within the liveness and some slack, and a peer that is idle but
 * alive is not, for many times the liveness. On a one-way link only the reader can tell (both
 * ends get the option: the writer sends the PINGs); on a two-way link both ends can, and only the
 * watching end has the option (the peer learns it from the HELLO). A subclass says how endpoints
 * are made.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class HeartbeatContract {
    /**
     * The liveness of the tests that stop a peer. Not much shorter: on a loaded 2-vCPU machine a
     * live JVM can be off the CPU for some hundreds of milliseconds (a 400 ms liveness once
     * called a live peer lost there).
     */
    private static final Duration LIVENESS = Duration.ofSeconds(1);
    /** The liveness of the tests that keep an idle peer: the peer idles for {@link #IDLE}, 5 times it. */
    private static final Duration SHORT = Duration.ofSeconds(1);
    private static final Duration IDLE = Duration.ofSeconds(5);
    /** What a loaded machine may add to the liveness before the loss shows. */
    private static final Duration SLACK = Duration.ofSeconds(4);
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private final List<AutoCloseable> opened = new ArrayList<>();

    /** @return a fresh endpoint of the transport, without options */
    protected abstract URI newEndpoint() throws IOException;

    /** @return whether the transport's links are two-way (the sender hears the receiver) */
    protected abstract boolean twoWay();

    /**
     * @return why {@link #anIdleReceiverThatIsAliveKeepsTheSenderOpenPastManyLivenessTimes} is
     *     skipped: a known, open defect of the transport, named; {@code null} (the default) runs it
     */
    protected String knownIdleReceiverDefect() {
        return null;
    }

    /** @return whether an endpoint names a file the receiving end makes (default {@code true}; not a UDP address) */
    protected boolean endpointIsAFile() {
        return true;
    }

    /** @return whether a sender may open only once the receiver's file exists (a socket, a ring) */
    protected boolean senderAwaitsReceiverFile() {
        return true;
    }

    @AfterEach
    void cleanUp() {
        for (AutoCloseable c : opened.reversed()) {
            try {
                c.close();
            } catch (Exception | AssertionError ignored) {
                // best effort
            }
        }
    }

    private static URI with(URI uri, Duration liveness) {
        if (liveness == null) {
            return uri;
        }
        String s = uri.toString();
        return URI.create(s + (s.contains("?") ? "&" : "?") + "liveness=" + liveness.toMillis() + "ms");
    }

    private ChildJvm child(String... args) throws IOException {
        ChildJvm c = ChildJvm.start(ContractPeer.class, args);
        opened.add(() -> {
            signal(c, "CONT"); // a stopped child is let run again, then killed
            c.close();
        });
        return c;
    }

    private static void signal(ChildJvm c, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(c.process().pid())).inheritIO().start();
        assertTrue(kill.waitFor(10, TimeUnit.SECONDS), "kill -" + signal + " did not return");
    }

    /** A Java receiving end and the child that sends to it. */
    private record FromChild(ReceiveChannel<String> in, ChildJvm sender) {
    }

    /** Opens a Java receiving end while a child sender is started (opening may wait for it). */
    private FromChild receiveFromChild(URI at, Duration liveness, String... childArgs) throws Exception {
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(with(at, liveness), Codec.utf8());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        if (endpointIsAFile() && senderAwaitsReceiverFile()) {
            awaitFile(Path.of(at.getSchemeSpecificPart().replaceFirst("\\?.*", "")));
        }
        ChildJvm sender = child(childArgs);
        ReceiveChannel<String> in = opening.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        opened.add(in::close);
        return new FromChild(in, sender);
    }

    private static void awaitFile(Path at) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!Files.exists(at)) {
            assertTrue(System.nanoTime() < deadline, at + " never appeared");
            Thread.sleep(5); // polling for a file another thread makes, with a deadline
        }
    }

    /** Opens a Java sending end to a child's receiving end, once the child listens; the child's open returns then. */
    private SendChannel<String> sendToChild(URI at, Duration liveness, ChildJvm receiver) throws Exception {
        if (endpointIsAFile()) {
            awaitFile(Path.of(at.getSchemeSpecificPart().replaceFirst("\\?.*", "")));
        }
        SendChannel<String> out = Channels.openSend(with(at, liveness), Codec.utf8());
        opened.add(out::close);
        receiver.expect("OPEN");
        return out;
    }

    /** The liveness a child sender gets: none on a two-way link (the HELLO tells it), the reader's on a one-way link. */
    private Duration senderLiveness(Duration readers) {
        return twoWay() ? null : readers;
    }

    /**
     * The loss names the silence and comes within the liveness and the slack of the stop. (Not
     * asserted: how long after the stop at least. The silence began at the peer's last frame,
     * which on a loaded machine may be most of a liveness before the stop.)
     */
    private static void assertSilentPeerLost(ChannelClosedException closed, Duration liveness, long stoppedAt) {
        long took = System.nanoTime() - stoppedAt;
        PeerLostException lost = assertInstanceOf(PeerLostException.class, closed.getCause(), "the close cause");
        assertTrue(lost.getMessage().contains("no frame from the peer for " + dev.hoare.channels.spi.Endpoint.formatDuration(liveness)),
                lost.getMessage());
        assertTrue(took < liveness.plus(SLACK).toNanos(), "lost only after " + took / 1_000_000 + " ms");
    }

    @Test
    void aStoppedSenderIsPeerLostToTheReceiverWithinTheLiveness() throws Exception {
        URI at = newEndpoint();
        FromChild c = receiveFromChild(at, LIVENESS, "send-idle", with(at, senderLiveness(LIVENESS)).toString(), "1", "600000");
        ReceiveChannel<String> in = c.in();
        assertEquals("0", in.receive(DEADLINE).orElseThrow());
        c.sender().expect("SENT");
        long stoppedAt = System.nanoTime();
        signal(c.sender(), "STOP");
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        assertSilentPeerLost(closed, LIVENESS, stoppedAt);
    }

    @Test
    void anIdleSenderThatIsAliveKeepsTheReceiverOpenPastManyLivenessTimes() throws Exception {
        URI at = newEndpoint();
        FromChild c = receiveFromChild(at, SHORT, "send-idle", with(at, senderLiveness(SHORT)).toString(), "1",
                Long.toString(IDLE.toMillis()));
        ReceiveChannel<String> in = c.in();
        assertEquals("0", in.receive(DEADLINE).orElseThrow());
        c.sender().expect("SENT");
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(DEADLINE));
        assertNull(closed.getCause(), "the sender's own close after " + IDLE.toMillis() + " ms idle, not a loss");
        c.sender().expect("DONE");
    }

    @Test
    void aStoppedReceiverIsPeerLostToTheSenderWithinTheLiveness() throws Exception {
        assumeTrue(twoWay(), "a one-way link's writer hears nothing from its reader");
        URI at = newEndpoint();
        ChildJvm receiver = child("take-on-command", at.toString());
        SendChannel<String> out = sendToChild(at, LIVENESS, receiver);
        out.send("a");
        receiver.tell("TAKE");
        receiver.expect("TOOK a");
        long stoppedAt = System.nanoTime();
        signal(receiver, "STOP");
        ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
            for (int i = 0; i < 1_000_000; i++) { // the credits run out, then a send waits until the loss fails it
                out.send("v" + i);
            }
        });
        assertSilentPeerLost(closed, LIVENESS, stoppedAt);
    }

    @Test
    void anIdleReceiverThatIsAliveKeepsTheSenderOpenPastManyLivenessTimes() throws Exception {
        assumeTrue(twoWay(), "a one-way link's writer hears nothing from its reader");
        assumeTrue(knownIdleReceiverDefect() == null, knownIdleReceiverDefect());
        URI at = newEndpoint();
        ChildJvm receiver = child("take-on-command", at.toString());
        SendChannel<String> out = sendToChild(at, SHORT, receiver);
        out.send("a");
        long idleSince = System.nanoTime();
        Thread.sleep(IDLE.toMillis()); // the scenario: the receiving application takes nothing for 6 liveness times
        assertTrue(System.nanoTime() - idleSince >= IDLE.toNanos());
        assertFalse(out.isClosedForSend(), "the sender was closed while its receiver was idle but alive");
        receiver.tell("TAKE");
        receiver.expect("TOOK a");
        out.send("b");
        receiver.tell("TAKE");
        try {
            receiver.expect("TOOK b");
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the sender is " + (out.isClosedForSend() ? "closed" : "open"), e);
        }
        assertFalse(out.isClosedForSend(), "the sender was closed while its receiver was alive");
    }
}
