package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class OverflowTest {

    private static List<Integer> drain(Channel<Integer> ch) {
        ch.close();
        return ch.stream().toList();
    }

    @Test
    void dropOldestKeepsTheLastValues() throws Exception {
        List<Integer> dropped = new ArrayList<>();
        Channel<Integer> ch = Channel.<Integer>builder().capacity(15).overflow(Overflow.DROP_OLDEST)
                .onUndelivered(dropped::add).build();
        for (int i = 0; i < 100; i++) {
            assertTrue(ch.trySend(i), "a drop policy never refuses a send");
        }
        assertEquals(15, ch.size());
        assertEquals(IntStream.range(85, 100).boxed().toList(), drain(ch));
        assertEquals(IntStream.range(0, 85).boxed().toList(), dropped);
    }

    @Test
    void dropLatestKeepsTheFirstValues() throws Exception {
        List<Integer> dropped = new ArrayList<>();
        Channel<Integer> ch = Channel.<Integer>builder().capacity(15).overflow(Overflow.DROP_LATEST)
                .onUndelivered(dropped::add).build();
        for (int i = 0; i < 100; i++) {
            ch.send(i);
        }
        assertEquals(IntStream.range(0, 15).boxed().toList(), drain(ch));
        assertEquals(IntStream.range(15, 100).boxed().toList(), dropped);
    }

    @Test
    void conflatedKeepsOnlyTheLatest() throws Exception {
        List<Integer> dropped = new ArrayList<>();
        Channel<Integer> ch = Channel.<Integer>builder().capacity(1).overflow(Overflow.DROP_OLDEST)
                .onUndelivered(dropped::add).build();
        for (int i = 0; i < 10; i++) {
            ch.send(i);
        }
        assertEquals(List.of(9), drain(ch));
        assertEquals(IntStream.range(0, 9).boxed().toList(), dropped);

        Channel<String> plain = Channel.conflated();
        plain.send("old");
        plain.send("new");
        assertEquals("new", plain.receive());
        assertTrue(plain.isEmpty());
    }

    @Test
    void dropPoliciesHandValuesToAWaitingReceiverFirst() throws Exception {
        Channel<String> ch = Channel.buffered(1, Overflow.DROP_LATEST);
        var receiver = TestSupport.async(ch::receive);
        TestSupport.awaitWaitingReceivers(ch, 1);
        ch.send("direct");
        assertEquals("direct", receiver.get(10, TimeUnit.SECONDS));
        assertTrue(ch.isEmpty());
    }
}
