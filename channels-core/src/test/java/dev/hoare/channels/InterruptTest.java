package dev.hoare.channels;

import dev.hoare.channels.internal.AbstractChannel;
import static dev.hoare.channels.TestSupport.awaitWaitingReceivers;
import static dev.hoare.channels.TestSupport.awaitWaitingSenders;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterruptTest {

    @Test
    void interruptedSenderLeavesTheChannelUsableAndSendsNothing() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        ch.send("kept");
        AtomicInteger interrupted = new AtomicInteger();
        Thread sender = Thread.ofPlatform().start(() -> {
            try {
                ch.send("never");
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        });
        awaitWaitingSenders(ch, 1);
        sender.interrupt();
        sender.join(10_000);
        assertEquals(1, interrupted.get());
        assertEquals(0, ((AbstractChannel<?>) ch).waitingSenders());
        assertEquals("kept", ch.receive());
        assertEquals(Optional.empty(), ch.tryReceive(), "the interrupted value was not sent");
        ch.send("after");
        assertEquals("after", ch.receive());
    }

    @Test
    void interruptedReceiverTakesNothing() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        AtomicInteger interrupted = new AtomicInteger();
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                ch.receive();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
            }
        });
        awaitWaitingReceivers(ch, 1);
        receiver.interrupt();
        receiver.join(10_000);
        assertEquals(1, interrupted.get());
        assertFalse(ch.trySend("nobody waits any more"));
    }

    @Test
    void blockingCallWithInterruptAlreadySetThrowsAtOnce() {
        Channel<String> ch = Channel.buffered(4);
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ch.send("x"));
        assertFalse(Thread.interrupted(), "the status is consumed by the exception");
        assertTrue(ch.isEmpty());
    }

    /**
     * 100,000 waiters, in batches, park and are interrupted: afterwards no waiter and no value of
     * theirs is reachable from the channel, which still works.
     */
    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void hundredThousandInterruptedWaitersLeaveNoGarbageReachable(int capacity) throws Exception {
        Channel<Object> ch = Channel.buffered(capacity);

        List<WeakReference<Object>> sample = new ArrayList<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        int batch = 1000;
        for (int round = 0; round < 100; round++) {
            boolean senders = round % 2 == 0;
            if (capacity > 0 && senders) {
                assertTrue(ch.trySend("filler"), "a full buffer makes the senders wait");
            } else if (capacity > 0) {
                assertEquals(Optional.of("filler"), ch.tryReceive(), "an empty buffer makes the receivers wait");
            }
            List<Thread> threads = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                Object payload = new byte[64];
                if (i == 0) {
                    sample.add(new WeakReference<>(payload));
                }
                threads.add(Thread.ofVirtual().start(() -> {
                    try {
                        if (senders) {
                            ch.send(payload);
                        } else {
                            ch.receive();
                        }
                        unexpected.add(new AssertionError("completed without a peer"));
                    } catch (InterruptedException expected) {
                        // the point of the test
                    } catch (Throwable t) {
                        unexpected.add(t);
                    }
                }));
            }
            if (senders) {
                awaitWaitingSenders(ch, batch);
            } else {
                awaitWaitingReceivers(ch, batch);
            }
            threads.forEach(Thread::interrupt);
            for (Thread t : threads) {
                t.join(10_000);
                assertFalse(t.isAlive());
            }
        }
        assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
        AbstractChannel<Object> lc = (AbstractChannel<Object>) ch;
        assertEquals(0, lc.waitingSenders());
        assertEquals(0, lc.waitingReceivers());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (sample.stream().anyMatch(r -> r.get() != null) && System.nanoTime() < deadline) {
            System.gc();
            Thread.onSpinWait();
        }
        for (WeakReference<Object> r : sample) {
            assertNull(r.get(), "a value of an interrupted sender is still reachable");
        }
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                ch.receive();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        awaitWaitingReceivers(ch, 1);
        assertTrue(ch.trySend("still works"));
        receiver.join(10_000);
        assertFalse(receiver.isAlive());
    }
}
