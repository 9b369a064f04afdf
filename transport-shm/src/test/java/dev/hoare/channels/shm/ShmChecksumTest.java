package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code checksum=crc32c}: recorded in the ring's header, used by every end, and a changed byte is found. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmChecksumTest {
    @TempDir
    Path dir;

    @Test
    void aChecksummedRingCarriesValuesAndEveryEndUsesWhatItsHeaderSays() throws Exception {
        Path file = dir.resolve("summed");
        URI reader = URI.create("shm:" + file + "?checksum=crc32c&capacityBytes=4096");
        URI writer = URI.create("shm:" + file); // asks nothing: the ring's header decides
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(reader, Codec.utf8());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (SendChannel<String> out = Channels.openSend(writer, Codec.utf8());
                ReceiveChannel<String> in = opening.get(10, TimeUnit.SECONDS);
                ShmRing ring = ShmRing.open(file)) {
            assertTrue(ring.checksummed(), "recorded in the header");
            assertEquals(4096 / 8 - 8 - 4, ring.maxPayload(), "a record's checksum takes 4 bytes");
            List<String> sent = new ArrayList<>();
            for (int i = 0; i < 500; i++) { // values up to 3 records long: the ring wraps many times
                String v = i + ":" + "y".repeat(i % 1400);
                sent.add(v);
                out.send(v);
                assertEquals(v, in.receive(Duration.ofSeconds(10)).orElseThrow());
            }
        }
    }

    @Test
    void anEndThatAsksForChecksumsRefusesARingMadeWithout() throws Exception {
        Path file = dir.resolve("plain");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            assertFalse(ring.checksummed());
            ring.registerConsumer();
            IOException e = assertThrows(IOException.class, () -> Channels.openSend(
                    URI.create("shm:" + file + "?checksum=crc32c&timeout=1s"), Codec.utf8()));
            assertTrue(e.getMessage().contains("made without checksums"), e.getMessage());
        }
    }

    @Test
    void aPayloadByteChangedInAChecksummedRingIsFoundBeforeItIsRead() throws Exception {
        Path file = dir.resolve("changed");
        try (ShmRing ring = ShmRing.create(file, 4096, true)) {
            byte[] value = "a value".getBytes();
            assertTrue(ring.offer(2, value, 0, value.length));
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                int at = RingLayout.HEADER_LENGTH + RingLayout.RECORD_HEADER + RingLayout.CHECKSUM + 3;
                ByteBuffer b = ByteBuffer.allocate(1);
                f.read(b, at);
                f.write(b.put(0, (byte) (b.get(0) ^ 1)).clear(), at);
            }
            List<String> read = new ArrayList<>();
            ShmRing.RingCorruptException e = assertThrows(ShmRing.RingCorruptException.class,
                    () -> ring.read((type, buffer, offset, length) -> read.add("record"), 1));
            assertTrue(e.getMessage().contains("fails its checksum"), e.getMessage());
            assertEquals(List.of(), read, "nothing of it handed on");
        }
    }
}
