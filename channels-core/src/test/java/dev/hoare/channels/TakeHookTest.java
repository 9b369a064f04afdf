package dev.hoare.channels;

import dev.hoare.channels.internal.LockChannel;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The take hook of a remote end's inbox (how a credit, or a rendezvous sender's "taken", goes
 * back) runs in the thread that takes the value, never in the sending thread while the receiver is
 * still parked: a process killed between those two moments would otherwise lose a value its peer
 * was told had been taken (the uds: soak found this, 7 values in 13 consumer kills).
 */
@Timeout(30)
class TakeHookTest {
    private final List<Thread> hookThreads = new CopyOnWriteArrayList<>();

    private LockChannel<String> inbox() {
        return new LockChannel<>(Channel.UNLIMITED, Overflow.SUSPEND, null, () -> hookThreads.add(Thread.currentThread()));
    }

    @Test
    void parkedReceiverRunsTheHookItself() throws Exception {
        LockChannel<String> plain = inbox();
        assertHookRunsInReceiver(plain, plain::receive);
        LockChannel<String> timed = inbox();
        assertHookRunsInReceiver(timed, () -> timed.receive(Duration.ofSeconds(20)).orElseThrow());
    }

    @Test
    void selectReceiverRunsTheHookItself() throws Exception {
        LockChannel<String> ch = inbox();
        Channel<String> other = Channel.unbuffered();
        assertHookRunsInReceiver(ch, () -> Select.<String>select().onReceive(ch, v -> v).onReceive(other, v -> "other").run());
    }

    /** Parks a thread in {@code receive} on {@code ch}, sends it a value, checks where the hook ran. */
    private void assertHookRunsInReceiver(LockChannel<String> ch, Callable<String> receive) throws Exception {
        hookThreads.clear();
        CompletableFuture<String> got = new CompletableFuture<>();
        Thread receiver = Thread.ofPlatform().start(() -> {
            try {
                got.complete(receive.call());
            } catch (Throwable e) {
                got.completeExceptionally(e);
            }
        });
        TestSupport.awaitWaitingReceivers(ch, 1);
        ch.send("v");
        assertEquals("v", got.get(20, TimeUnit.SECONDS));
        receiver.join();
        assertEquals(List.of(receiver), hookThreads, "the hook ran in the sending thread");
    }

    @Test
    void manyReceiversEachValueOnceHookPerValue() throws Exception {
        LockChannel<Integer> ch = new LockChannel<>(Channel.UNLIMITED, Overflow.SUSPEND, null, () -> hookThreads.add(Thread.currentThread()));
        int n = 20_000;
        var seen = new java.util.concurrent.ConcurrentHashMap<Integer, Boolean>();
        List<Thread> receivers = new java.util.ArrayList<>();
        for (int r = 0; r < 4; r++) {
            receivers.add(Thread.ofPlatform().start(() -> {
                try {
                    while (true) {
                        var v = ch.receive(Duration.ofMillis(200 + (int) (Math.random() * 50)));
                        if (v.isPresent()) {
                            assertTrue(seen.putIfAbsent(v.get(), true) == null, "twice: " + v.get());
                        } else if (ch.isClosedForReceive()) {
                            return;
                        }
                    }
                } catch (ChannelClosedException done) {
                    // closed and drained
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (int i = 0; i < n; i++) {
            ch.send(i);
        }
        ch.close();
        for (Thread r : receivers) {
            assertTrue(r.join(Duration.ofSeconds(20)));
        }
        assertEquals(n, seen.size());
        assertEquals(n, hookThreads.size());
        assertTrue(hookThreads.stream().allMatch(receivers::contains), "a hook ran outside the receiving threads");
    }
}
