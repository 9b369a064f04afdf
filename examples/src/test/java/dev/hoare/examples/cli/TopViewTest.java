package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The frame of {@code hoare top} as a pure function of two samples from a fake source, a size and a sort. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TopViewTest {
    private static final long SECOND = 1_000_000_000L;

    /** A source that returns the samples it was given, in order. */
    private static final class FakeSource implements TopSource {
        private final Deque<List<TopRow>> samples = new ArrayDeque<>();

        @SafeVarargs
        FakeSource(List<TopRow>... samples) {
            this.samples.addAll(List.of(samples));
        }

        @Override
        public List<TopRow> sample() {
            return samples.removeFirst();
        }

        TopView.Sample at(long nanos) throws IOException {
            return new TopView.Sample(sample(), nanos);
        }
    }

    private static TopRow row(String name, long depth, long capacity, long sent, long received) {
        return new TopRow(name, "inproc", 100, true, depth, capacity, sent, received, 0, 0, List.of());
    }

    private static List<String> table(List<String> frame) {
        return frame.subList(2, frame.size());
    }

    private static String lineOf(List<String> frame, String name) {
        return frame.stream().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow(() -> new AssertionError(name + " not in " + frame));
    }

    @Test
    void theDepthBarIsFilledInProportionToTheCapacity() {
        assertEquals("[#####.....]", TopView.bar(row("a", 32, 64, 0, 0), 10));
        assertEquals("[##########]", TopView.bar(row("a", 8, 8, 0, 0), 10));
        assertEquals("[#.........]", TopView.bar(row("a", 1, 1000, 0, 0), 10), "a value queued shows");
        assertEquals("[#########.]", TopView.bar(row("a", 999, 1000, 0, 0), 10), "full only when full");
        assertEquals("[..........]", TopView.bar(row("a", 0, 64, 0, 0), 10));
        assertEquals("[          ]", TopView.bar(row("a", 0, 0, 0, 0), 10), "unbuffered: no bar");
        assertEquals("[          ]", TopView.bar(row("a", 5, Long.MAX_VALUE, 0, 0), 10), "unbounded: no bar");
        assertEquals("[          ]", TopView.bar(row("a", TopRow.UNKNOWN, 64, 0, 0), 10), "unknown depth: no bar");
    }

    @Test
    void theDepthColumnShowsDepthOverCapacityWithABarOnAWideScreen() throws IOException {
        FakeSource source = new FakeSource(List.of(row("orders", 32, 64, 0, 0), row("log", 3, Long.MAX_VALUE, 0, 0)));
        List<String> frame = TopView.render(source.at(0), null, 140, 24, TopView.Sort.FILL);
        assertTrue(lineOf(frame, "orders").contains("[##########..........] 32/64"), frame.toString());
        assertTrue(lineOf(frame, "log").contains("3/inf"), frame.toString());
    }

    @Test
    void ratesAreCountsBetweenTwoSamplesMatchedByKeyPerSecond() throws IOException {
        TopRow otherPid = new TopRow("orders", "inproc", 200, true, 0, 64, 9_000, 9_000, 0, 0, List.of());
        FakeSource source = new FakeSource(
                List.of(row("orders", 0, 64, 100, 50), row("reopened", 0, 64, 500, 500)),
                List.of(row("orders", 0, 64, 1_100, 550), row("reopened", 0, 64, 10, 10), row("new", 0, 64, 7, 7), otherPid));
        TopView.Sample before = source.at(0);
        TopView.Sample now = source.at(2 * SECOND);
        var rates = TopView.rates(now, before);
        assertEquals(new TopView.Rate(500, 250), rates.get(row("orders", 0, 64, 0, 0).key()));
        assertTrue(Double.isNaN(rates.get(row("reopened", 0, 64, 0, 0).key()).in()), "counts that went backwards have no rate");
        assertTrue(Double.isNaN(rates.get(row("new", 0, 64, 0, 0).key()).in()), "a row not in the previous sample has no rate");
        assertTrue(Double.isNaN(rates.get(otherPid.key()).in()), "the same name in another process is another row");

        List<String> frame = TopView.render(now, before, 140, 24, TopView.Sort.FILL);
        assertTrue(lineOf(frame, "orders").matches(".*\\s500\\s+250\\s.*"), lineOf(frame, "orders"));
        assertTrue(lineOf(frame, "new").matches(".*\\s-\\s+-\\s.*"), lineOf(frame, "new"));
        assertTrue(TopView.rates(now, null).values().stream().allMatch(r -> Double.isNaN(r.in())), "no previous sample, no rates");
    }

    @Test
    void sortByFillPutsTheFullestBufferFirstAndTheMostBlockedNext() throws IOException {
        TopRow blocked = new TopRow("blocked", "inproc", 100, true, 0, 0, 0, 0, 2, 0, List.of());
        FakeSource source = new FakeSource(List.of(row("quarter", 16, 64, 0, 0), blocked, row("full", 8, 8, 0, 0), row("idle", 0, 0, 0, 0)));
        List<String> frame = TopView.render(source.at(0), null, 140, 24, TopView.Sort.FILL);
        assertEquals(List.of("full", "quarter", "blocked", "idle"), table(frame).stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(frame.get(0).endsWith("sorted by fill"), frame.get(0));
    }

    @Test
    void sortByRatePutsTheBusiestFirstAndRowsWithoutARateLast() throws IOException {
        FakeSource source = new FakeSource(
                List.of(row("slow", 0, 64, 0, 0), row("fast", 0, 64, 0, 0), row("full", 64, 64, 0, 0)),
                List.of(row("slow", 0, 64, 10, 10), row("fast", 0, 64, 1000, 1000), row("full", 64, 64, 0, 0), row("new", 0, 64, 5, 5)));
        TopView.Sample before = source.at(0);
        List<String> frame = TopView.render(source.at(SECOND), before, 140, 24, TopView.Sort.RATE);
        assertEquals(List.of("fast", "slow", "full", "new"), table(frame).stream().map(l -> l.split(" ")[0]).toList());
    }

    @Test
    void deadOwnersAndDeadPeersAreMarked() throws IOException {
        TopRow ring = new TopRow("ring", "shm", 4242, false, 0, 1024, 0, 0, 0, 0, List.of(new TopRow.Peer(4243, true), new TopRow.Peer(4244, false)));
        FakeSource source = new FakeSource(List.of(ring, row("fine", 0, 64, 0, 0)));
        List<String> frame = TopView.render(source.at(0), null, 140, 24, TopView.Sort.FILL);
        assertTrue(lineOf(frame, "ring").contains("4242(dead)"), frame.toString());
        assertTrue(lineOf(frame, "ring").endsWith("4243 4244(dead)"), frame.toString());
        assertFalse(lineOf(frame, "fine").contains("dead"), frame.toString());
        assertTrue(frame.get(0).contains("1 with a dead pid"), frame.get(0));
    }

    @Test
    void aNarrowScreenDropsTheBarThenShrinksTheNameAndNoLineIsWiderThanTheScreen() throws IOException {
        String longName = "uds:/run/user/1000/hoare/a-rather-long-socket-name";
        TopRow peers = new TopRow(longName, "uds", 100, true, 3, 64, 0, 0, 1, 0, List.of(new TopRow.Peer(101, true), new TopRow.Peer(102, false)));
        for (int width : List.of(200, 120, 100, 80, 60, 20, 1)) {
            FakeSource source = new FakeSource(List.of(peers, row("orders", 32, 64, 0, 0)));
            List<String> frame = TopView.render(source.at(0), null, width, 24, TopView.Sort.FILL);
            for (String line : frame) {
                assertTrue(line.length() <= width, "wider than " + width + ": " + line);
            }
            String socket = frame.stream().filter(l -> l.contains(" uds ")).findFirst().orElse("");
            if (width == 80) {
                assertFalse(socket.contains("["), "no bar at 80 columns: " + frame);
                assertTrue(socket.startsWith("~") && socket.indexOf(' ') < 20, "a shrunk name keeps its end: " + frame);
                assertTrue(socket.contains("3/64") && socket.contains("1/0"), frame.toString());
                assertTrue(socket.contains(" 101 102(dea"), "the name gave room to the first peers: " + frame);
            }
            if (width == 200) {
                assertTrue(socket.startsWith("~" + longName.substring(longName.length() - 31) + " "), frame.toString());
                assertTrue(socket.contains("[#"), frame.toString());
                assertTrue(socket.endsWith("101 102(dead)"), frame.toString());
            }
        }
    }

    @Test
    void aShortScreenShowsWhatFitsAndSaysHowManyMore() throws IOException {
        FakeSource source = new FakeSource(List.of(row("a", 1, 8, 0, 0), row("b", 2, 8, 0, 0), row("c", 3, 8, 0, 0), row("d", 4, 8, 0, 0)));
        List<String> frame = TopView.render(source.at(0), null, 140, 5, TopView.Sort.FILL);
        assertEquals(5, frame.size(), frame.toString());
        assertEquals(List.of("d", "c"), frame.subList(2, 4).stream().map(l -> l.split(" ")[0]).toList());
        assertTrue(frame.get(4).startsWith("... 2 more"), frame.toString());
    }

    @Test
    void noChannelsSaysSoInAWholeLine() throws IOException {
        List<String> frame = TopView.render(new FakeSource(List.of()).at(0), null, 200, 24, TopView.Sort.FILL);
        assertEquals(List.of("hoare top: 0 channels (0 blocked, 0 with a dead pid), sorted by fill", TopView.NO_CHANNELS), frame);
    }

    @Test
    void numbersAreCompact() {
        assertEquals("-", TopView.compact(Double.NaN));
        assertEquals("0", TopView.compact(0));
        assertEquals("950", TopView.compact(950));
        assertEquals("1.0k", TopView.compact(999.6));
        assertEquals("12.3k", TopView.compact(12_345));
        assertEquals("250k", TopView.compact(250_000));
        assertEquals("4.5M", TopView.compact(4_500_000));
    }

    @Test
    void aJsonLineHoldsEveryFieldWithNullRatesBeforeASecondSample() {
        TopRow r = new TopRow("say \"hi\"\\", "uds", 7, false, 3, 64, 10, 7, 1, 0, List.of(new TopRow.Peer(8, true)));
        Instant t = Instant.parse("2026-01-02T03:04:05Z");
        assertEquals("{\"time\":\"2026-01-02T03:04:05Z\",\"name\":\"say \\\"hi\\\"\\\\\",\"transport\":\"uds\",\"pid\":7,\"alive\":false,"
                + "\"depth\":3,\"capacity\":64,\"sent\":10,\"received\":7,\"blockedSenders\":1,\"blockedReceivers\":0,"
                + "\"inPerSecond\":null,\"outPerSecond\":null,\"peers\":[{\"pid\":8,\"alive\":true}]}", TopJson.line(r, TopView.Rate.UNKNOWN, t));
        assertTrue(TopJson.line(r, new TopView.Rate(12.25, 0), t).contains("\"inPerSecond\":12.3,\"outPerSecond\":0.0,"));
        assertEquals("\"a\\u0001\\n\"", TopJson.string("a\u0001\n"));
    }
}
