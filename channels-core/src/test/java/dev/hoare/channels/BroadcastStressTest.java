package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactly once per subscriber while everything happens at once: several senders (blocking,
 * timed and non-blocking sends, the last two failing and retrying often), subscribers joining and
 * leaving (by cancel or by close-and-drain), and the broadcast closing while senders still send.
 * A value is (sender, sequence number); each sender's numbers go up by one per successful send.
 *
 * <p>Checked for every subscription: from each sender it sees a gap-free, in-order run of numbers
 * (nothing twice, nothing skipped: a failed timed or try send that had delivered to some
 * subscribers would show up as a number seen twice); the run starts no later than the first send
 * that started after {@code subscribe()} returned; and a subscription that drained to the close
 * saw each sender's last successful value, if it was subscribed for it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BroadcastStressTest {
    private static final int SENDERS = 3;
    private static final int SUBSCRIBERS = 4;
    private static final int VALUES = 4_000;

    /** What one subscription saw, and what the senders had done when it subscribed. */
    private record Seen(int[] sentAtSubscribe, List<long[]> values, boolean drainedToClose) {
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4})
    void everySubscriptionSeesAGapFreeRunOfEachSenderExactlyOnce(int capacity) throws Exception {
        for (int round = 0; round < 3; round++) {
            oneRound(capacity);
        }
    }

    private static void oneRound(int capacity) throws Exception {
        BroadcastChannel<long[]> b = BroadcastChannel.buffered(capacity);
        AtomicIntegerArray sent = new AtomicIntegerArray(SENDERS); // successful sends so far, per sender
        ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();

        List<CompletableFuture<Void>> subscribers = new ArrayList<>();
        for (int k = 0; k < SUBSCRIBERS; k++) {
            subscribers.add(TestSupport.run(() -> subscribeRepeatedly(b, sent, seen)));
        }
        List<CompletableFuture<Void>> senders = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            int id = s;
            senders.add(TestSupport.run(() -> sendUntilClosed(b, id, sent)));
        }
        // close while the senders still send: once any of them is half way
        TestSupport.awaitTrue("a sender half way", () -> {
            for (int s = 0; s < SENDERS; s++) {
                if (sent.get(s) >= VALUES / 2) {
                    return true;
                }
            }
            return senders.stream().allMatch(CompletableFuture::isDone);
        });
        b.close();
        for (CompletableFuture<Void> f : senders) {
            f.get(60, TimeUnit.SECONDS);
        }
        for (CompletableFuture<Void> f : subscribers) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(0, b.subscriberCount(), "the close took every subscription out");
        int[] last = new int[SENDERS];
        for (int s = 0; s < SENDERS; s++) {
            last[s] = sent.get(s) - 1;
        }
        assertTrue(seen.size() >= SUBSCRIBERS, "every subscriber thread subscribed at least once");
        for (Seen one : seen) {
            check(one, last);
        }
    }

    /** Sends (id, 0), (id, 1), ... mixing send, timed send and trySend, until the broadcast closes. */
    private static void sendUntilClosed(BroadcastChannel<long[]> b, int id, AtomicIntegerArray sent)
            throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        try {
            for (int seq = 0; seq < VALUES; ) {
                long[] v = {id, seq};
                boolean ok = switch (random.nextInt(3)) {
                    case 0 -> {
                        b.send(v);
                        yield true;
                    }
                    case 1 -> b.send(v, Duration.ofNanos(random.nextInt(50_000)));
                    default -> b.trySend(v);
                };
                if (ok) {
                    sent.incrementAndGet(id);
                    seq++;
                }
            }
        } catch (ChannelClosedException closed) {
            // the close came first: this value went to nobody
        }
    }

    /** Subscribes, receives a while, leaves (cancel, or close and drain), again, until the broadcast is closed. */
    private static void subscribeRepeatedly(BroadcastChannel<long[]> b, AtomicIntegerArray sent,
            ConcurrentLinkedQueue<Seen> seen) throws InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (;;) {
            ReceiveChannel<long[]> s = b.subscribe();
            int[] at = new int[SENDERS];
            for (int i = 0; i < SENDERS; i++) {
                at[i] = sent.get(i);
            }
            List<long[]> values = new ArrayList<>();
            int take = random.nextInt(200);
            boolean ended = false;
            for (int i = 0; i < take && !ended; i++) {
                Received<long[]> r = s.receiveResult();
                if (r.ok()) {
                    values.add(r.value());
                } else {
                    ended = true;
                }
            }
            if (ended) {
                seen.add(new Seen(at, values, true));
                return;
            }
            if (random.nextBoolean()) {
                s.cancel();
            } else {
                s.close();
                for (Received<long[]> r; (r = s.receiveResult()).ok(); ) {
                    values.add(r.value());
                }
            }
            seen.add(new Seen(at, values, false));
            if (b.isClosedForSend()) {
                return;
            }
        }
    }

    private static void check(Seen one, int[] last) {
        int[] prev = new int[SENDERS];
        Arrays.fill(prev, -1);
        boolean[] any = new boolean[SENDERS];
        for (long[] v : one.values) {
            int s = (int) v[0];
            int seq = (int) v[1];
            if (!any[s]) {
                // sends with seq >= sentAtSubscribe + 1 started after subscribe() returned: none is missed
                if (seq > one.sentAtSubscribe[s] + 1) {
                    fail("sender " + s + ": first value seen " + seq + ", but " + (one.sentAtSubscribe[s] + 1)
                            + " was sent after the subscription began");
                }
                any[s] = true;
            } else if (seq != prev[s] + 1) {
                fail("sender " + s + ": " + seq + " after " + prev[s] + (seq <= prev[s] ? " (seen twice or out of order)" : " (a gap)"));
            }
            prev[s] = seq;
        }
        if (one.drainedToClose) {
            for (int s = 0; s < SENDERS; s++) {
                if (one.sentAtSubscribe[s] + 1 <= last[s] && prev[s] != last[s]) {
                    fail("sender " + s + ": a subscription that drained to the close ended at " + prev[s]
                            + ", not at the last value " + last[s]);
                }
            }
        }
    }

    @Test
    void aSubscriptionThatLeavesWhileSendersWaitOnItNeverStrandsThem() throws Exception {
        for (int round = 0; round < 200; round++) {
            BroadcastChannel<Integer> b = BroadcastChannel.buffered(1);
            ReceiveChannel<Integer> stays = b.subscribe(Channel.UNLIMITED, Overflow.SUSPEND);
            ReceiveChannel<Integer> leaves = b.subscribe();
            b.send(0);
            CompletableFuture<Void> a = TestSupport.run(() -> b.send(1));
            CompletableFuture<Void> c = TestSupport.run(() -> b.send(2));
            if (round % 2 == 0) {
                leaves.cancel();
            } else {
                leaves.close();
            }
            a.get(10, TimeUnit.SECONDS);
            c.get(10, TimeUnit.SECONDS);
            b.close();
            List<Integer> got = new ArrayList<>();
            for (int v : stays) {
                got.add(v);
            }
            assertEquals(3, got.size(), got::toString);
            assertEquals(0, got.get(0));
        }
    }
}
