package dev.hoare.examples.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The text of {@code hoare bench}'s progress line and of the charts in its summary: pure functions
 * of the figures, so they are tested without a terminal or a child process. Bars are {@code #} in
 * a fixed width; a value above the chart's scale ends its bar with {@code >}.
 */
final class BenchChart {
    /** Columns of a bar in the summary's charts. */
    static final int BAR = 30;

    private BenchChart() {
    }

    /**
     * The progress line: {@code "  streaming    [#######.............]  35%  2.6 s left  1,234 msgs/s"}.
     *
     * @param phase       what runs now
     * @param fraction    how much of the whole run is done, 0 to 1 (clamped)
     * @param secondsLeft the time left in the whole run (negative counts as 0)
     * @param detail      a figure of the phase so far
     * @param width       the longest line (the line is cut to it)
     * @return the line, without a line break
     */
    static String progress(String phase, double fraction, double secondsLeft, String detail, int width) {
        double f = Math.max(0, Math.min(1, fraction));
        int bar = 20;
        int filled = (int) Math.floor(f * bar);
        String line = String.format(Locale.ROOT, "  %-11s [%s%s] %3d%%  %.1f s left  %s", phase, "#".repeat(filled), ".".repeat(bar - filled),
                (int) Math.floor(f * 100), Math.max(0, secondsLeft), detail);
        return line.length() <= width ? line : line.substring(0, width);
    }

    /**
     * Throughput over the streaming phase, a bar per slice of time against the fastest slice:
     * {@code "    0.0-0.5 s |##########################    | 1.23M msgs/s"}.
     *
     * @param perSecond    messages per second in each slice, in order
     * @param sliceSeconds the length of a slice
     * @return a line per slice
     */
    static List<String> throughput(double[] perSecond, double sliceSeconds) {
        double max = 0;
        for (double r : perSecond) {
            max = Math.max(max, r);
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < perSecond.length; i++) {
            String when = String.format(Locale.ROOT, "%.2f-%.2f s", i * sliceSeconds, (i + 1) * sliceSeconds);
            lines.add(String.format(Locale.ROOT, "    %-11s |%s| %s msgs/s", when, bar(perSecond[i], max), TopView.compact(perSecond[i])));
        }
        return lines;
    }

    /**
     * Round-trip percentiles as bars against p99.9 (the tail that matters; the max, often one
     * outlier, overflows with {@code >}): {@code "    p50    |####                          |    12.3 µs"}.
     *
     * @param labels the percentiles' names, such as {@code p50}
     * @param nanos  their values, in the same order; the scale is the value labelled {@code p99.9}
     *               if there is one, else the largest
     * @return a line per percentile
     */
    static List<String> percentiles(List<String> labels, long[] nanos) {
        int scaleAt = labels.indexOf("p99.9");
        double scale = 0;
        if (scaleAt >= 0) {
            scale = nanos[scaleAt];
        } else {
            for (long n : nanos) {
                scale = Math.max(scale, n);
            }
        }
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < labels.size(); i++) {
            lines.add(String.format(Locale.ROOT, "    %-6s |%s| %,9.1f µs", labels.get(i), bar(nanos[i], scale), nanos[i] / 1e3));
        }
        return lines;
    }

    /** @return {@link #BAR} cells: {@code value/scale} of them {@code #}, the rest blank; {@code >} last if above the scale */
    static String bar(double value, double scale) {
        if (scale <= 0 || value <= 0) {
            return " ".repeat(BAR);
        }
        if (value > scale) {
            return "#".repeat(BAR - 1) + ">";
        }
        int filled = Math.max(1, (int) Math.round(value / scale * BAR));
        return "#".repeat(filled) + " ".repeat(BAR - filled);
    }
}
