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
 * A full ring: record 1 (64 bytes) at the ring's start, a padding record over the rest. The
 * consumer reads record 1, zeroes its space and releases it (moves the head); a producer offers
 * record 2 (64 bytes), which fits only in the space record 1 leaves. The producer either finds the
 * ring full, or writes into the space after the consumer is done with it: record 1 is read whole
 * (the producer never writes into space not yet released), and record 2 is read whole afterwards
 * (the consumer's zeroing never wipes what the producer wrote after the release).
 *
 * <p>Reachable if the protocol were wrong: a head released before the record was read lets the
 * producer's bytes into record 1 ({@code 9} as the consumer's digit); a head released before the
 * zeroing lets the zeroing erase part of record 2 (torn, {@code 9}) or its header (lost: nothing
 * read, {@code 8}: space left claimed).
 *
 * <p>Result: whether the producer's offer succeeded (1) or found the ring full (0), what the
 * consumer read, and what the arbiter read afterwards ({@link Seen}'s digits).
 */
@JCStressTest
@Description("Space is reused only after the consumer has read, zeroed and released it")
@Outcome(id = "1, 1, 2", expect = ACCEPTABLE, desc = "The producer wrote into the released space; both records whole.")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "The producer found the ring still full; record 1 whole.")
@Outcome(expect = FORBIDDEN, desc = "Record 1 overwritten before it was released, or record 2 wiped by the zeroing.")
@State
public class SpaceIsReusedOnlyAfterItsReleaseTest {
    private static final int LENGTH = 56; // records of 64 bytes
    private static final byte[] PAYLOAD_1 = Rings.payload(1, LENGTH);
    private static final byte[] PAYLOAD_2 = Rings.payload(2, LENGTH);

    private final ShmRing ring;
    private final Seen seen = new Seen(0, LENGTH, LENGTH);

    /** Makes the full ring: record 1, then padding to the end (as a claim at the end would). */
    public SpaceIsReusedOnlyAfterItsReleaseTest() {
        ByteBuffer memory = Rings.memory(0);
        ring = ShmRing.over(memory);
        ring.offer(1, PAYLOAD_1, 0, LENGTH);
        int rest = RingLayout.RECORD_HEADER + LENGTH;
        memory.putInt(RingLayout.HEADER_LENGTH + rest, Rings.CAPACITY - rest);
        memory.putInt(RingLayout.HEADER_LENGTH + rest + 4, RingLayout.PADDING);
        memory.putLong(RingLayout.TAIL_OFFSET, Rings.CAPACITY);
    }

    /** Offers record 2 once. */
    @Actor
    public void producer(III_Result r) {
        r.r1 = ring.offer(2, PAYLOAD_2, 0, LENGTH) ? 1 : 0;
    }

    /** Reads record 1 and releases its space. */
    @Actor
    public void consumer(III_Result r) {
        r.r2 = seen.read(ring, 1);
    }

    /** Reads what is left: the padding, then record 2 if it was offered. */
    @Arbiter
    public void arbiter(III_Result r) {
        r.r3 = seen.drain(ring);
    }
}
