package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TimersAndGoTest {

    @Test
    void afterDeliversOneValueNoSoonerThanTheDelay() throws Exception {
        long start = System.nanoTime();
        Instant before = Instant.now();
        ReceiveChannel<Instant> timer = Channels.after(Duration.ofMillis(30));
        Instant fired = timer.receive();
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(30), "fired early");
        assertFalse(fired.isBefore(before.plusMillis(29)), "the value is the time it fired");
        assertEquals(Optional.empty(), timer.receive(Duration.ofMillis(60)), "only one value");
        assertFalse(timer.isClosedForReceive(), "as in Go, the channel is not closed");
    }

    @Test
    void afterWithZeroDelayIsReadyAtOnce() {
        assertTrue(Channels.after(Duration.ZERO).tryReceive().isPresent());
        assertTrue(Channels.after(Duration.ofSeconds(-1)).tryReceive().isPresent());
    }

    @Test
    void tickerTicksInOrderAndAStoppedTickerStops() throws Exception {
        Ticker ticker = Channels.ticker(Duration.ofMillis(5));
        List<Instant> ticks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ticks.add(ticker.receive());
        }
        for (int i = 1; i < ticks.size(); i++) {
            assertTrue(ticks.get(i).isAfter(ticks.get(i - 1)), "ticks in order: " + ticks);
        }
        ticker.stop();
        ticker.stop();
        // At most the one tick held at the stop is still delivered; then the channel is closed.
        int after = 0;
        for (Instant ignored : ticker) {
            after++;
        }
        assertTrue(after <= 1, "ticks after stop: " + after);
        assertTrue(ticker.isClosedForReceive());
    }

    @Test
    void tickerRejectsANonPositivePeriod() {
        assertThrows(IllegalArgumentException.class, () -> Channels.ticker(Duration.ZERO));
    }

    @Test
    void goRunsOnAVirtualThreadAndJoinReturnsWhenDone() throws Exception {
        Channel<Boolean> virtual = Channel.buffered(1);
        CountDownLatch release = new CountDownLatch(1);
        Routine r = Channels.go(() -> {
            virtual.send(Thread.currentThread().isVirtual());
            release.await();
        });
        assertTrue(virtual.receive());
        assertFalse(r.join(Duration.ofMillis(10)), "still running");
        release.countDown();
        r.join();
        assertTrue(r.isDone());
        assertTrue(r.failure().isEmpty());
    }

    @Test
    void goPropagatesAThrownExceptionToTheJoiner() throws Exception {
        IOException boom = new IOException("boom");
        Routine r = Channels.go(() -> {
            throw boom;
        });
        CompletionException e = assertThrows(CompletionException.class, r::join);
        assertSame(boom, e.getCause());
        assertSame(boom, r.failure().orElseThrow());
    }

    @Test
    void interruptingARoutineEndsItsBlockedReceive() throws Exception {
        Channel<String> never = Channel.unbuffered();
        Routine r = Channels.go(never::receive);
        TestSupport.awaitWaitingReceivers(never, 1);
        r.interrupt();
        CompletionException e = assertThrows(CompletionException.class, r::join);
        assertTrue(e.getCause() instanceof InterruptedException, e.getCause().toString());
    }
}
