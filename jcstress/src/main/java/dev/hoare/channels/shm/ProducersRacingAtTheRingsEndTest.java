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
 * Two producers race for the last 16 bytes before the ring's end; the second then reads, as the
 * consumer, while the first may still be writing. Record 1 (16 bytes) fits there exactly, record
 * 2 (32 bytes) does not. If producer 1 claims first, it takes the end and record 2 goes to the
 * ring's start with no padding; if producer 2 claims first, its claim pads the end, record 2 goes
 * to the start and record 1 after it. Either way both records are read whole, exactly once, in
 * claim order, and the head ends where that order puts it: 1008 + 16 + 32 = 1056, or
 * 1008 + 16 (padding) + 32 + 16 = 1072. (Two threads, as in {@link ProducersRacingForTheTailTest}.)
 *
 * <p>Reachable if the protocol were wrong: a claim that padded from a stale tail, or a padding
 * written over a record the other producer had claimed, tears or loses a record ({@code 9},
 * {@code 8}) or leaves a header the reader refuses ({@code -1}); the head's position tells whether
 * a padding was made where none was needed.
 *
 * <p>Result: what the consumer read, what the arbiter read afterwards ({@link Seen}'s digits), and
 * the head's position at the end.
 */
@JCStressTest
@Description("Producers racing at the ring's end: padding only when the claim does not fit")
@Outcome(id = {"12, 0, 1056", "0, 12, 1056"}, expect = ACCEPTABLE,
        desc = "Producer 1 took the end, record 2 the start; each read once, whole.")
@Outcome(id = {"21, 0, 1072", "2, 1, 1072"}, expect = ACCEPTABLE,
        desc = "Producer 2 padded the end; record 2 at the start, record 1 after it; each read once, whole.")
@Outcome(expect = FORBIDDEN, desc = "A record torn, lost, read twice or out of claim order, a needless or missing padding.")
@State
public class ProducersRacingAtTheRingsEndTest {
    private static final int LENGTH_1 = 8; // a record of 16 bytes: fits the end exactly
    private static final int LENGTH_2 = 24; // a record of 32 bytes: does not
    private static final byte[] PAYLOAD_1 = Rings.payload(1, LENGTH_1);
    private static final byte[] PAYLOAD_2 = Rings.payload(2, LENGTH_2);

    private final ByteBuffer memory = Rings.memory(Rings.CAPACITY - 16);
    private final ShmRing ring = ShmRing.over(memory);
    private final Seen seen = new Seen(0, LENGTH_1, LENGTH_2);

    /** Offers record 1. */
    @Actor
    public void producer1() {
        ring.offer(1, PAYLOAD_1, 0, LENGTH_1);
    }

    /** Offers record 2, then reads what is published, up to both records. */
    @Actor
    public void producer2ThenConsumer(III_Result r) {
        ring.offer(2, PAYLOAD_2, 0, LENGTH_2);
        r.r1 = seen.read(ring, 2);
    }

    /** Reads what is left, and where the head is. */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r2 = seen.drain(ring);
        r.r3 = (int) memory.getLong(RingLayout.HEAD_OFFSET);
    }
}
