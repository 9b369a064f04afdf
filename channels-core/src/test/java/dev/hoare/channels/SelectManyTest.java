package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Select over many channels: {@link Select#onReceiveEach} and its kin, and a select with a thousand cases. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SelectManyTest {

    /** 1,024 channels of both implementations (lock-free ring and lock channel), alternating. */
    private static List<Channel<Integer>> channels(int n) {
        List<Channel<Integer>> list = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            list.add(i % 2 == 0 ? Channel.buffered(1) : Channel.unlimited());
        }
        return list;
    }

    private static Map.Entry<Channel<Integer>, Integer> entry(Channel<Integer> ch, Integer v) {
        return Map.entry(ch, v);
    }

    @Test
    void aSelectOverAThousandChannelsPicksTheOneRandomChannelThatIsReady() throws Exception {
        List<Channel<Integer>> chans = channels(1024);
        Select<Map.Entry<Channel<Integer>, Integer>> select = Select.<Map.Entry<Channel<Integer>, Integer>>select()
                .onReceiveEach(chans, SelectManyTest::entry);
        for (int round = 0; round < 50; round++) {
            int k = ThreadLocalRandom.current().nextInt(chans.size());
            chans.get(k).send(round);
            Map.Entry<Channel<Integer>, Integer> got = select.run(); // the same select, run again
            assertSame(chans.get(k), got.getKey(), "round " + round);
            assertEquals(round, got.getValue());
        }
    }

    @Test
    void onReceiveEachHandsTheActionTheChosenChannelAsItIsInTheCollection() throws Exception {
        List<Channel<Integer>> chans = channels(8);
        List<ReceiveChannel<Integer>> views = new ArrayList<>();
        chans.forEach(c -> views.add(c.receiveOnly()));
        chans.get(5).send(55);
        ReceiveChannel<Integer> chosen = Select.<ReceiveChannel<Integer>>select()
                .onReceiveEach(views, (ch, v) -> {
                    assertEquals(55, v);
                    return ch;
                }).run();
        assertSame(views.get(5), chosen);
    }

    @Test
    void onReceiveResultEachReportsWhichChannelClosed() throws Exception {
        List<Channel<Integer>> chans = channels(16);
        chans.get(9).close(new IllegalStateException("nine"));
        String what = Select.<String>select()
                .onReceiveResultEach(chans, (ch, r) -> chans.indexOf(ch) + (r.isClosed() ? " closed: " + r.cause().orElseThrow().getMessage() : " value"))
                .run();
        assertEquals("9 closed: nine", what);
        assertThrows(ChannelClosedException.class, () -> Select.<Integer>select().onReceiveEach(chans, (ch, v) -> v).run());
    }

    @Test
    void onSendEachSendsTheValueToExactlyOneChannelAndNamesIt() throws Exception {
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            chans.add(Channel.buffered(1));
        }
        for (int i = 0; i < 64; i++) {
            if (i != 17) {
                chans.get(i).send(-1); // full: only channel 17 has room
            }
        }
        Channel<Integer> to = Select.<Channel<Integer>>select().onSendEach(chans, 7, ch -> ch).run();
        assertSame(chans.get(17), to);
        assertEquals(7, chans.get(17).tryReceive().orElseThrow());
        for (int i = 0; i < 64; i++) {
            if (i != 17) {
                assertEquals(-1, chans.get(i).tryReceive().orElseThrow());
                assertTrue(chans.get(i).isEmpty(), "the value went to one channel only");
            }
        }
    }

    @Test
    void aWaitingSelectOverManyChannelsIsCompletedByALaterSenderAndLeavesNoWaiter() throws Exception {
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int i = 0; i < 256; i++) {
            chans.add(i % 2 == 0 ? Channel.unbuffered() : Channel.buffered(1));
        }
        for (int round = 0; round < 10; round++) {
            int k = ThreadLocalRandom.current().nextInt(chans.size());
            CompletableFuture<Integer> selecting = TestSupport.async(() -> Select.<Integer>select()
                    .onReceiveEach(chans, (ch, v) -> chans.indexOf(ch) * 1000 + v).run());
            Channel<Integer> target = chans.get(k);
            TestSupport.awaitTrue("the select waits on channel " + k, () -> ((AbstractChannel<?>) target).waitingReceivers() == 1);
            target.send(round);
            assertEquals(k * 1000 + round, selecting.get(10, TimeUnit.SECONDS));
            for (Channel<Integer> c : chans) {
                assertEquals(0, ((AbstractChannel<?>) c).waitingReceivers(), "every registration removed");
            }
        }
    }

    @Test
    void aSelectOverManyChannelsThatTimesOutLeavesNoWaiter() throws Exception {
        List<Channel<Integer>> chans = channels(1024);
        assertEquals(-1, Select.<Integer>select().onReceiveEach(chans, (ch, v) -> v)
                .onTimeout(Duration.ofMillis(10), () -> -1).run());
        for (Channel<Integer> c : chans) {
            assertEquals(0, ((AbstractChannel<?>) c).waitingReceivers());
        }
    }

    /**
     * 4 selects over 64 channels of three implementations, each built once and run until it takes
     * a stop value, against 4 senders sending to random channels: every value received exactly
     * once (a case completed by a sender while its select was still registering, or found ready
     * at registration, included).
     */
    @Test
    void manySelectsOverManyChannelsReceiveEveryValueOfManySendersExactlyOnce() throws Exception {
        int n = 64;
        List<Channel<Integer>> chans = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            chans.add(switch (i % 3) {
                case 0 -> Channel.unbuffered();
                case 1 -> Channel.buffered(1);
                default -> Channel.unlimited();
            });
        }
        int senders = 4;
        int each = 20_000;
        int selectors = 4;
        AtomicIntegerArray seen = new AtomicIntegerArray(senders * each);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> receiving = new ArrayList<>();
        for (int s = 0; s < selectors; s++) {
            receiving.add(Thread.ofVirtual().start(() -> {
                try {
                    Select<Integer> select = Select.<Integer>select().onReceiveEach(chans, (ch, v) -> v);
                    for (int v; (v = select.run()) >= 0; ) {
                        seen.incrementAndGet(v);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        List<Thread> sending = new ArrayList<>();
        for (int s = 0; s < senders; s++) {
            int base = s * each;
            sending.add(Thread.ofVirtual().start(() -> {
                try {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    for (int i = 0; i < each; i++) {
                        chans.get(random.nextInt(n)).send(base + i);
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : sending) {
            t.join(50_000);
            assertFalse(t.isAlive(), "sender stuck");
        }
        for (int s = 0; s < selectors; s++) {
            chans.get(s).send(-1); // one stop value per select
        }
        for (Thread t : receiving) {
            t.join(50_000);
            assertFalse(t.isAlive(), "select stuck");
        }
        assertTrue(failures.isEmpty(), failures::toString);
        TestSupport.assertEachSeenOnce(seen, "64 channels, 4 selects, 4 senders");
    }
}
