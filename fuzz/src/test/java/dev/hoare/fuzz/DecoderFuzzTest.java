package dev.hoare.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.kryo.KryoCodec;
import dev.hoare.channels.shm.ShmRing;
import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz tests of every decoder that reads bytes from another process. Each may only fail the way
 * its contract says (a {@link ChannelProtocolException}, or {@link ShmRing.RingCorruptException}
 * for the ring), never with another exception, a hang or an allocation beyond the frame limit
 * (the JVM has 512 MiB and the limit is 64 KiB). Without {@code JAZZER_FUZZ=1} (CI) each replays
 * its corpus in {@code src/test/resources/dev/hoare/fuzz/DecoderFuzzTestInputs/}; with it, Jazzer
 * fuzzes for the time given (docs/reliability.md).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS) // a decoder that hangs fails instead of stalling CI (fuzzing runs 60 s)
class DecoderFuzzTest {
    private static final int MAX_FRAME = 1 << 16;

    /** A record with the shapes Kryo must handle: strings, numbers, a list and a map. */
    public record Order(long id, String item, int qty, double price, List<String> notes, Map<String, Integer> extras) {
    }

    private static final Codec<Order> KRYO = KryoCodec.of(Order.class);

    /** Frames from a byte stream, as a channel's reader reads them from a peer. */
    @FuzzTest(maxDuration = "60s")
    void frameReader(byte[] stream) throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(stream), MAX_FRAME);
        try {
            for (Frame f; (f = reader.read()) != null; ) {
                interpret(f);
            }
        } catch (ChannelProtocolException expected) {
            // a bad frame: the documented failure
        }
    }

    /** What a receiving or sending end does with each kind of frame's payload. */
    private static void interpret(Frame f) throws ChannelProtocolException {
        switch (f.kind()) {
            case HELLO -> {
                f.checkHello("utf8");
                f.helloLiveness();
            }
            case PING -> f.pong();
            case CLOSE_WITH_CAUSE, RELEASE -> {
                if (f.payload().length > 0) {
                    f.cause().getMessage();
                }
            }
            case CLOSE -> f.closeCause();
            case CREDIT -> f.credits();
            case DATA -> Codec.utf8().decode(f.payload());
            default -> {
            }
        }
    }

    /** A HELLO's payload, as the handshake checks it. */
    @FuzzTest(maxDuration = "60s")
    void handshake(byte[] payload) {
        try {
            Frame hello = new Frame(dev.hoare.channels.wire.FrameKind.HELLO, payload);
            hello.checkHello("kryo");
            hello.helloLiveness();
        } catch (ChannelProtocolException expected) {
            // a mismatch or a malformed HELLO, named
        }
    }

    /** A DATA payload through the Kryo codec with its registration list. */
    @FuzzTest(maxDuration = "60s")
    void kryoCodec(byte[] payload) {
        try {
            Order o = KRYO.decode(payload);
            if (o == null) {
                throw new IllegalStateException("decode returned null");
            }
        } catch (ChannelProtocolException expected) {
            // not an encoding of a registered value
        }
    }

    /** The ring's reader over a records area another process scribbled over. */
    @FuzzTest(maxDuration = "60s")
    void shmRingReader(byte[] records) throws IOException {
        Path dir = Files.createTempDirectory("hoare-fuzz");
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
                f.write(ByteBuffer.wrap(records, 0, Math.min(records.length, 4096)), 512); // the records area (RingLayout)
                ByteBuffer tail = ByteBuffer.allocate(8).order(java.nio.ByteOrder.nativeOrder()).putLong(0, records.length >= 8 ? 4096 : 0);
                f.write(tail, 128); // the producers' tail: as if records up to the end were claimed
            }
            for (int i = 0; i < 64; i++) {
                if (ring.read((type, buffer, offset, length) -> {
                    if (length < 0 || offset < 0 || offset + length > buffer.capacity()) {
                        throw new IllegalStateException("a record handed out beyond the mapping: " + offset + "+" + length);
                    }
                }, 16) == 0) {
                    ring.repair(java.time.Duration.ZERO);
                }
            }
        } catch (ShmRing.RingCorruptException expected) {
            // an impossible record header, named
        } finally {
            try {
                Files.deleteIfExists(file);
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
