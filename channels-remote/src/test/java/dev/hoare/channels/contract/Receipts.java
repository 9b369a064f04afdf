package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.List;

/** Checks of what several receivers of one channel got. */
public final class Receipts {
    private Receipts() {
    }

    /**
     * Values 0 to {@code n - 1} were sent in order: each receiver got an increasing run of them,
     * and together they got every value exactly once.
     *
     * @param perReceiver what each receiver got, in the order it got it
     * @param n how many values were sent
     */
    public static void assertEachOnceInOrderPerReceiver(List<List<Integer>> perReceiver, int n) {
        BitSet seen = new BitSet(n);
        int total = 0;
        for (List<Integer> mine : perReceiver) {
            for (int j = 1; j < mine.size(); j++) {
                assertTrue(mine.get(j - 1) < mine.get(j), "one receiver saw values out of order");
            }
            for (int v : mine) {
                assertFalse(seen.get(v), "received twice: " + v);
                seen.set(v);
            }
            total += mine.size();
        }
        assertEquals(n, total);
        assertEquals(n, seen.cardinality());
    }
}
