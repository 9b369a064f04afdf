package dev.hoare.channels.aeron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.spi.Endpoint;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Where a sender's replies come back: to the endpoint its JVM's driver already receives on (a
 * stream of its own there), so that a channel each way between two hosts uses one endpoint per
 * host; else to a port of its own. Two embedded drivers in this JVM stand for two hosts.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AeronReplyTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static URI at(int port, String driver) {
        return URI.create("aeron:udp?endpoint=127.0.0.1:" + port + "&stream=5&senders=one&driver=embedded:" + driver);
    }

    private static <T> CompletableFuture<ReceiveChannel<T>> receiving(URI uri, Codec<T> codec) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, codec);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void aSendersRepliesShareTheEndpointItsDriverReceivesOnAndAChannelEachWayWorks() throws Exception {
        int a = AeronContractTest.freePort();
        int b = AeronContractTest.freePort();
        // host a receives pongs at a, host b receives pings at b
        CompletableFuture<ReceiveChannel<String>> pongsOpening = receiving(at(a, "reply-a"), Codec.utf8());
        CompletableFuture<ReceiveChannel<String>> pingsOpening = receiving(at(b, "reply-b"), Codec.utf8());
        SendChannel<String> pongs = null;
        SendChannel<String> pings = null;
        try {
            awaitSubscribed(a, "reply-a");
            pings = Channels.openSend(at(b, "reply-a"), Codec.utf8()); // from host a
            awaitSubscribed(b, "reply-b");
            pongs = Channels.openSend(at(a, "reply-b"), Codec.utf8()); // from host b
            ReceiveChannel<String> pingsIn = pingsOpening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            ReceiveChannel<String> pongsIn = pongsOpening.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (int i = 0; i < 500; i++) {
                pings.send("ping " + i);
                assertEquals("ping " + i, pingsIn.receive(WAIT).orElseThrow());
                pongs.send("pong " + i);
                assertEquals("pong " + i, pongsIn.receive(WAIT).orElseThrow());
            }
            pings.close();
            org.junit.jupiter.api.Assertions.assertThrows(dev.hoare.channels.ChannelClosedException.class, () -> pingsIn.receive(WAIT),
                    "the close came after the values");
            pongs.close();
            pingsIn.close();
            pongsIn.close();
        } finally {
            if (pings != null) {
                pings.close();
            }
            if (pongs != null) {
                pongs.close();
            }
        }
    }

    @Test
    void aSenderWhoseDriverReceivesOnTheLocalAddressNamesThatEndpointAndAStreamOfItsOwn() throws Exception {
        int mine = AeronContractTest.freePort();
        int theirs = AeronContractTest.freePort();
        CompletableFuture<ReceiveChannel<String>> local = receiving(at(mine, "reply-c"), Codec.utf8());
        CompletableFuture<ReceiveChannel<String>> remote = receiving(at(theirs, "reply-d"), Codec.utf8());
        awaitSubscribed(mine, "reply-c");
        awaitSubscribed(theirs, "reply-d");
        AeronLink link = AeronTransport.connect(Endpoint.parse(at(theirs, "reply-c")));
        try {
            assertTrue(link.replyAddress.startsWith("127.0.0.1:" + mine + "#"), link.replyAddress);
        } finally {
            link.close();
        }
        int other = AeronContractTest.freePort();
        CompletableFuture<ReceiveChannel<String>> third = receiving(at(other, "reply-d"), Codec.utf8());
        awaitSubscribed(other, "reply-d");
        AeronLink alone = AeronTransport.connect(Endpoint.parse(at(other, "reply-e"))); // a driver that receives nowhere
        try {
            assertTrue(!alone.replyAddress.contains("#") && !alone.replyAddress.endsWith(":" + mine), alone.replyAddress);
        } finally {
            alone.close();
        }
        local.cancel(true); // each gives up after its timeout: nothing more is asked of them
        remote.cancel(true);
        third.cancel(true);
    }

    /** Polls until a receiving end of {@code driver} is subscribed at the port (its open registers it first). */
    private static void awaitSubscribed(int port, String driver) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!AeronTransport.receivesAt("embedded:" + driver, port)) {
            assertTrue(System.nanoTime() < deadline, "no receiving end at " + port);
            Thread.sleep(5); // polling another thread's progress, with a deadline
        }
    }
}
