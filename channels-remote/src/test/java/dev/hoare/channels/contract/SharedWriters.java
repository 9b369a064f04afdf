package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Checks for one-way transports that several writer processes share (FIFO, shm), run by each
 * transport's tests with its own endpoint: the readers end only when the last writer has gone.
 */
public final class SharedWriters {
    private SharedWriters() {
    }

    /**
     * {@code writers} processes ({@link WriterChild}) send {@code each} messages of random sizes
     * up to {@code maxSize} bytes into {@code uri}: every message arrives whole, exactly once, in
     * per-writer order, the channel ends closed when all have closed, and every writer exits 0.
     */
    public static void writerProcessesDeliverEveryMessageWholeOnceInOrder(URI uri, int writers, int each, int maxSize)
            throws Exception {
        List<ChildJvm> children = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) { // each waits up to its timeout for the reader
                children.add(ChildJvm.start(WriterChild.class, uri.toString(), Integer.toString(w), Integer.toString(each),
                        Integer.toString(maxSize)));
            }
            int[] next = new int[writers];
            long bytes = 0;
            try (ReceiveChannel<byte[]> in = Channels.openReceive(uri, Codec.bytes())) {
                for (byte[] m : in) { // ends when every writer has closed and gone
                    long id = WriterChild.check(m);
                    int writer = (int) (id >>> 32);
                    assertEquals(next[writer]++, (int) id, "writer " + writer + "'s messages out of order");
                    bytes += m.length;
                }
            }
            for (int w = 0; w < writers; w++) {
                assertEquals(each, next[w], "messages from writer " + w);
            }
            assertTrue(bytes > writers * (long) each * (maxSize / 4), "sizes up to " + maxSize + ", random: " + bytes + " bytes");
            for (ChildJvm c : children) {
                assertEquals(0, c.exitCode());
            }
        } finally {
            for (ChildJvm c : children) {
                c.close();
            }
        }
    }

    /**
     * One writer in this process closes, another (a child process) is killed: the reader gets
     * every value the first sent, then {@link PeerLostException} naming "1 of 2 writers".
     */
    public static void oneWriterClosingAndAnotherKilledEndInPeerLost(URI uri) throws Exception {
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8()); // returns once a writer has said HELLO
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        SendChannel<String> polite = Channels.openSend(uri, Codec.utf8());
        try (ReceiveChannel<String> in = opening.get(30, TimeUnit.SECONDS);
                ChildJvm rude = ChildJvm.start(ContractPeer.class, "stream", uri.toString())) {
            Set<String> seen = new HashSet<>();
            while (seen.size() < 100) { // the second writer is in
                seen.add(in.receive(Duration.ofSeconds(30)).orElseThrow());
            }
            polite.send("bye");
            polite.close();
            while (!seen.contains("bye")) {
                seen.add(in.receive(Duration.ofSeconds(30)).orElseThrow());
            }
            rude.kill();
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
                while (true) {
                    in.receive(Duration.ofSeconds(30)).orElseThrow();
                }
            });
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("1 of 2 writers"), closed.getCause().getMessage());
        }
    }
}
