package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.spi.Endpoint;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The aeron channels of a {@link Scratch} (those of fifo, uds and shm: HoareCliIT, through bench and the tour). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ScratchTest {
    @Test
    void aeronChannelsAreLoopbackPortsOneEachTheReceiverTakingOneSender() throws Exception {
        try (Scratch scratch = new Scratch("aeron", "test")) {
            Endpoint in = Endpoint.parse(scratch.receiving("a"));
            Endpoint out = Endpoint.parse(scratch.sending("a"));
            Endpoint other = Endpoint.parse(scratch.receiving("b"));
            assertEquals("aeron", in.scheme());
            assertEquals(in.options().get("endpoint"), out.options().get("endpoint"), "both ends of a channel name one port");
            assertTrue(in.options().get("endpoint").startsWith("127.0.0.1:"), in.uri().toString());
            assertNotEquals(in.options().get("endpoint"), other.options().get("endpoint"), "another channel, another port");
            assertEquals("one", in.options().get("senders"), "the sender's close ends the receiver, as bench's child counts on");
            assertFalse(out.options().containsKey("senders"));
            assertFalse(in.options().containsKey("term-length"), "the default term for small values");
        }
    }

    @Test
    void aeronChannelsForValuesOverAnAeronMessageOfTheDefaultTermCarryThem() throws Exception {
        byte[] value = new byte[1 << 20]; // bench's largest --size; a default term's message holds 512 KiB
        value[value.length - 1] = 7;
        try (Scratch scratch = new Scratch("aeron", "test", value.length)) {
            URI receiving = scratch.receiving("big");
            assertEquals("16m", Endpoint.parse(receiving).options().get("term-length"));
            CompletableFuture<ReceiveChannel<byte[]>> opening = CompletableFuture.supplyAsync(() -> {
                try {
                    return Channels.openReceive(receiving, Codec.bytes());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (SendChannel<byte[]> out = Channels.openSend(scratch.sending("big"), Codec.bytes());
                    ReceiveChannel<byte[]> in = opening.get(30, TimeUnit.SECONDS)) {
                out.send(value);
                assertArrayEquals(value, in.receive());
            }
        }
    }
}
