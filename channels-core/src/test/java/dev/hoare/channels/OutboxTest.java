package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import dev.hoare.channels.wire.FrameWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sending end's outbox: frames in segments, read back as they would go on the wire. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutboxTest {
    /** Everything the outbox holds, segment after segment, as the writer thread writes it. */
    private static byte[] wire(Outbox o) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int size = 0;
        for (int i = 0; i < o.segments(); i++) {
            assertTrue(o.used(i) <= o.segment(i).length);
            for (int pos = 0; pos < o.used(i); pos += Outbox.frameAt(o.segment(i), pos)) {
                assertTrue(pos + Outbox.frameAt(o.segment(i), pos) <= o.used(i), "a frame runs past its segment's end");
            }
            out.write(o.segment(i), 0, o.used(i));
            size += o.used(i);
        }
        assertEquals(o.size(), size);
        return out.toByteArray();
    }

    private static List<byte[]> frames(byte[] wire) throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(wire), Integer.MAX_VALUE - 8);
        List<byte[]> payloads = new ArrayList<>();
        for (Frame f; (f = reader.read()) != null; ) {
            assertEquals(FrameKind.DATA, f.kind());
            payloads.add(f.payload());
        }
        return payloads;
    }

    /**
     * Small frames across many segments, frames that fill a segment exactly, and frames larger
     * than a segment come back whole and in order, with the same bytes; after a clear the
     * outbox is empty and its kept arrays carry the next frames just as well.
     */
    @Test
    void framesOfEverySizeComeBackWholeAndInOrderAcrossSegmentsAndClears() throws IOException {
        Random random = new Random(42);
        Outbox o = new Outbox();
        for (int round = 0; round < 3; round++) {
            List<byte[]> sent = new ArrayList<>();
            int[] sizes = {0, 1, 64, Outbox.SEGMENT - FrameWriter.HEADER, Outbox.SEGMENT - FrameWriter.HEADER + 1,
                3 * Outbox.SEGMENT, 200_000, 7};
            for (int i = 0; i < 5_000; i++) {
                int n = i % 50 == 0 ? sizes[random.nextInt(sizes.length)] : random.nextInt(200);
                byte[] payload = new byte[n];
                random.nextBytes(payload);
                sent.add(payload);
                o.append(payload);
            }
            assertEquals(sent.size(), o.frames());
            assertTrue(o.segments() > 1, "one segment held " + o.size() + " bytes");
            List<byte[]> got = frames(wire(o));
            assertEquals(sent.size(), got.size());
            for (int i = 0; i < sent.size(); i++) {
                assertArrayEquals(sent.get(i), got.get(i), "frame " + i + " of round " + round);
            }
            o.clear();
            assertEquals(0, o.frames());
            assertEquals(0, o.size());
            assertEquals(0, o.segments());
        }
    }

    /** A frame that fills a segment to its last byte shares it with nothing; the next starts a new one. */
    @Test
    void aFrameFillingASegmentExactlyLeavesNoRoomAndTheNextStartsAnother() throws IOException {
        Outbox o = new Outbox();
        o.append(new byte[10]);
        o.append(new byte[Outbox.SEGMENT - FrameWriter.HEADER - (FrameWriter.HEADER + 10)]);
        assertEquals(1, o.segments());
        assertEquals(Outbox.SEGMENT, o.used(0));
        o.append(new byte[] {1});
        assertEquals(2, o.segments());
        assertEquals(FrameWriter.HEADER + 1, o.used(1));
        assertEquals(3, frames(wire(o)).size());
    }

    /** An empty outbox has no segment to write (not an empty one). */
    @Test
    void anEmptyOutboxHasNoSegments() {
        Outbox o = new Outbox();
        assertEquals(0, o.segments());
        o.append(new byte[3]);
        o.clear();
        assertEquals(0, o.segments());
    }
}
