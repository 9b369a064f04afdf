package dev.hoare.channels.shm;

import java.nio.ByteBuffer;

/**
 * Tiny rings for the jcstress tests: {@link ShmRing#over plain memory} of the smallest capacity
 * (1024 bytes, records of up to 128), so that jcstress can make thousands of them cheaply, and
 * payloads whose every byte says which record and length it belongs to.
 */
final class Rings {
    private Rings() {
    }

    /** The records area of every test ring: the smallest a ring takes. */
    static final int CAPACITY = RingLayout.MIN_CAPACITY;

    /**
     * @param position where the ring's head and tail start (bytes since its creation: a
     *     position near a multiple of {@link #CAPACITY} puts the next record near the ring's end)
     * @return the memory of a new, empty ring whose next record goes at {@code position};
     *     {@link ShmRing#over} makes the ring
     */
    static ByteBuffer memory(long position) {
        ByteBuffer memory = ByteBuffer.allocateDirect(RingLayout.HEADER_LENGTH + CAPACITY);
        memory.order(java.nio.ByteOrder.nativeOrder());
        // plain stores: the ring is made before jcstress hands it to the actors, which it does safely
        memory.putLong(RingLayout.TAIL_OFFSET, position);
        memory.putLong(RingLayout.HEAD_CACHE_OFFSET, position);
        memory.putLong(RingLayout.HEAD_OFFSET, position);
        return memory;
    }

    /** @return a new, empty ring whose first record goes at {@code position} */
    static ShmRing at(long position) {
        return ShmRing.over(memory(position));
    }

    /**
     * @return the payload a test offers as a record of {@code type}: {@code length} bytes, none of
     *     them zero (so a byte not yet copied, still zero, never passes for a written one), each
     *     following from the type, the length and its index (so bytes of another record or
     *     another place do not pass either)
     */
    static byte[] payload(int type, int length) {
        byte[] payload = new byte[length];
        for (int i = 0; i < length; i++) {
            payload[i] = expected(type, length, i);
        }
        return payload;
    }

    private static byte expected(int type, int length, int i) {
        return (byte) (1 + Math.floorMod(type * 37 + length * 13 + i * 11, 255));
    }

    /**
     * @return how many of the {@code length} bytes at {@code offset} in {@code buffer} are those of
     *     {@link #payload payload(type, length)}: {@code length} for a whole record
     */
    static int matching(int type, ByteBuffer buffer, int offset, int length) {
        int matching = 0;
        for (int i = 0; i < length; i++) {
            if (buffer.get(offset + i) == expected(type, length, i)) {
                matching++;
            }
        }
        return matching;
    }
}
