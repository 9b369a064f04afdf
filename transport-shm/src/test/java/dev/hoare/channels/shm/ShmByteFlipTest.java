package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.ChannelProtocolException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One byte of a live ring changed (seeded, one flip per fresh ring) while a sender waits for room
 * and values wait to be read, then everything received: each run is tallied as detected (the
 * receiver closed with a cause), harmless (every value right, closed cleanly), silent (a value
 * wrong, missing or extra, with nobody told) or a stall (no progress within the deadline, nobody
 * told). There must be no stall, and with checksums no silent change. {@code -Dhoare.shm.flips=100}
 * runs 100 flips per test (20 by default, for CI); the tally is printed.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ShmByteFlipTest {
    private static final int RUNS = Integer.getInteger("hoare.shm.flips", 20);
    private static final int VALUES = 300;
    private static final int CAPACITY = 4096;
    /** Longer than the reader's 1 s repair of a gap of zeroes, so that a repair is not taken for a stall. */
    private static final Duration STALL = Duration.ofSeconds(3);
    /** The header's fields that live ends use (META is read once, at open). */
    private static final int[][] LIVE_FIELDS = {
        {RingLayout.TAIL_OFFSET, 8}, {RingLayout.HEAD_CACHE_OFFSET, 8}, {RingLayout.HEAD_OFFSET, 8},
        {RingLayout.CLOSED_OFFSET, 4}, {RingLayout.CONSUMER_PID_OFFSET, 4}, {RingLayout.HEARTBEAT_OFFSET, 8},
        {RingLayout.SIGNAL_OFFSET, 4}, {RingLayout.WAITERS_OFFSET, 4}, {RingLayout.WRITER_HEARTBEAT_OFFSET, 8},
    };

    @TempDir
    Path dir;

    enum Outcome { DETECTED, HARMLESS, SILENT, STALL }

    @Test
    void aByteFlippedInALiveRingIsDetectedOrHarmlessAndNeverStallsTheChannel() throws Exception {
        Map<String, Integer> tally = flips(false);
        assertEquals(0, tally.getOrDefault("STALL", 0), "stalls: " + tally);
    }

    @Test
    void withChecksumsAByteFlippedInALiveRingIsNeverDeliveredSilently() throws Exception {
        Map<String, Integer> tally = flips(true);
        assertEquals(0, tally.getOrDefault("STALL", 0), "stalls: " + tally);
        assertEquals(0, tally.getOrDefault("SILENT", 0), "silent changes: " + tally);
    }

    private Map<String, Integer> flips(boolean checksum) throws Exception {
        Map<String, Integer> tally = new TreeMap<>();
        Map<String, Integer> causes = new TreeMap<>();
        List<String> silent = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            String[] what = new String[2];
            Outcome o = flipOnce(run, checksum, what);
            tally.merge(o.name(), 1, Integer::sum);
            tally.merge(o.name() + (what[0].startsWith("header") ? " (header)" : " (records)"), 1, Integer::sum);
            if (o == Outcome.DETECTED) {
                causes.merge(what[1], 1, Integer::sum);
            }
            if (o == Outcome.SILENT || o == Outcome.STALL) {
                silent.add("run " + run + ": " + o + " after flipping " + what[0] + ": " + what[1]);
            }
        }
        System.out.println("byte flips, checksum=" + (checksum ? "crc32c" : "none") + ", " + RUNS + " runs: " + tally
                + "; detected as " + causes);
        silent.forEach(line -> System.out.println("  " + line));
        return tally;
    }

    /** @param what gets where the flip was, then what the receiver saw */
    private Outcome flipOnce(int run, boolean checksum, String[] what) throws Exception {
        SplittableRandom random = new SplittableRandom(1000 + run);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < VALUES; i++) {
            values.add(i + ":" + "x".repeat(random.nextInt(1, 120)));
        }
        Path file = dir.resolve("flip" + run + (checksum ? "c" : ""));
        URI uri = URI.create("shm:" + file + "?capacityBytes=" + CAPACITY + "&timeout=5s" + (checksum ? "&checksum=crc32c" : ""));
        CompletableFuture<ReceiveChannel<String>> opening = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.utf8());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
        ReceiveChannel<String> in = opening.get(10, TimeUnit.SECONDS);
        Thread sender = Thread.ofVirtual().start(() -> {
            try (out) {
                for (String v : values) {
                    out.send(v);
                }
            } catch (ChannelClosedException | InterruptedException stopped) {
                // the ring was found corrupt
            }
        });
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (depth(file) < CAPACITY / 2 && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the sender fills the ring; nobody receives yet
            }
            what[0] = flip(file, random);
            for (int i = 0; i <= VALUES; i++) {
                Optional<String> v;
                try {
                    v = in.receive(STALL);
                } catch (ChannelClosedException closed) {
                    Throwable cause = closed.getCause();
                    if (cause == null) {
                        what[1] = "closed cleanly after " + i + " of " + VALUES + " values";
                        return i == VALUES ? Outcome.HARMLESS : Outcome.SILENT;
                    }
                    what[1] = cause instanceof ShmRing.RingCorruptException ? "RingCorruptException"
                            : cause instanceof ChannelProtocolException ? "ChannelProtocolException"
                            : cause.getClass().getSimpleName();
                    return Outcome.DETECTED;
                }
                if (v.isEmpty()) {
                    what[1] = "nothing within " + STALL + " after " + i + " values";
                    return Outcome.STALL;
                }
                if (i == VALUES || !v.get().equals(values.get(i))) {
                    what[1] = "value " + i + " was '" + abbreviate(v.get()) + "'";
                    return Outcome.SILENT;
                }
            }
            throw new AssertionError("unreachable");
        } finally {
            in.cancel();
            sender.interrupt();
            sender.join(TimeUnit.SECONDS.toMillis(10));
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "…(" + s.length() + ")" : s;
    }

    private static long depth(Path file) throws IOException {
        return readLong(file, RingLayout.TAIL_OFFSET) - readLong(file, RingLayout.HEAD_OFFSET);
    }

    private static long readLong(Path file, int offset) throws IOException {
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
            f.read(b, offset);
            return b.getLong(0);
        }
    }

    /**
     * XORs one byte with a random non-zero value: a quarter of the time in a header field the live
     * ends use, else in the records not yet read (anywhere in the records area if none).
     *
     * @return where
     */
    private static String flip(Path file, SplittableRandom random) throws IOException {
        long offset;
        String where;
        if (random.nextInt(4) == 0) {
            int[] field = LIVE_FIELDS[random.nextInt(LIVE_FIELDS.length)];
            offset = field[0] + random.nextInt(field[1]);
            where = "header byte " + offset;
        } else {
            long head = readLong(file, RingLayout.HEAD_OFFSET);
            long tail = readLong(file, RingLayout.TAIL_OFFSET);
            long position = tail > head ? head + random.nextLong(tail - head) : random.nextLong(CAPACITY);
            offset = RingLayout.HEADER_LENGTH + (position & (CAPACITY - 1));
            where = "records byte " + offset + " (position " + position + ", head " + head + ", tail " + tail + ")";
        }
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            f.read(b, offset);
            b.put(0, (byte) (b.get(0) ^ random.nextInt(1, 256))).clear();
            f.write(b, offset);
        }
        return where;
    }
}
