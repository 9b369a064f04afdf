package dev.hoare.channels.shm;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.Description;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;

/**
 * One producer offers a record while the consumer reads: the consumer sees nothing, or the whole
 * record — the length offered, the type offered, every payload byte — never a length without its
 * payload nor the claim's pid in place of the type. The arbiter then reads what is left: the
 * record, exactly once in all.
 *
 * <p>Reachable if the protocol were wrong: a producer that published the header before copying
 * the payload (or a compiler or CPU that let the copy pass the header's store, or the consumer's
 * payload reads pass its read of the length) lets the consumer see length 120 with payload
 * bytes still zero, {@code 120, 7, k, 0} with k &lt; 120; a header written as two stores, length
 * first, shows the producer's pid as the type. The payload is the largest a ring of 1024 bytes
 * takes, so the window the copy leaves is as wide as it gets.
 *
 * <p>Result: the length the consumer was handed (0: none), the type, how many payload bytes were
 * right, and what the arbiter read afterwards ({@link Seen}'s digits: 7 is the record, whole).
 */
@JCStressTest
@Description("A reader never observes a length without its payload")
@Outcome(id = "0, 0, 0, 7", expect = ACCEPTABLE,
        desc = "The consumer looked before the record was published (or while only claimed); the arbiter reads it, whole.")
@Outcome(id = "120, 7, 120, 0", expect = ACCEPTABLE, desc = "The consumer read the whole record.")
@Outcome(expect = FORBIDDEN,
        desc = "A length without (all of) its payload, the claim's pid as the type, or the record lost or read twice.")
@State
public class RecordIsSeenWholeOrNotAtAllTest {
    private static final int TYPE = 7;
    private static final int LENGTH = 120;
    private static final byte[] PAYLOAD = Rings.payload(TYPE, LENGTH);

    private final ShmRing ring = Rings.at(0);

    /** Offers the record (the ring is empty: there is room). */
    @Actor
    public void producer() {
        ring.offer(TYPE, PAYLOAD, 0, LENGTH);
    }

    /** Reads at most one record, noting its length, its type and how many of its bytes are right. */
    @Actor
    public void consumer(IIII_Result r) {
        ring.read((type, buffer, offset, length) -> {
            r.r1 = length;
            r.r2 = type;
            r.r3 = Rings.matching(TYPE, buffer, offset, length);
        }, 1);
    }

    /** Reads what is left. */
    @Arbiter
    public void arbiter(IIII_Result r) {
        r.r4 = new Seen(0, 0, 0, 0, 0, 0, 0, LENGTH).drain(ring);
    }
}
