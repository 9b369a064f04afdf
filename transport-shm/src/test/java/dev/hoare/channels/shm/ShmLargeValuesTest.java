package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Received;
import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values larger than one record of the ring (an eighth of its capacity) from several writer
 * processes at once: each arrives whole or not at all.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmLargeValuesTest {
    @TempDir
    Path dir;
    private final List<ChildJvm> children = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (ChildJvm c : children) {
            c.close();
        }
    }

    private ChildJvm child(String... args) throws Exception {
        ChildJvm c = ChildJvm.start(LargeValueWriterChild.class, args);
        children.add(c);
        return c;
    }

    @Test
    void twoWriterProcessesSendingValuesOfManyRecordsAtOnceDeliverEveryValueWhole() throws Exception {
        // 64 KiB ring: a record holds at most 8 KiB, so a value of 200,000 characters takes 25 records
        String uri = "shm:" + dir.resolve("large") + "?capacityBytes=65536&timeout=30s";
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(URI.create(uri), Codec.utf8());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<ChildJvm> writers = List.of(child(uri, "A", "200", "200000", "gated"), child(uri, "B", "200", "200000", "gated"));
        for (ChildJvm w : writers) {
            w.expect("OPEN");
        }
        try (ReceiveChannel<String> in = opening.get(30, TimeUnit.SECONDS)) {
            for (ChildJvm w : writers) {
                w.tell("GO"); // both at once
            }
            Map<String, Integer> next = new HashMap<>(Map.of("A", 0, "B", 0));
            for (int n = 0; n < 400; n++) {
                String v = in.receive(Duration.ofSeconds(30)).orElseThrow();
                String tag = v.substring(0, 1);
                int i = next.merge(tag, 1, Integer::sum) - 1;
                assertTrue(v.startsWith(tag + ":" + i + ":"), () -> "value out of order or mixed: " + v.substring(0, 20));
                assertEquals(LargeValueWriterChild.value(tag, i, 200_000), v, () -> "value " + tag + " " + i + " whole");
            }
            assertEquals(Map.of("A", 200, "B", 200), next);
            for (ChildJvm w : writers) {
                w.expect("SENT");
                w.tell("CLOSE");
                w.expect("CLOSED");
            }
            Received<String> end = in.receiveResult();
            assertFalse(end.ok(), "nothing more");
            assertTrue(end.cause().isEmpty(), () -> "closed cleanly, was " + end.cause());
        }
    }

    @Test
    void aWriterKilledInTheMiddleOfALargeValueLosesOnlyThatValueAndTheChannelLives() throws Exception {
        Path file = dir.resolve("killed");
        String uri = "shm:" + file + "?capacityBytes=65536&capacity=1&maxFrame=4194304&timeout=30s";
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(URI.create(uri), Codec.utf8()); // returns once a writer said HELLO
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        ChildJvm a = child(uri, "A", "1", "1000000"); // 1 MB: far more than the ring and the reader's buffers
        a.expect("OPEN");
        try (ReceiveChannel<String> in = opening.get(30, TimeUnit.SECONDS); ShmRing ring = ShmRing.open(file)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ring.depth() < ring.capacity() / 2 && System.nanoTime() < deadline) {
                Thread.sleep(1); // polling with a deadline: nobody receives, so A fills the ring and waits for room
            }
            assertTrue(ring.depth() >= ring.capacity() / 2, "A did not fill the ring: " + ring.depth());
            a.kill(); // in the middle of its value: part of it in the ring, the rest never written

            ChildJvm b = child(uri, "B", "20", "200000");
            b.expect("OPEN");
            for (int i = 0; i < 20; i++) {
                String v = in.receive(Duration.ofSeconds(30)).orElseThrow();
                int seq = i;
                assertTrue(v.startsWith("B:" + i + ":"), () -> "expected B's value " + seq + ", got " + v.substring(0, 20));
                assertEquals(LargeValueWriterChild.value("B", i, 200_000), v, "B's value " + i + " whole");
            }
            b.expect("SENT");
            assertFalse(in.isClosedForReceive(), "A's lost value does not end the channel while B is attached");
            assertTrue(in.receive(Duration.ofMillis(200)).isEmpty(), "nothing of A's value is delivered");
            b.tell("CLOSE");
            b.expect("CLOSED");
            ChannelClosedException closed = assertThrows(ChannelClosedException.class,
                    () -> in.receive(Duration.ofSeconds(30)).orElseThrow());
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("1 of 2 writers"), closed.getCause().getMessage());
        }
    }
}
