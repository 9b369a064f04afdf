package dev.hoare.channels.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.wire.Frame;
import dev.hoare.channels.wire.FrameKind;
import dev.hoare.channels.wire.FrameReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sending end's outbox: what it holds, and when it keeps a large array. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OutboxTest {
    private static final int LARGE = 3 << 20; // beyond the 1 MiB an outbox always keeps

    /** Appends small frames until the outbox holds {@code bytes} bytes or more; each frame's payload is its number. */
    private static int fill(Outbox o, int bytes) {
        int n = 0;
        while (o.size() < bytes) {
            o.append(new byte[] {(byte) (n >> 16), (byte) (n >> 8), (byte) n, 0, 0, 0, 0, 0});
            n++;
        }
        return n;
    }

    private static void assertFrames(Outbox o, int n) throws IOException {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(o.bytes(), 0, o.size()), 1 << 20);
        for (int i = 0; i < n; i++) {
            Frame f = reader.read();
            assertEquals(FrameKind.DATA, f.kind());
            assertArrayEquals(new byte[] {(byte) (i >> 16), (byte) (i >> 8), (byte) i, 0, 0, 0, 0, 0}, f.payload());
        }
        assertEquals(null, reader.read());
    }

    /**
     * A stream with a large window refills a large outbox at once: its array is kept, not grown
     * anew from 64 KiB for every batch, and the frames of the next batch are read back intact.
     */
    @Test
    void aLargeOutboxThatWasWellUsedIsKeptForTheNextBatch() throws IOException {
        Outbox o = new Outbox(dev.hoare.channels.wire.Frame.FIRST_STREAM);
        assertFrames(o, fill(o, LARGE));
        byte[] grown = o.bytes();
        assertTrue(grown.length >= LARGE);
        o.clear();
        assertEquals(0, o.size());
        assertEquals(0, o.frames());
        assertTrue(grown == o.bytes(), "a well-used large array let go");
        int n = fill(o, LARGE / 2);
        assertTrue(grown == o.bytes(), "grown again for a batch that fits");
        assertFrames(o, n);
    }

    /** Once the stream slows down, the first small batch lets the large array go. */
    @Test
    void aLargeOutboxIsLetGoAfterASmallBatch() throws IOException {
        Outbox o = new Outbox(dev.hoare.channels.wire.Frame.FIRST_STREAM);
        fill(o, LARGE);
        o.clear();
        int n = fill(o, 1000);
        assertFrames(o, n);
        o.clear();
        assertEquals(1 << 16, o.bytes().length, "a large array kept after a batch of 1,000 bytes");
    }
}
