package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.contract.ChildJvm;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durable queues ({@link ShmQueue}) across real processes: a producer JVM publishes values into a
 * ring whose reader takes none and dies; this JVM (a third process) counts them, a new reader in
 * a fresh JVM receives exactly them, in order; clear and remove drop them, refused while a reader
 * is alive. The rings are files in a temporary directory on a disk (not /dev/shm): every process
 * that used one is gone before the next opens it, which is what a reboot leaves of such a file.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmQueueTest {
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
        ChildJvm c = ChildJvm.start(QueueChild.class, args);
        children.add(c);
        return c;
    }

    /** A reader that takes nothing (alive, returned) and a producer that published "0".."n-1" and exited. */
    private ChildJvm publish(URI uri, int n) throws Exception {
        ChildJvm reader = child("hold", uri.toString());
        ChildJvm producer = child("produce", uri.toString(), Integer.toString(n));
        producer.expect("OPEN");
        reader.expect("OPEN"); // its opening took the producer's HELLO alone: the values come after
        producer.tell("GO");
        producer.expect("DONE");
        assertEquals(0, producer.exitCode());
        return reader;
    }

    /** A new reader in a fresh JVM: what it received, and how the channel ended. */
    private record Drained(List<Long> values, String end) {
    }

    private Drained drain(URI uri) throws Exception {
        ChildJvm next = child("drain", uri.toString());
        String end = next.expect("CLOSED ");
        assertEquals(0, next.exitCode());
        List<Long> values = next.printed().stream().filter(l -> l.startsWith("GOT ")).map(l -> Long.parseLong(l.substring(4))).toList();
        return new Drained(values, end.substring("CLOSED ".length()));
    }

    private static List<Long> upTo(long n) {
        return LongStream.range(0, n).boxed().toList();
    }

    @Test
    void valuesAProducerPublishedBeforeExitingAreCountedByAThirdProcessAndReachTheNextReaderInOrder() throws Exception {
        Path file = dir.resolve("jobs");
        URI uri = URI.create("shm:" + file + "?timeout=30s");
        int n = 2_000;
        ChildJvm reader = publish(uri, n);
        reader.kill(); // the reader dies without taking a value: every process that used the ring is gone
        try (ShmQueue queue = Shms.queue(file.toString())) {
            assertFalse(queue.readerAlive());
            assertEquals(n, queue.size(), "the values published and not taken");
            assertEquals(n, queue.size(), "counting takes nothing");
        }
        Drained next = drain(uri); // a fresh JVM reopens the file: a reboot leaves a file on a disk as this
        assertEquals(upTo(n), next.values(), "exactly the published values, once, in order");
        assertEquals("none", next.end(), "then the producer's close, kept in the ring");
        try (ShmQueue queue = Shms.queue(file.toString())) {
            assertEquals(0, queue.size(), "the reader took them");
        }
    }

    @Test
    void aProducerKilledMidStreamLeavesWhatItPublishedCountedAndDeliveredInOrder() throws Exception {
        Path file = dir.resolve("killed");
        URI uri = URI.create("shm:" + file + "?capacityBytes=65536&timeout=30s"); // a few thousand values fill it
        ChildJvm reader = child("hold", uri.toString());
        ChildJvm producer = child("stream", uri.toString());
        producer.expect("OPEN");
        reader.expect("OPEN");
        producer.tell("GO");
        producer.expect("SENT 1000");
        producer.kill(); // mid-stream: sending, or waiting for room in the full ring
        reader.kill();
        long size;
        try (ShmQueue queue = Shms.queue(file.toString())) {
            size = queue.size();
        }
        assertTrue(size > 0, "what it published stays: " + size);
        Drained next = drain(uri);
        assertEquals(upTo(size), next.values(), "size() counted exactly what the next reader receives, in order");
        assertEquals("PeerLostException", next.end(), "the producer went away without closing");
    }

    @Test
    void clearAndRemoveAreRefusedWhileAReaderIsAliveAndThenDropTheValues() throws Exception {
        Path file = dir.resolve("stale");
        URI uri = URI.create("shm:" + file + "?timeout=30s");
        ChildJvm reader = publish(uri, 500);
        long pid = reader.process().pid();
        try (ShmQueue queue = Shms.queue(file.toString())) {
            assertTrue(queue.readerAlive());
            IllegalStateException refused = assertThrows(IllegalStateException.class, queue::clear);
            assertTrue(refused.getMessage().contains("live reader (pid " + pid + ")"), refused.getMessage());
            assertTrue(assertThrows(IllegalStateException.class, queue::remove).getMessage().contains("pid " + pid));
            assertEquals(500, queue.size(), "a refused clear drops nothing");

            reader.kill();
            assertEquals(500, queue.clear(), "the values dropped");
            assertEquals(0, queue.size());
            assertEquals(0, queue.bytes(), "nothing left in the ring");
            assertEquals(0, queue.clear());
            assertTrue(queue.remove());
            assertFalse(Files.exists(file));
            assertThrows(IllegalStateException.class, queue::size, "remove closes the handle");
        }
    }

    @Test
    void aReaderOpeningWhileTheQueueIsHeldForClearingIsRefusedAndWritersWait() throws Exception {
        Path file = dir.resolve("held");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            assertEquals(0, ring.hold(false), "the slot is free");
            IOException refused = assertThrows(IOException.class,
                    () -> Channels.openReceive(URI.create("shm:" + file + "?timeout=1s"), Codec.utf8()));
            assertTrue(refused.getMessage().contains("is held by pid " + ShmRing.PID + " (clearing"), refused.getMessage());
            assertEquals(null, ring.consumer(), "writers opening see no reader yet, and wait");
            assertThrows(IllegalStateException.class, ring::registerConsumer, "taken once");
            ring.unhold();
            assertEquals(0, ring.consumerPid());
            ring.registerConsumer(); // free again
            assertEquals(ShmRing.PID, ring.consumerPid());
            try (ShmQueue queue = Shms.queue(file.toString())) {
                assertThrows(IllegalStateException.class, queue::clear, "this process's own live reader is a reader too");
            }
        }
    }

    /** A frame of docs/wire-format.md: length, kind, stream 1, payload. */
    private static byte[] frame(int kind, byte[] payload) {
        return java.nio.ByteBuffer.allocate(9 + payload.length).putInt(5 + payload.length).put((byte) kind).putInt(1).put(payload).array();
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void sizeCountsWholeValuesPerWriterAndNotAValueItsWriterLeftUnfinished() throws Exception {
        Path file = dir.resolve("frames");
        int dead = 4_194_000; // a writer id's pid no process has (below 2^22)
        int a = dead << 7;
        int b = dead << 7 | 1;
        try (ShmRing ring = ShmRing.create(file, 4096, true)) { // with checksums: payloads start after them
            byte[] hello = frame(1, new byte[16]);
            byte[] ab = concat(hello, frame(2, "a".getBytes()), frame(2, "bb".getBytes()));
            assertTrue(ring.offer(a << 1, ab, 0, ab.length)); // HELLO and two values in one record
            byte[] large = frame(2, new byte[1000]); // more than a record (an eighth of 4096): split
            int first = ring.maxPayload();
            assertTrue(ring.offer(b << 1, large, 0, first)); // its writer never finishes it
            byte[] c = frame(2, "c".getBytes());
            byte[] pingAndClose = concat(frame(7, new byte[8]), frame(3, new byte[0]));
            assertTrue(ring.offer(a << 1, c, 0, c.length));
            assertTrue(ring.offer(a << 1, pingAndClose, 0, pingAndClose.length));
            assertTrue(ring.offer(a << 1 | 1, new byte[0], 0, 0)); // DETACH
            try (ShmQueue queue = Shms.queue(file.toString())) {
                assertEquals(3, queue.size(), "a, bb and c; not the unfinished value, nor HELLO, PING or CLOSE");
                for (int at = first; at < large.length; at += ring.maxPayload()) { // the rest of it
                    assertTrue(ring.offer(b << 1, large, at, Math.min(ring.maxPayload(), large.length - at)));
                }
                assertEquals(4, queue.size(), "whole now");
                assertEquals(4, queue.clear());
                assertEquals(0, queue.size());
                assertTrue(ring.isEmpty());
            }
        }
    }

    @Test
    void sizeBesideALiveReaderTakingValuesIsASnapshotAndNeverFails() throws Exception {
        Path file = dir.resolve("busy");
        URI uri = URI.create("shm:" + file + "?capacityBytes=16384&timeout=30s");
        int n = 20_000;
        var opening = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (var out = Channels.openSend(uri, Codec.utf8()); var in = opening.get(30, TimeUnit.SECONDS);
                ShmQueue queue = Shms.queue(file.toString())) {
            var sender = new java.util.concurrent.FutureTask<Void>(() -> {
                for (int i = 0; i < n; i++) {
                    out.send(Integer.toString(i));
                }
                return null;
            });
            var receiver = new java.util.concurrent.FutureTask<Void>(() -> {
                for (int i = 0; i < n; i++) {
                    assertEquals(Integer.toString(i), in.receive());
                }
                return null;
            });
            Thread.ofPlatform().start(sender);
            Thread.ofPlatform().start(receiver);
            int looks = 0;
            while (!receiver.isDone()) {
                long size = queue.size();
                assertTrue(size >= 0 && size <= n, "a count of what can be there: " + size);
                looks++;
            }
            sender.get(30, TimeUnit.SECONDS);
            receiver.get(30, TimeUnit.SECONDS);
            assertTrue(looks > 0);
            assertEquals(0, queue.size());
        }
    }

    @Test
    void aQueueIsNamedAsChannelsAreAndAMissingOneSaysSo() {
        NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Shms.queue(dir.resolve("none").toString()));
        assertTrue(missing.getMessage().contains("no queue shm:"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Shms.queue("../etc"));
        assertThrows(IllegalArgumentException.class, () -> Shms.queue("a/b"));
    }
}
