package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShmRingTest {
    @TempDir
    Path dir;

    @Test
    void recordsComeOutInOrderWholeAndTheFileIsPrivate() throws IOException {
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals(RingLayout.HEADER_LENGTH + 4096, Files.size(file));
            assertTrue(ring.isEmpty());
            for (int i = 0; i < 5; i++) {
                byte[] r = ("record " + i).getBytes();
                assertTrue(ring.offer(i, r, 0, r.length));
            }
            assertFalse(ring.isEmpty());
            List<String> got = new ArrayList<>();
            assertEquals(5, ring.read((type, b, off, len) -> {
                byte[] bytes = new byte[len];
                b.get(off, bytes);
                got.add(type + ":" + new String(bytes));
            }, 100));
            assertEquals(List.of("0:record 0", "1:record 1", "2:record 2", "3:record 3", "4:record 4"), got);
            assertTrue(ring.isEmpty());
            assertEquals(0, ring.read((t, b, o, l) -> { }, 100));
        }
    }

    @Test
    void aRingOverPlainMemoryWorksAsOneOverAFileAndRefusesAHeapBuffer() throws IOException {
        ByteBuffer memory = ByteBuffer.allocateDirect(RingLayout.HEADER_LENGTH + 1024);
        try (ShmRing ring = ShmRing.over(memory)) {
            assertEquals(null, ring.path());
            assertEquals(1024, ring.capacity());
            assertEquals(RingLayout.MAGIC, memory.getInt(RingLayout.MAGIC_OFFSET));
            byte[] r = new byte[56]; // 64 bytes a record: 16 fill the ring
            r[55] = 7;
            int offered = 0;
            while (ring.offer(3, r, 0, r.length)) {
                offered++;
            }
            assertEquals(16, offered);
            List<String> got = new ArrayList<>();
            assertEquals(16, ring.read((type, b, off, len) -> got.add(type + ":" + len + ":" + b.get(off + 55)), 100));
            assertEquals(16, got.size());
            assertEquals("3:56:7", got.get(15));
            assertTrue(ring.isEmpty());
            ring.force(); // nothing to write to
        }
        assertThrows(IllegalArgumentException.class, () -> ShmRing.over(ByteBuffer.allocate(RingLayout.HEADER_LENGTH + 1024)));
        assertThrows(IllegalArgumentException.class, () -> ShmRing.over(ByteBuffer.allocateDirect(RingLayout.HEADER_LENGTH + 1000)));
    }

    @Test
    void aReadStopsBeforeTheRecordThatWouldPassItsByteLimitButAlwaysTakesOne() throws IOException {
        try (ShmRing ring = ShmRing.create(dir.resolve("ring"), 4096)) {
            for (int i = 0; i < 5; i++) {
                assertTrue(ring.offer(i, new byte[100], 0, 100));
            }
            List<Integer> types = new ArrayList<>();
            ShmRing.Handler h = (t, b, o, l) -> types.add(t);
            assertEquals(2, ring.read(h, 10, 250)); // a third would make 300 bytes
            assertEquals(1, ring.read(h, 10, 50)); // the first record of a read even if it alone passes the limit
            assertEquals(2, ring.read(h, 10, Integer.MAX_VALUE));
            assertEquals(List.of(0, 1, 2, 3, 4), types);
            assertTrue(ring.isEmpty());
            assertEquals(0, ring.read(h, 10, 250));
        }
    }

    @Test
    void aFullRingRefusesUntilTheConsumerReads() throws IOException {
        try (ShmRing ring = ShmRing.create(dir.resolve("ring"), 1024)) {
            byte[] r = new byte[56]; // 64 bytes a record: 16 fill the ring
            int offered = 0;
            while (ring.offer(1, r, 0, r.length)) {
                offered++;
            }
            assertEquals(16, offered);
            assertEquals(1, ring.read((t, b, o, l) -> { }, 1));
            assertTrue(ring.offer(1, r, 0, r.length));
            assertFalse(ring.offer(1, r, 0, r.length));
        }
    }

    @Test
    void theFirstHelloThatFitsIsKeptForLaterReadersAndSurvivesAReopen() throws IOException {
        Path file = dir.resolve("ring");
        byte[] tooLong = new byte[RingLayout.HELLO_MAX + 1];
        byte[] first = {0, 0, 0, 9, 1, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'};
        byte[] second = {0, 0, 0, 9, 1, 'x', 'x', 'x', 'x', 'x', 'x', 'x', 'x'};
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            assertEquals(null, ring.keptHello());
            ring.keepHello(tooLong, 0, tooLong.length);
            assertEquals(null, ring.keptHello(), "a HELLO longer than the header's room is not kept");
            ring.keepHello(first, 0, first.length);
            ring.keepHello(second, 0, second.length);
        }
        try (ShmRing ring = ShmRing.open(file)) {
            assertTrue(java.util.Arrays.equals(first, ring.keptHello()), "the first one stays");
        }
    }

    @Test
    void aRecordHeaderOverwrittenWithAnImpossibleLengthStopsTheReaderClearly() throws IOException {
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 4096)) {
            byte[] r = new byte[16];
            assertTrue(ring.offer(1, r, 0, r.length));
            assertTrue(ring.offer(1, r, 0, r.length));
            List<Integer> lengths = new ArrayList<>();
            assertEquals(1, ring.read((type, b, o, l) -> lengths.add(l), 1));
            for (int bad : new int[] {3, 4096 + 8, 1 << 30}) { // shorter than a header; past the ring; absurd
                try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) { // another process scribbling
                    f.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, bad), RingLayout.HEADER_LENGTH + 24);
                }
                ShmRing.RingCorruptException e = assertThrows(ShmRing.RingCorruptException.class,
                        () -> ring.read((type, b, o, l) -> lengths.add(l), 1));
                assertTrue(e.getMessage().contains("corrupt ring: record at position 24: length " + bad), e.getMessage());
            }
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) { // padding whose length overflows when aligned
                f.write(ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putInt(0, Integer.MAX_VALUE).putInt(4, -1),
                        RingLayout.HEADER_LENGTH + 24);
            }
            ShmRing.RingCorruptException e = assertThrows(ShmRing.RingCorruptException.class,
                    () -> ring.read((type, b, o, l) -> lengths.add(l), 1)); // found by DecoderFuzzTest: it looped for ever
            assertTrue(e.getMessage().contains("length " + Integer.MAX_VALUE), e.getMessage());
            assertEquals(List.of(16), lengths, "nothing read past the good record");
        }
    }

    @Test
    void badArgumentsAreRefusedClearly() throws IOException {
        assertThrows(IllegalArgumentException.class, () -> ShmRing.create(dir.resolve("a"), 1000));
        assertThrows(IllegalArgumentException.class, () -> ShmRing.create(dir.resolve("b"), 512));
        assertFalse(Files.exists(dir.resolve("a")));
        try (ShmRing ring = ShmRing.create(dir.resolve("ring"), 1024)) {
            assertEquals(1024 / 8 - 8, ring.maxPayload());
            byte[] big = new byte[ring.maxPayload() + 1];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ring.offer(1, big, 0, big.length));
            assertTrue(e.getMessage().contains("does not fit"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> ring.offer(-1, new byte[1], 0, 1));
            assertThrows(IndexOutOfBoundsException.class, () -> ring.offer(1, new byte[1], 0, 2));
        }
        assertThrows(FileAlreadyExistsException.class, () -> ShmRing.create(dir.resolve("ring"), 1024));
    }

    @Test
    void foreignTruncatedAndOtherVersionFilesAreRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("text"), "x".repeat(2000));
        assertTrue(assertThrows(IOException.class, () -> ShmRing.open(text)).getMessage().contains("not a Hoare ring"));
        Path shortFile = Files.write(dir.resolve("short"), new byte[100]);
        assertTrue(assertThrows(IOException.class, () -> ShmRing.open(shortFile)).getMessage().contains("shorter"));

        Path ring = dir.resolve("ring");
        ShmRing.create(ring, 1024).close();
        try (FileChannel f = FileChannel.open(ring, StandardOpenOption.WRITE)) {
            f.truncate(RingLayout.HEADER_LENGTH + 512);
        }
        assertTrue(assertThrows(IOException.class, () -> ShmRing.open(ring)).getMessage().contains("truncated"));

        Path other = dir.resolve("other");
        ShmRing.create(other, 1024).close();
        try (FileChannel f = FileChannel.open(other, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, RingLayout.VERSION + 1), RingLayout.VERSION_OFFSET);
        }
        assertTrue(assertThrows(IOException.class, () -> ShmRing.open(other)).getMessage().contains("version"));

        Path capacity = dir.resolve("capacity");
        ShmRing.create(capacity, 1024).close();
        try (FileChannel f = FileChannel.open(capacity, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 1000), RingLayout.CAPACITY_OFFSET);
        }
        assertTrue(assertThrows(IOException.class, () -> ShmRing.open(capacity)).getMessage().contains("corrupt"));
    }

    @Test
    void aRingFileShrunkUnderUsFailsWithAClearErrorNotACrash() throws IOException {
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 1 << 16)) {
            byte[] r = new byte[100];
            assertTrue(ring.offer(1, r, 0, r.length));
            try (FileChannel f = FileChannel.open(file, StandardOpenOption.WRITE)) {
                f.truncate(4096); // the header and the first records stay; the rest of the mapping is gone
            }
            ShmRing.RingFaultException e = assertThrows(ShmRing.RingFaultException.class, () -> {
                for (int i = 0; i < 1000; i++) { // the tail soon reaches the lost pages
                    ring.offer(1, r, 0, r.length);
                }
            });
            assertTrue(e.getMessage().contains("shrunk") && e.getMessage().contains("now 4096 bytes"), e.getMessage());
        }
    }

    @Test
    void aSecondMappingSeesTheSameRing() throws IOException {
        Path file = dir.resolve("ring");
        try (ShmRing producer = ShmRing.create(file, 1024); ShmRing consumer = ShmRing.open(file)) {
            long[] next = new long[1];
            for (long i = 0; i < 10_000; i++) { // wraps the 1 KiB ring many times, with padding
                Records.offer(producer, Records.encode(0, i, 40));
                if (i % 7 == 6) {
                    Records.drain(consumer, next, i + 1, 40, Duration.ofSeconds(10));
                }
            }
            Records.drain(consumer, next, 10_000, 40, Duration.ofSeconds(10));
            assertTrue(consumer.isEmpty());
        }
    }

    @Test
    void manyProducerThreadsEveryRecordExactlyOnceInOrder() throws Exception {
        int producers = 4;
        long each = 200_000;
        try (ShmRing ring = ShmRing.create(dir.resolve("ring"), 1 << 14)) {
            List<Thread> threads = new ArrayList<>();
            for (int p = 0; p < producers; p++) {
                int id = p;
                threads.add(Thread.ofPlatform().start(() -> {
                    for (long i = 0; i < each; i++) {
                        Records.offer(ring, Records.encode(id, i, 100));
                    }
                }));
            }
            long[] next = new long[producers];
            Records.drain(ring, next, each, 100, Duration.ofSeconds(90));
            for (Thread t : threads) {
                assertTrue(t.join(Duration.ofSeconds(10)));
            }
            assertTrue(ring.isEmpty());
            assertEquals(0, ring.read((t, b, o, l) -> { }, 10));
        }
    }

    @Test
    void aGapOfZeroesLeftByAProducerThatDiedBeforeMarkingItsClaimIsPaddedAfterTheTimeout() throws IOException {
        Path file = dir.resolve("ring");
        try (ShmRing ring = ShmRing.create(file, 1024); FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            byte[] a = Records.encode(0, 0, 0);
            assertTrue(ring.offer(1, a, 0, a.length));
            // a producer that moved the tail by 48 bytes and died before writing anything
            var raw = f.map(FileChannel.MapMode.READ_WRITE, 0, f.size()).order(ByteOrder.nativeOrder());
            raw.putLong(RingLayout.TAIL_OFFSET, raw.getLong(RingLayout.TAIL_OFFSET) + 48);
            byte[] b = Records.encode(0, 1, 0);
            assertTrue(ring.offer(1, b, 0, b.length));
            long[] next = new long[1];
            assertEquals(1, ring.read((t, buf, o, l) -> Records.check(buf, o, l, next, 0), 10));
            assertEquals(0, ring.read((t, buf, o, l) -> Records.check(buf, o, l, next, 0), 10)); // stuck on the gap
            assertFalse(ring.repair(Duration.ofHours(1)), "a gap younger than the timeout is left alone");
            assertFalse(ring.repair(Duration.ofHours(1)));
            assertTrue(ring.repair(Duration.ZERO));
            assertEquals(1, ring.read((t, buf, o, l) -> Records.check(buf, o, l, next, 0), 10));
            assertEquals(2, next[0]);
            assertTrue(ring.isEmpty());
        }
    }
}
