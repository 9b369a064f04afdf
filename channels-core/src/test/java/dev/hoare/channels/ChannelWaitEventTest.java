package dev.hoare.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A JDK Flight Recording shows where a pipeline stalls: a send, receive or select that waited at
 * least the threshold is a {@code dev.hoare.ChannelWait} event naming the channel, the operation
 * and the waiting thread, with the wait as its duration (docs/observability.md).
 *
 * <p>Each wait is made certain, not hoped for: the test waits until the waiting thread is parked,
 * lets {@link #WAIT} pass, and only then completes the operation; the event must last at least that.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChannelWaitEventTest {
    private static final String EVENT = "dev.hoare.ChannelWait";
    private static final Duration WAIT = Duration.ofMillis(50);

    @Test
    void aReceiveThatWaitsForAValueIsRecordedWithItsChannelAndDuration() throws Exception {
        for (Channel<String> ch : List.<Channel<String>>of(Channel.buffered(4), Channel.unbuffered())) {
            List<RecordedEvent> events = recordWhile(Duration.ofMillis(10), "receiver", () -> ch.receive(), waiter -> ch.send("v"));
            RecordedEvent e = single(events, ch);
            assertEquals("receive", e.getString("operation"), ch.toString());
            assertTrue(e.getString("channel").startsWith(ch.getClass().getSimpleName() + "["), e.getString("channel"));
            assertTrue(e.getBoolean("completed"));
            assertTrue(e.getDuration().compareTo(WAIT) >= 0, e.getDuration() + " < " + WAIT);
        }
    }

    @Test
    void aSendThatWaitsForRoomIsRecorded() throws Exception {
        Channel<String> ch = Channel.buffered(1);
        ch.send("fills it");
        List<RecordedEvent> events = recordWhile(Duration.ofMillis(10), "sender", () -> {
            ch.send("waits");
            return null;
        }, waiter -> ch.receive());
        RecordedEvent e = single(events, ch);
        assertEquals("send", e.getString("operation"));
        assertTrue(e.getString("channel").contains("capacity=1"), e.getString("channel"));
        assertTrue(e.getDuration().compareTo(WAIT) >= 0, e.getDuration() + " < " + WAIT);
    }

    @Test
    void aSelectThatWaitsIsRecordedWithItsCases() throws Exception {
        Channel<String> a = Channel.buffered(2);
        Channel<String> b = Channel.unbuffered();
        List<RecordedEvent> events = recordWhile(Duration.ofMillis(10), "selector",
                () -> Select.<String>select().onReceive(a, v -> "a").onReceive(b, v -> "b").run(), waiter -> b.send("v"));
        RecordedEvent e = single(events, "select");
        assertEquals("select", e.getString("operation"));
        String cases = e.getString("channel");
        assertTrue(cases.contains("receive from RingChannel[capacity=2") && cases.contains("receive from LockChannel["), cases);
        assertTrue(e.getDuration().compareTo(WAIT) >= 0, e.getDuration() + " < " + WAIT);
    }

    @Test
    void aSendThatGivesUpRecordsThatItDidNotComplete() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        List<RecordedEvent> events = recordWhile(Duration.ofMillis(10), "timing out",
                () -> ch.send("nobody takes it", Duration.ofMillis(60)), waiter -> waiter.join());
        RecordedEvent e = single(events, ch);
        assertEquals(false, e.getBoolean("completed"));
        assertEquals("send", e.getString("operation"));
    }

    @Test
    void aWaitShorterThanTheThresholdIsNotRecorded() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        List<RecordedEvent> events = recordWhile(Duration.ofSeconds(10), "receiver", () -> ch.receive(), waiter -> ch.send("v"));
        assertEquals(List.of(), events);
    }

    @Test
    void nothingIsRecordedWithTheEventDisabled() throws Exception {
        Channel<String> ch = Channel.unbuffered();
        List<RecordedEvent> events = recordWhile(null, "receiver", () -> ch.receive(), waiter -> ch.send("v"));
        assertEquals(List.of(), events);
    }

    // ---------------------------------------------------------------- helpers

    interface Wait<T> {
        T run() throws Exception;
    }

    interface Release {
        void run(Thread waiter) throws Exception;
    }

    /**
     * Records {@link #EVENT} (with {@code threshold}, or disabled if {@code null}) while a thread
     * named {@code name} runs {@code wait}; once it is parked and {@link #WAIT} has passed,
     * {@code release} ends its wait.
     *
     * @return the events of that thread
     */
    private static List<RecordedEvent> recordWhile(Duration threshold, String name, Wait<?> wait, Release release)
            throws Exception {
        String threadName = "jfr-test " + name + " " + System.nanoTime();
        Path file = Files.createTempFile("hoare-jfr", ".jfr");
        try (Recording recording = new Recording()) {
            if (threshold == null) {
                recording.disable(EVENT);
            } else {
                recording.enable(EVENT).withThreshold(threshold).withStackTrace();
            }
            recording.start();
            CompletableFuture<Object> outcome = new CompletableFuture<>();
            Thread waiter = Thread.ofPlatform().name(threadName).start(() -> {
                try {
                    outcome.complete(wait.run());
                } catch (Throwable t) {
                    outcome.completeExceptionally(t);
                }
            });
            awaitParked(waiter);
            Thread.sleep(WAIT); // the wait that is measured: the waiter is parked already
            release.run(waiter);
            outcome.get(20, TimeUnit.SECONDS);
            waiter.join();
            recording.stop();
            recording.dump(file);
            return RecordingFile.readAllEvents(file).stream()
                    .filter(e -> e.getEventType().getName().equals(EVENT))
                    .filter(e -> e.getThread() != null && threadName.equals(e.getThread().getJavaName()))
                    .toList();
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Polls until {@code t} is parked (its wait has begun), failing after 20 s. */
    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the thread never parked: " + t.getState());
            }
            Thread.sleep(1); // polling the thread's state, with a deadline
        }
    }

    private static RecordedEvent single(List<RecordedEvent> events, Object what) throws IOException {
        assertEquals(1, events.size(), "one " + EVENT + " for " + what + ": " + events);
        return events.get(0);
    }
}
