package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.hoare.channels.wire.FrameKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer link's id ({@code pid << 7 | slot}) is what the reader keys each writer's stream by:
 * two links of one process open to one ring at the same time never share it. A process has at
 * most 128 writer links open to one ring (the slot is 7 bits); the next is refused at its opening,
 * and a closed link's slot is free for a new link, whose stream the reader keeps apart from the
 * old one's (the old one's DETACH comes first in ring order).
 *
 * <p>Frames here are raw ({@code length, kind, tag, seq}): the link's reader joins records into
 * frames and checks only that each writer begins with a HELLO.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ShmWriterIdsTest {
    private static final ShmRing.WaitStrategy WAIT = ShmRing.WaitStrategy.BACKOFF;
    private static final Duration OPEN = Duration.ofSeconds(5);
    private static final int CAPACITY = 1 << 17; // every record of these tests fits: the test reads after writing

    @TempDir
    Path dir;

    private static void send(ShmLink writer, FrameKind kind, int tag, int seq) throws IOException {
        ByteBuffer frame = ByteBuffer.allocate(4 + 1 + 8);
        frame.putInt(1 + 8).put((byte) kind.code()).putInt(tag).putInt(seq);
        writer.write(frame.array(), 0, frame.capacity());
    }

    /** Opens a writer link and sends its HELLO (tagged) and its value 0. */
    private static ShmLink open(Path file, int tag) throws IOException {
        ShmLink w = ShmLink.writer(file, WAIT, OPEN);
        send(w, FrameKind.HELLO, tag, -1);
        send(w, FrameKind.DATA, tag, 0);
        return w;
    }

    /**
     * Reads the reader's stream to its end.
     *
     * @return per tag, how many HELLOs and then the values in the order received
     */
    private static Map<Integer, List<Integer>> drain(ShmLink reader) throws IOException {
        Map<Integer, List<Integer>> got = new HashMap<>();
        while (true) {
            ByteBuffer frames = reader.read(1 << 16);
            if (frames == null) {
                return got;
            }
            while (frames.hasRemaining()) {
                int length = frames.getInt();
                assertEquals(9, length, "a frame of these tests");
                int kind = frames.get() & 0xff;
                int tag = frames.getInt();
                int seq = frames.getInt();
                List<Integer> values = got.computeIfAbsent(tag, t -> new ArrayList<>());
                assertEquals(values.isEmpty(), kind == FrameKind.HELLO.code(), "writer " + tag + ": its HELLO first, once: " + values);
                values.add(seq);
            }
        }
    }

    @Test
    void aProcessHasAtMost128WriterLinksOpenToOneRingAndEachKeepsItsOwnStream() throws Exception {
        Path file = dir.resolve("ring");
        Path other = dir.resolve("other");
        try (ShmLink reader = ShmLink.reader(file, CAPACITY, WAIT); ShmLink otherReader = ShmLink.reader(other, CAPACITY, WAIT)) {
            List<ShmLink> writers = new ArrayList<>();
            for (int i = 0; i < 128; i++) {
                writers.add(open(file, i));
            }
            for (int extra = 0; extra < 2; extra++) { // the 129th and 130th
                IOException refused = assertThrows(IOException.class, () -> ShmLink.writer(file, WAIT, OPEN),
                        "a 129th writer link of this process to the ring");
                assertTrue(refused.getMessage().contains("128 writer links"), refused.getMessage());
            }
            try (ShmLink toOther = ShmLink.writer(other, WAIT, OPEN)) { // the limit is per ring
                assertEquals(ShmRing.PID, toOther.writerId() >>> 7);
            }
            for (int i = 0; i < 128; i++) {
                send(writers.get(i), FrameKind.DATA, i, 1);
                writers.get(i).close(); // its DETACH: a shared id would end another link's stream here
            }
            Map<Integer, List<Integer>> got = drain(reader);
            assertEquals(128, got.size(), "every writer's stream");
            for (int i = 0; i < 128; i++) {
                assertEquals(List.of(-1, 0, 1), got.get(i), "writer " + i + ": its HELLO, then its values in order");
            }
        }
    }

    @Test
    void aClosedWriterLinksSlotGoesToTheNextLinkWhoseStreamTheReaderKeepsApart() throws Exception {
        Path file = dir.resolve("ring");
        try (ShmLink reader = ShmLink.reader(file, CAPACITY, WAIT)) {
            List<ShmLink> writers = new ArrayList<>();
            for (int i = 0; i < 128; i++) {
                writers.add(open(file, i));
            }
            ShmLink old = writers.get(5);
            send(old, FrameKind.DATA, 5, 1);
            old.close();
            ShmLink reused = open(file, 128); // every other slot is taken: this one gets the closed link's
            assertEquals(old.writerId(), reused.writerId(), "the new link has the closed one's id");
            writers.set(5, reused);
            send(reused, FrameKind.DATA, 128, 1);
            for (int i = 0; i < 128; i++) {
                int tag = i == 5 ? 128 : i;
                send(writers.get(i), FrameKind.DATA, tag, 2);
                writers.get(i).close();
            }
            Map<Integer, List<Integer>> got = drain(reader);
            assertEquals(129, got.size(), "every writer's stream, the closed one's and the new one's apart");
            assertEquals(List.of(-1, 0, 1), got.get(5), "the closed link: its HELLO, then its values in order");
            assertEquals(List.of(-1, 0, 1, 2), got.get(128), "the new link: its HELLO, then its values in order");
            for (int i = 0; i < 128; i++) {
                if (i != 5) {
                    assertEquals(List.of(-1, 0, 2), got.get(i), "writer " + i + ": its HELLO, then its values in order");
                }
            }
        }
    }
}
