package dev.hoare.channels.uds;

import static dev.hoare.channels.contract.StatsPolling.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.StreamOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A remote {@code uds:} end's counters: values, depth, a sender blocked for credits, frames, the peer, the name. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UdsCountersTest {
    @TempDir
    Path dir;

    @Test
    void aUdsSenderAndServerCountValuesDepthAndASenderBlockedForCredits() throws Exception {
        Path sock = dir.resolve("counted.sock");
        StreamOptions two = StreamOptions.defaults().withCapacity(2);
        try (UnixServer<String> server = UnixChannels.listen(sock, Codec.utf8(), UnixServer.Options.defaults().withStream(two));
             SendChannel<String> client = UnixChannels.connectSend(sock, Codec.utf8(), StreamOptions.defaults())) {
            client.send("a");
            client.send("b");
            ChannelStats arrived = await(server.channel(), s -> s.sent() == 2);
            assertEquals(0, arrived.received());
            assertEquals(2, arrived.depth());
            assertEquals(2, arrived.capacity());
            assertEquals("uds", arrived.transport());
            assertTrue(arrived.name().startsWith("uds:") && arrived.name().contains("counted.sock"), arrived.name());
            assertEquals(1, arrived.peerAlive());
            assertEquals(1, arrived.links(), "one client");
            assertEquals("uds:" + sock, arrived.name(), "a server's end is named by its address");
            assertTrue(arrived.framesIn() >= 3, "HELLO and two values: " + arrived);

            Thread third = Thread.ofVirtual().start(() -> {
                try {
                    client.send("c"); // no credit left: the server's application took nothing
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            ChannelStats blocked = await(client, s -> s.blockedSenders() == 1);
            assertEquals(2, blocked.sent());
            assertEquals(0, blocked.credits());
            assertEquals("uds", blocked.transport());
            assertEquals(1, blocked.peerAlive());
            assertEquals(1, blocked.links());
            assertTrue(blocked.framesOut() >= 1, blocked.toString());

            assertEquals("a", server.channel().receive());
            third.join();
            ChannelStats after = await(client, s -> s.sent() == 3 && s.blockedSenders() == 0);
            assertTrue(after.sendBlockedNanos() > 0, "its wait for a credit is counted: " + after);
            ChannelStats in = await(server.channel(), s -> s.sent() == 3);
            assertEquals(1, in.received());
            assertEquals(2, in.depth());
            assertTrue(Files.exists(sock));

            // bytes: what the client wrote is what the server read, and the other way (credits), once quiet
            ChannelStats quiet = await(server.channel(), s -> s.bytesIn() == Channels.stats(client).orElseThrow().bytesOut()
                    && s.bytesOut() == Channels.stats(client).orElseThrow().bytesIn());
            ChannelStats sender = Channels.stats(client).orElseThrow();
            // a HELLO (a header and its 4-byte magic at least) and three one-byte values (9 + 1 each)
            assertTrue(sender.bytesOut() >= 13 + 3 * 10, "the client's bytes: " + sender);
            assertTrue(quiet.bytesIn() >= 13 + 3 * 10, quiet.toString());
            assertEquals(-1, sender.peerPid(), "a socket does not say its peer's pid");
        }
    }
}
