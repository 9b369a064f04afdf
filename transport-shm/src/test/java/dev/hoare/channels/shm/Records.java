package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;

/** Test records: producer number, sequence number, and filler bytes whose length and value follow from them. */
final class Records {
    private Records() {
    }

    static byte[] encode(int producer, long seq, int maxFiller) {
        int filler = (int) ((seq * 31 + producer) % (maxFiller + 1));
        ByteBuffer b = ByteBuffer.allocate(12 + filler);
        b.putInt(producer).putLong(seq);
        for (int i = 0; i < filler; i++) {
            b.put((byte) (seq + i));
        }
        return b.array();
    }

    /** Offers until there is room (the consumer is another thread or process). */
    static void offer(ShmRing ring, byte[] record) {
        while (!ring.offer(1, record, 0, record.length)) {
            Thread.onSpinWait();
        }
    }

    /**
     * Checks a record against {@link #encode} and that it is the next of its producer.
     *
     * @param next per producer, the sequence number expected next; advanced
     */
    static void check(ByteBuffer buffer, int offset, int length, long[] next, int maxFiller) {
        byte[] got = new byte[length];
        buffer.get(offset, got);
        ByteBuffer record = ByteBuffer.wrap(got);
        int producer = record.getInt(0);
        long seq = record.getLong(4);
        assertEquals(next[producer], seq, "producer " + producer + ": out of order or lost");
        next[producer]++;
        byte[] expected = encode(producer, seq, maxFiller);
        assertEquals(true, Arrays.equals(expected, got), "record " + producer + "/" + seq + " torn or wrong");
    }

    /** Reads until every producer's count is reached, repairing a stuck head; fails after the deadline. */
    static void drain(ShmRing ring, long[] next, long each, int maxFiller, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!allReached(next, each)) {
            int n = ring.read((type, buffer, offset, length) -> check(buffer, offset, length, next, maxFiller), 256);
            if (n == 0) {
                ring.repair(Duration.ofSeconds(1));
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("records missing after " + within + ": next per producer " + Arrays.toString(next));
                }
                Thread.onSpinWait();
            }
        }
    }

    private static boolean allReached(long[] next, long each) {
        for (long n : next) {
            if (n < each) {
                return false;
            }
        }
        return true;
    }
}
