package dev.hoare.channels.shm;

import java.nio.ByteBuffer;

/**
 * What one {@link ShmRing#read} handed over, as a number jcstress can show: each record a decimal
 * digit, in order of reading — its type (1 to 7) if its length and every byte are what that
 * type's producer offered, 9 if not (a torn record). So {@code 12} is "record 1 whole, then record 2
 * whole", {@code 0} is "nothing", {@code 19} "record 1 whole, then a torn one". A read that stopped on a
 * record header that cannot be ({@link ShmRing.RingCorruptException}) gives {@code -1}.
 */
final class Seen implements ShmRing.Handler {
    /** A torn record's digit. */
    static final int TORN = 9;
    /** {@link #drain}'s last digit when records were claimed but never published (or space was lost). */
    static final int LEFT_BEHIND = 8;
    /** A read that met a corrupt record header. */
    static final int CORRUPT = -1;

    private final int[] lengthOfType;
    private int seen;

    /** @param lengthOfType the payload length each type's producer offers, indexed by type (1 to 7) */
    Seen(int... lengthOfType) {
        this.lengthOfType = lengthOfType;
    }

    @Override
    public void onRecord(int type, ByteBuffer buffer, int offset, int length) {
        boolean whole = type >= 1 && type <= 7 && type < lengthOfType.length && length == lengthOfType[type]
                && Rings.matching(type, buffer, offset, length) == length;
        seen = seen * 10 + (whole ? type : TORN);
    }

    /** @return the digits of one {@code ring.read(this, limit)} */
    int read(ShmRing ring, int limit) {
        seen = 0;
        try {
            ring.read(this, limit);
        } catch (ShmRing.RingCorruptException e) {
            return CORRUPT;
        }
        return seen;
    }

    /**
     * Reads everything left in the ring, after the actors are done (jcstress's arbiter).
     *
     * @return the digits of what was read, then {@link #LEFT_BEHIND} if the ring is still not
     *     empty: space claimed and never published, which no actor of these tests leaves
     */
    int drain(ShmRing ring) {
        int digits = read(ring, 8);
        if (digits == CORRUPT) {
            return CORRUPT;
        }
        return ring.isEmpty() ? digits : digits * 10 + LEFT_BEHIND;
    }
}
