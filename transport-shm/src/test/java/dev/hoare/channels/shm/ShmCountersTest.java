package dev.hoare.channels.shm;

import static dev.hoare.channels.contract.StatsPolling.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The counters of {@code shm:} ends: values, frames, bytes, and the reader as a writer's peer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmCountersTest {
    @TempDir
    Path dir;

    @Test
    void aWriterCountsItsFramesAndBytesAndNamesTheRingsReaderAsItsPeer() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("counted") + "?timeout=10s");
        CompletableFuture<ReceiveChannel<String>> opening = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> { // a reader's open waits for a writer's HELLO
            try {
                opening.complete(Channels.openReceive(uri, Codec.utf8()));
            } catch (Throwable e) {
                opening.completeExceptionally(e);
            }
        });
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
             ReceiveChannel<String> in = opening.get(20, TimeUnit.SECONDS)) {
            for (int i = 0; i < 100; i++) {
                out.send("v" + i); // 2 or 3 bytes
            }
            for (int i = 0; i < 100; i++) {
                assertEquals("v" + i, in.receive());
            }
            ChannelStats reader = await(in, s -> s.received() == 100);
            ChannelStats writer = await(out, s -> s.sent() == 100 && s.bytesOut() == Channels.stats(in).orElseThrow().bytesIn());
            assertEquals("shm", writer.transport());
            assertEquals(ProcessHandle.current().pid(), writer.peerPid(), "the ring's reader: " + writer);
            assertEquals(-1, reader.peerPid(), "a ring has many writers: no one peer");
            long values = 10 * (9 + 2) + 90 * (9 + 3);
            assertTrue(writer.bytesOut() >= values, "every value's frame in the bytes: " + writer);
            assertTrue(writer.framesOut() >= 1 && writer.framesOut() <= 101, "writes of frames: " + writer);
        }
    }
}
