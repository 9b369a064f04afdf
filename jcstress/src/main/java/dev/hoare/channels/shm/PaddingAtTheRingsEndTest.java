package dev.hoare.channels.shm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import java.nio.ByteBuffer;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A record that does not fit before the ring's end: 16 bytes are left there, the record takes 32,
 * so its claim pads the end and the record goes to the ring's start, while the consumer reads.
 * The consumer skips the padding and reads the record whole, or reads nothing yet (having perhaps
 * skipped the padding already); the padding is never handed over as a record, and the head ends
 * past both.
 *
 * <p>Reachable if the protocol were wrong: a padding header written as two stores, length first,
 * reads as a record of type 0 with a zeroed payload ({@code 9}); a record published before its
 * payload is copied reads torn; a padding length that disagreed with the space left makes the
 * reader stop on a corrupt record ({@code -1}) or lose the record.
 *
 * <p>Result: what the consumer read and what the arbiter read afterwards ({@link Seen}'s digits;
 * 2 is the record, whole), and the head's position at the end: 1008 + 16 + 32.
 */
@JCStressTest
@Description("A claim that pads the ring's end: the record is whole, the padding never read as one")
@Outcome(id = {"2, 0, 1056", "0, 2, 1056"}, expect = ACCEPTABLE, desc = "The record read once, whole, after the padding.")
@Outcome(expect = FORBIDDEN, desc = "The padding read as a record, the record torn, lost or read twice, or the head elsewhere.")
@State
public class PaddingAtTheRingsEndTest {
    private static final int LENGTH = 24; // a record of 32 bytes
    private static final byte[] PAYLOAD = Rings.payload(2, LENGTH);

    private final ByteBuffer memory = Rings.memory(Rings.CAPACITY - 16);
    private final ShmRing ring = ShmRing.over(memory);
    private final Seen seen = new Seen(0, 0, LENGTH);

    /** Offers the record: its claim pads the last 16 bytes. */
    @Actor
    public void producer() {
        ring.offer(2, PAYLOAD, 0, LENGTH);
    }

    /** Reads what is published, up to one record. */
    @Actor
    public void consumer(III_Result r) {
        r.r1 = seen.read(ring, 1);
    }

    /** Reads what is left, and where the head is. */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = seen.drain(ring);
        r.r3 = (int) memory.getLong(RingLayout.HEAD_OFFSET);
    }
}
