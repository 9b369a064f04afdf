package dev.hoare.channels.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JDK Flight Recording holds a {@code dev.hoare.PeerLost} event when a remote end's peer goes
 * away and a {@code dev.hoare.ProtocolError} event when it breaks the protocol, naming the link and
 * the cause (docs/observability.md). The peer is written as raw frames on a Unix socket pair.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LinkEventsTest {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final StreamOptions options = StreamOptions.defaults().withCapacity(4).withTimeout(Duration.ofSeconds(20));

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    @Test
    void aPeerThatGoesAwayWithoutClosingIsRecordedAsPeerLost() throws Exception {
        String link = "jfr receiver " + System.nanoTime();
        List<RecordedEvent> events = record(() -> {
            SocketChannel[] s = SocketPairs.open(open);
            ReceiveChannel<String> in = handshaken(s, link);
            s[0].close(); // the raw peer vanishes: no CLOSE
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
            assertInstanceOf(PeerLostException.class, closed.getCause());
        }, link);
        assertEquals(1, events.size(), events.toString());
        RecordedEvent e = events.get(0);
        assertEquals("dev.hoare.PeerLost", e.getEventType().getName());
        assertEquals("receive", e.getString("end"));
        // "went away without closing" or "connection lost (...reset)": the unread HELLO may make the close a reset
        assertTrue(e.getString("cause").startsWith(link + ": "), e.getString("cause"));
    }

    @Test
    void aForbiddenFrameIsRecordedAsAProtocolError() throws Exception {
        String link = "jfr receiver " + System.nanoTime();
        List<RecordedEvent> events = record(() -> {
            SocketChannel[] s = SocketPairs.open(open);
            ReceiveChannel<String> in = handshaken(s, link);
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(new Frame(FrameKind.CLOSE, new byte[] {1, 2, 3}))));
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
            assertInstanceOf(ChannelProtocolException.class, closed.getCause());
        }, link);
        assertEquals(1, events.size(), events.toString());
        RecordedEvent e = events.get(0);
        assertEquals("dev.hoare.ProtocolError", e.getEventType().getName());
        assertEquals("receive", e.getString("end"));
        assertTrue(e.getString("cause").contains("CLOSE frame with a 3-byte payload"), e.getString("cause"));
    }

    @Test
    void aSendWaitingForCreditsWhenThePeerGoesIsRecordedAsAWaitAndAPeerLost() throws Exception {
        String link = "jfr sender " + System.nanoTime();
        List<RecordedEvent> events = record(() -> {
            SocketChannel[] s = SocketPairs.open(open);
            CompletableFuture<SendChannel<String>> sending = CompletableFuture.supplyAsync(() -> {
                try {
                    return StreamChannels.sender(Links.socket(s[1], link), Codec.utf8(), options);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.credit(1)))); // the receiver's capacity: 1
            SendChannel<String> out = sending.get(20, TimeUnit.SECONDS);
            open.add(out);
            out.send("takes the one credit");
            CompletableFuture<Throwable> second = new CompletableFuture<>();
            Thread sender = Thread.ofPlatform().name(link).start(() -> {
                try {
                    out.send("waits for a credit");
                    second.complete(null);
                } catch (Throwable t) {
                    second.complete(t);
                }
            });
            awaitParked(sender);
            Thread.sleep(50); // some of the wait the event must show (at least 20 ms of it): the sender waits already
            s[0].close(); // the raw peer vanishes
            Throwable failure = second.get(20, TimeUnit.SECONDS);
            assertInstanceOf(ChannelClosedException.class, failure);
            assertInstanceOf(PeerLostException.class, failure.getCause());
        }, link);
        RecordedEvent wait = events.stream().filter(e -> e.getEventType().getName().equals("dev.hoare.ChannelWait")).findFirst()
                .orElseThrow(() -> new AssertionError("no ChannelWait in " + events));
        assertEquals("send", wait.getString("operation"));
        assertTrue(wait.getString("channel").startsWith("RemoteSendChannel[" + link), wait.getString("channel"));
        assertTrue(wait.getDuration().compareTo(Duration.ofMillis(20)) >= 0, wait.getDuration().toString());
        List<RecordedEvent> lost = events.stream().filter(e -> e.getEventType().getName().equals("dev.hoare.PeerLost")).toList();
        assertEquals(1, lost.size(), events.toString());
        assertEquals("send", lost.get(0).getString("end"));
        assertTrue(lost.get(0).getString("link").contains(link), lost.get(0).getString("link"));
    }

    @Test
    void aCleanCloseRecordsNothing() throws Exception {
        String link = "jfr receiver " + System.nanoTime();
        List<RecordedEvent> events = record(() -> {
            SocketChannel[] s = SocketPairs.open(open);
            ReceiveChannel<String> in = handshaken(s, link);
            s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.close())));
            assertThrows(ChannelClosedException.class, () -> in.receive(Duration.ofSeconds(20)));
        }, link);
        assertEquals(List.of(), events);
    }

    // ---------------------------------------------------------------- helpers

    interface Scenario {
        void run() throws Exception;
    }

    /** A Java receiver on {@code s[1]}, handshaken with the raw peer on {@code s[0]}. */
    private ReceiveChannel<String> handshaken(SocketChannel[] s, String description) throws Exception {
        CompletableFuture<ReceiveChannel<String>> receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return StreamChannels.receiver(Links.socket(s[1], description), Codec.utf8(), options);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        s[0].write(ByteBuffer.wrap(FrameWriter.encode(Frame.hello("utf8", 1 << 20))));
        ReceiveChannel<String> in = receiving.get(20, TimeUnit.SECONDS);
        open.add(in);
        return in;
    }

    /**
     * Polls until {@code t}'s wait has begun, failing after 20 s: it is parked, or (a remote sender
     * that reads its credits from the socket itself) blocked in a native poll under the remote end,
     * which a thread's state shows as RUNNABLE.
     */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING && !inNativeWait(t)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the thread never parked: " + t.getState());
            }
            Thread.sleep(1); // polling the thread's state, with a deadline
        }
    }

    /** @return whether {@code t} is in a native call (a socket poll or read) made under a remote end */
    private static boolean inNativeWait(Thread t) {
        StackTraceElement[] stack = t.getStackTrace();
        return stack.length > 0 && stack[0].isNativeMethod()
                && java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().startsWith("dev.hoare.channels.remote."));
    }

    /** The events about {@code link} (PeerLost, ProtocolError, ChannelWait of 10 ms or more) recorded while {@code scenario} ran. */
    private static List<RecordedEvent> record(Scenario scenario, String link) throws Exception {
        Path file = Files.createTempFile("hoare-jfr", ".jfr");
        try (Recording recording = new Recording()) {
            recording.enable("dev.hoare.PeerLost");
            recording.enable("dev.hoare.ProtocolError");
            recording.enable("dev.hoare.ChannelWait").withThreshold(Duration.ofMillis(10));
            recording.start();
            scenario.run();
            recording.stop();
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().startsWith("dev.hoare."))
                    .filter(e -> e.getString(e.hasField("link") ? "link" : "channel").contains(link))
                    .toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
