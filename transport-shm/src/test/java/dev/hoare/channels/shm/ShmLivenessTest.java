package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.PeerLostException;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.ChildJvm;
import dev.hoare.channels.contract.ContractPeer;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** How ends of a ring judge whether the other side's process is alive. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmLivenessTest {
    @TempDir
    Path dir;

    @Test
    void aWriterSendingEveryQuarterSecondFailsAtItsFirstOrSecondSendAfterItsReaderIsKilled() throws Exception {
        URI uri = URI.create("shm:" + dir.resolve("quiet")); // a 1 MiB ring: never full here
        try (ChildJvm reader = ChildJvm.start(ContractPeer.class, "receive", uri.toString());
                SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
            reader.expect("OPEN");
            for (int i = 0; i < 40; i++) { // enough sends before the kill that a count-based look is mid-count
                out.send("a" + i);
                reader.expect("GOT a" + i);
            }
            reader.kill();
            long killed = System.nanoTime();
            AtomicInteger sends = new AtomicInteger();
            ChannelClosedException closed = assertThrows(ChannelClosedException.class, () -> {
                while (System.nanoTime() - killed < TimeUnit.SECONDS.toNanos(20)) {
                    sends.incrementAndGet();
                    out.send("b");
                    Thread.sleep(250); // the pace of a quiet writer, not a wait for something to happen
                }
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            System.out.println("a dead reader was noticed at send " + sends.get() + " after the kill, " + ms + " ms after it");
            assertInstanceOf(PeerLostException.class, closed.getCause());
            assertTrue(closed.getCause().getMessage().contains("reader went away"), closed.getCause().getMessage());
            // the first send after the kill may be taken into the outbox before the writer thread meets the dead reader
            assertTrue(sends.get() <= 2, sends.get() + " sends (" + ms + " ms) after the kill before one failed");
            assertTrue(ms < 1_000, "the writer learnt of the kill after " + ms + " ms");
        }
    }
}
