package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Opening ends of a ring: races, deadlines, ownership, and what a failed open leaves behind. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmOpeningTest {
    @TempDir
    Path dir;

    @Test
    void aWriterOpeningWhileTheReaderCreatesTheRingEitherWaitsOrOpensItWhole() throws Exception {
        Path file = dir.resolve("race");
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long stop = System.nanoTime() + TimeUnit.SECONDS.toNanos(4); // the code before the fix failed within a second
        for (int i = 0; i < 1_000 && failure.get() == null && System.nanoTime() < stop; i++) {
            CountDownLatch go = new CountDownLatch(1);
            Thread opener = Thread.ofPlatform().start(() -> {
                try {
                    go.await();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (System.nanoTime() < deadline) {
                        try (ShmRing ring = ShmRing.open(file)) {
                            return;
                        } catch (NoSuchFileException | ShmRing.NotInitialisedException notYet) {
                            Thread.onSpinWait(); // the creator has not begun, or not finished: try again
                        }
                    }
                    failure.set(new AssertionError("never opened"));
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            go.countDown();
            try (ShmRing ring = ShmRing.create(file, 1 << 16)) {
                opener.join();
            }
            Files.delete(file);
        }
        if (failure.get() != null) {
            throw new AssertionError("an opener racing the creator failed instead of waiting: " + failure.get(), failure.get());
        }
    }

    @Test
    void aReceiveThatTimesOutWaitingForAWriterRemovesTheRingItCreated() {
        Path file = dir.resolve("nobody");
        IOException e = assertThrows(IOException.class,
                () -> Channels.openReceive(URI.create("shm:" + file + "?timeout=200ms"), Codec.utf8()));
        assertFalse(Files.exists(file), "the ring this open created is removed: " + e);
    }

    @Test
    void aReceiveThatTimesOutLeavesARingItDidNotCreate() throws Exception {
        Path file = dir.resolve("existing");
        ShmRing.create(file, 4096).close();
        assertThrows(IOException.class, () -> Channels.openReceive(URI.create("shm:" + file + "?timeout=200ms"), Codec.utf8()));
        assertTrue(Files.exists(file), "a ring that was there before the open stays");
    }

    @Test
    void aSecondSenderGivesUpAtItsTimeoutWhenTheRingIsFullAndTheReaderDoesNotReceive() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("full") + "?capacityBytes=4096&timeout=10s");
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        try (SendChannel<String> first = Channels.openSend(uri, Codec.utf8()); ReceiveChannel<String> in = opening.get(20, TimeUnit.SECONDS)) {
            try (ShmRing ring = ShmRing.open(dir.resolve("full"))) { // fill what is left, as the first sender's values would
                byte[] filler = new byte[64];
                while (ring.offer(2, filler, 0, filler.length)) {
                    // until nearly full
                }
                while (ring.offer(2, filler, 0, 0)) {
                    // then to the last byte
                }
            }
            URI shortWait = URI.create("shm:" + dir.resolve("full") + "?timeout=1s");
            long start = System.nanoTime();
            CompletableFuture<SendChannel<String>> second = CompletableFuture.supplyAsync(() -> {
                try {
                    return Channels.openSend(shortWait, Codec.utf8());
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try {
                second.get(10, TimeUnit.SECONDS).close();
                fail("the second sender opened into a full ring nobody reads");
            } catch (ExecutionException e) {
                long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(took < 3_000, "gave up after " + took + " ms, its timeout is 1 s");
                String message = String.valueOf(e.getCause().getCause());
                assertTrue(message.contains("full") && message.contains("1 s"), message);
            } catch (java.util.concurrent.TimeoutException e) {
                fail("the second openSend(timeout=1s) was still blocked after 10 s");
            }
        }
    }

    @Test
    void aRingOrDirectoryOwnedByAnotherUserIsRefused() throws Exception {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "needs root to give a file to another uid");
        int stranger = 54321;
        Path file = dir.resolve("planted");
        ShmRing.create(file, 4096).close();
        Files.setAttribute(file, "unix:uid", stranger);
        IOException reader = assertThrows(IOException.class,
                () -> Channels.openReceive(URI.create("shm:" + file + "?timeout=200ms"), Codec.utf8()));
        assertTrue(reader.getMessage().contains("belongs to uid " + stranger), reader.getMessage());
        IOException writer = assertThrows(IOException.class,
                () -> Channels.openSend(URI.create("shm:" + file + "?timeout=200ms"), Codec.utf8()));
        assertTrue(writer.getMessage().contains("belongs to uid " + stranger), writer.getMessage());

        Path theirs = Files.createDirectory(dir.resolve("theirs"));
        Files.setAttribute(theirs, "unix:uid", stranger);
        Path inTheirs = theirs.resolve("ring");
        IOException inDir = assertThrows(IOException.class,
                () -> Channels.openReceive(URI.create("shm:" + inTheirs + "?timeout=200ms"), Codec.utf8()));
        assertTrue(inDir.getMessage().contains("belongs to uid " + stranger), inDir.getMessage());
        assertFalse(Files.exists(inTheirs), "nothing is created in another user's directory");
    }

    private static CompletableFuture<ReceiveChannel<String>> openReceiveLater(URI uri) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    @Test
    void aSenderWithAnotherCodecIsRefusedAtItsOpeningNamingBothAndTheReaderWaitsForAGoodOne() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("codecs") + "?timeout=20s");
        CompletableFuture<ReceiveChannel<String>> opening = openReceiveLater(uri);
        IOException refused = assertThrows(IOException.class, () -> Channels.openSend(uri, Codec.bytes()).close());
        assertInstanceOf(ChannelProtocolException.class, refused);
        assertTrue(refused.getMessage().contains("codec mismatch") && refused.getMessage().contains("'utf8'")
                && refused.getMessage().contains("'bytes'"), refused.getMessage());
        try (SendChannel<String> good = Channels.openSend(uri, Codec.utf8()); ReceiveChannel<String> in = opening.get(20, TimeUnit.SECONDS)) {
            good.send("whole");
            assertEquals("whole", in.receive());
        }
    }

    @Test
    void aSenderSendsNoFrameLargerThanItsReaderReadsAndSaysSoAtTheSend() throws Exception {
        URI small = URI.create("shm:" + dir.resolve("small") + "?timeout=20s&maxFrame=64");
        CompletableFuture<ReceiveChannel<String>> opening = openReceiveLater(small);
        try (SendChannel<String> out = Channels.openSend(URI.create("shm:" + dir.resolve("small") + "?timeout=20s"), Codec.utf8());
                ReceiveChannel<String> in = opening.get(20, TimeUnit.SECONDS)) {
            IllegalArgumentException tooLarge = assertThrows(IllegalArgumentException.class, () -> out.send("x".repeat(200)));
            assertTrue(tooLarge.getMessage().contains("64"), tooLarge.getMessage());
            out.send("fits");
            assertEquals("fits", in.receive(), "the refused value broke nothing");
        }
    }
}
