package dev.hoare.channels.shm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * Two producers race to claim space (compare-and-set of the tail) and publish records of
 * different lengths; the second producer then reads, as the consumer, while the first may still
 * be writing. Every record is read whole, exactly once, in the order of the claims, never with
 * another's bytes in it, and a record published behind one only claimed waits for it.
 * (Two threads, not three: jcstress runs a test only with a CPU for each of its threads, and
 * this project's machines have two.)
 *
 * <p>Reachable if the protocol were wrong: two claims of the same space (a tail moved by a read
 * and a plain write instead of a compare-and-set) leave one record with the other's bytes over
 * part of it ({@code 9}: torn) or its header over the other's (one lost); a record published
 * before its payload was copied is torn; a record read past a claim not yet published is out of
 * claim order ({@code 2} with producer 1 first).
 *
 * <p>Result: what the consumer read, then what the arbiter read after both producers were done,
 * as {@link Seen}'s digits (1: producer 1's record whole, 2: producer 2's, 9: a torn record,
 * 8: space left claimed). Record 2 is published before the consumer looks, so when producer 2
 * claimed first the consumer reads it at least; when producer 1 did, the consumer reads both or
 * nothing.
 */
@JCStressTest
@Description("Racing producers: each record whole, exactly once, in claim order")
@Outcome(id = {"12, 0", "0, 12"}, expect = ACCEPTABLE,
        desc = "Producer 1 claimed first; the consumer read both, or nothing while record 1 was unpublished.")
@Outcome(id = {"21, 0", "2, 1"}, expect = ACCEPTABLE,
        desc = "Producer 2 claimed first; the consumer read both, or record 2 while record 1 was unpublished.")
@Outcome(expect = FORBIDDEN, desc = "A record torn, lost, read twice or out of claim order, or space left claimed.")
@State
public class ProducersRacingForTheTailTest {
    private static final int LENGTH_1 = 40;
    private static final int LENGTH_2 = 16;
    private static final byte[] PAYLOAD_1 = Rings.payload(1, LENGTH_1);
    private static final byte[] PAYLOAD_2 = Rings.payload(2, LENGTH_2);

    private final ShmRing ring = Rings.at(0);
    private final Seen seen = new Seen(0, LENGTH_1, LENGTH_2);

    /** Offers record 1. */
    @Actor
    public void producer1() {
        ring.offer(1, PAYLOAD_1, 0, LENGTH_1);
    }

    /** Offers record 2, then reads what is published, up to both records. */
    @Actor
    public void producer2ThenConsumer(II_Result r) {
        ring.offer(2, PAYLOAD_2, 0, LENGTH_2);
        r.r1 = seen.read(ring, 2);
    }

    /** Reads what is left. */
    @Arbiter
    public void arbiter(II_Result r) {
        r.r2 = seen.drain(ring);
    }
}
