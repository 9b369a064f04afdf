package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The progress line and the summary's charts of {@code hoare bench}, as pure functions of the figures. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class BenchChartTest {
    @Test
    void theProgressLineShowsThePhaseABarOfTheWholeRunAndTheTimeLeft() {
        assertEquals("  streaming   [#######.............]  35%  2.6 s left  1,234 msgs/s",
                BenchChart.progress("streaming", 0.35, 2.6, "1,234 msgs/s", 79));
        assertEquals("  round trips [####################] 100%  0.0 s left  9", BenchChart.progress("round trips", 1.2, -1, "9", 79),
                "clamped: never past the end, never negative time");
        assertEquals("  streaming   [....................]   0%  4.0 s left  a long detail".substring(0, 40),
                BenchChart.progress("streaming", 0, 4, "a long detail", 40), "cut to the width, so \\r takes it back");
    }

    @Test
    void throughputIsABarPerSliceAgainstTheFastest() {
        List<String> lines = BenchChart.throughput(new double[] {1_000_000, 500_000, 0}, 0.25);
        assertEquals(List.of(
                "    0.00-0.25 s |" + "#".repeat(30) + "| 1.0M msgs/s",
                "    0.25-0.50 s |" + "#".repeat(15) + " ".repeat(15) + "| 500k msgs/s",
                "    0.50-0.75 s |" + " ".repeat(30) + "| 0 msgs/s"), lines);
    }

    @Test
    void percentilesAreBarsAgainstP999AndTheMaxAboveItOverflows() {
        List<String> lines = BenchChart.percentiles(List.of("p50", "p99", "p99.9", "max"), new long[] {10_000, 30_000, 60_000, 2_000_000});
        assertEquals("    p50    |#####                         |      10.0 µs", lines.get(0));
        assertEquals("    p99    |###############               |      30.0 µs", lines.get(1));
        assertEquals("    p99.9  |" + "#".repeat(30) + "|      60.0 µs", lines.get(2));
        assertEquals("    max    |" + "#".repeat(29) + ">|   2,000.0 µs", lines.get(3));
        assertTrue(lines.stream().allMatch(l -> l.length() == lines.get(0).length()), "aligned: " + lines);
    }

    @Test
    void aBarShowsAnyValueAboveZeroAndNothingForZero() {
        assertEquals("#" + " ".repeat(29), BenchChart.bar(1, 1000));
        assertEquals(" ".repeat(30), BenchChart.bar(0, 1000));
        assertEquals(" ".repeat(30), BenchChart.bar(5, 0));
    }
}
