package dev.hoare.examples.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The frame of {@code hoare top} as text: a pure function of two samples, the screen's size and the
 * sort order, so that it is tested without a terminal ({@link TopScreen} draws it, {@code --once}
 * prints it).
 *
 * <p>Invariants of a frame from {@link #render}: no line is longer than {@code width}; there are at
 * most {@code height} lines; line 0 is the summary, line 1 the column header, then one line per row
 * in sort order (and a last line saying how many did not fit, if any were left out). A rate is
 * known only for a row that was in the previous sample too (same {@link TopRow#key()}), with
 * cumulative counts that did not go backwards; otherwise it shows {@code -}.
 *
 * <pre>
 * NAME        TRANSPORT  DEPTH                 IN/s  OUT/s  BLK S/R  PID   PEERS
 * orders      inproc     [#####.....]  32/64  1.2k   1.1k      0/0  4242
 * </pre>
 */
final class TopView {
    /** The order of the rows: fullest buffer first, or busiest channel first. */
    enum Sort {
        /** Depth against capacity, the most blocked next, then by name. */
        FILL,
        /** Values in and out per second, then by name. */
        RATE
    }

    /**
     * One sample of a source.
     *
     * @param rows  what the source returned
     * @param nanos when ({@link System#nanoTime()}): rates divide by the time between two samples
     */
    record Sample(List<TopRow> rows, long nanos) {
        Sample {
            rows = List.copyOf(rows);
        }
    }

    /**
     * Values per second into and out of a channel between two samples; {@link Double#NaN} where not known.
     *
     * @param in  values sent into it per second
     * @param out values received from it per second
     */
    record Rate(double in, double out) {
        static final Rate UNKNOWN = new Rate(Double.NaN, Double.NaN);

        /** in plus out, or -1 if neither is known (so it sorts last) */
        double total() {
            double t = (Double.isNaN(in) ? 0 : in) + (Double.isNaN(out) ? 0 : out);
            return Double.isNaN(in) && Double.isNaN(out) ? -1 : t;
        }
    }

    /** What {@code render} prints when there is nothing to show. */
    static final String NO_CHANNELS = "no channels: no named channel, remote channel or ring of this user is open on this machine";

    private static final String GAP = "  ";
    private static final int NAME_MIN = 8;
    /** Columns of a name that a bar does not take. */
    private static final int NAME_KEPT = 20;
    private static final int NAME_MAX = 32;
    private static final int TRANSPORT = 9;
    private static final int RATE = 6;
    private static final int BLOCKED = 7;
    /** Columns of PEERS kept when the name shrinks to make room (two pids, one dead). */
    private static final int PEERS_KEPT = 16;

    private TopView() {
    }

    /**
     * @param current  the latest sample
     * @param previous the one before it, or {@code null} (no rates yet)
     * @param width    the screen's columns (at least 1)
     * @param height   the screen's rows (at least 1)
     * @param sort     the order of the rows
     * @return the frame's lines (see the invariants above)
     */
    static List<String> render(Sample current, Sample previous, int width, int height, Sort sort) {
        Map<String, Rate> rates = rates(current, previous);
        List<TopRow> rows = sorted(current.rows(), rates, sort);
        List<String> lines = new ArrayList<>();
        lines.add(summary(rows, sort));
        if (rows.isEmpty()) {
            lines.add(NO_CHANNELS);
            return fit(lines, width, height);
        }
        Layout layout = Layout.of(rows, width);
        lines.add(layout.header());
        int room = height - 2;
        int shown = rows.size() <= room ? rows.size() : Math.max(0, room - 1);
        for (int i = 0; i < shown; i++) {
            lines.add(layout.line(rows.get(i), rates.get(rows.get(i).key())));
        }
        if (shown < rows.size()) {
            lines.add("... " + (rows.size() - shown) + " more (a taller window shows them)");
        }
        return fit(lines, width, height);
    }

    /**
     * @return the rate of each row of {@code current} by {@link TopRow#key()}: {@link Rate#UNKNOWN}
     *     without a previous sample of the same key, or where a count is unknown or went backwards
     *     (the channel was opened again)
     */
    static Map<String, Rate> rates(Sample current, Sample previous) {
        Map<String, TopRow> before = new HashMap<>();
        if (previous != null) {
            previous.rows().forEach(r -> before.put(r.key(), r));
        }
        double seconds = previous == null ? 0 : (current.nanos() - previous.nanos()) / 1e9;
        Map<String, Rate> rates = new HashMap<>();
        for (TopRow r : current.rows()) {
            TopRow b = before.get(r.key());
            rates.put(r.key(), b == null || seconds <= 0 ? Rate.UNKNOWN
                    : new Rate(perSecond(r.sent(), b.sent(), seconds), perSecond(r.received(), b.received(), seconds)));
        }
        return rates;
    }

    private static double perSecond(long now, long before, double seconds) {
        return now < 0 || before < 0 || now < before ? Double.NaN : (now - before) / seconds;
    }

    /** @return how full a row's buffer is, 0 to 1 (0 for an unbuffered, unbounded or unknown one) */
    static double fill(TopRow r) {
        if (r.capacity() <= 0 || r.capacity() == Long.MAX_VALUE || r.depth() < 0) {
            return 0;
        }
        return Math.min(1, (double) r.depth() / r.capacity());
    }

    private static List<TopRow> sorted(List<TopRow> rows, Map<String, Rate> rates, Sort sort) {
        Comparator<TopRow> byName = Comparator.comparing(TopRow::name).thenComparing(TopRow::transport)
                .thenComparingLong(TopRow::pid);
        Comparator<TopRow> order = switch (sort) {
            case FILL -> Comparator.comparingDouble(TopView::fill).reversed()
                    .thenComparing(Comparator.comparingLong(TopView::blocked).reversed()).thenComparing(byName);
            case RATE -> Comparator.comparingDouble((TopRow r) -> rates.get(r.key()).total()).reversed().thenComparing(byName);
        };
        return rows.stream().sorted(order).toList();
    }

    private static long blocked(TopRow r) {
        return Math.max(0, r.blockedSenders()) + Math.max(0, r.blockedReceivers());
    }

    private static String summary(List<TopRow> rows, Sort sort) {
        long blocked = rows.stream().filter(r -> blocked(r) > 0).count();
        long dead = rows.stream().filter(r -> !r.alive() || r.peers().stream().anyMatch(p -> !p.alive())).count();
        return "hoare top: " + rows.size() + (rows.size() == 1 ? " channel" : " channels") + " (" + blocked + " blocked, " + dead
                + " with a dead pid), sorted by " + sort.name().toLowerCase(java.util.Locale.ROOT);
    }

    private static List<String> fit(List<String> lines, int width, int height) {
        return lines.stream().limit(Math.max(0, height)).map(l -> clip(l, width)).toList();
    }

    /** @return {@code s} cut to {@code width} characters, its end marked with {@code ~} if cut */
    static String clip(String s, int width) {
        if (s.length() <= width) {
            return s;
        }
        return width <= 1 ? s.substring(0, Math.max(0, width)) : s.substring(0, width - 1) + "~";
    }

    /** @return {@code n} in at most 6 characters: {@code 950}, {@code 12.3k}, {@code 4.5M}; {@code -} if NaN */
    static String compact(double n) {
        if (Double.isNaN(n)) {
            return "-";
        }
        if (n < 999.5) {
            return String.format(java.util.Locale.ROOT, "%.0f", n);
        }
        String[] units = {"k", "M", "G", "T"};
        double v = n;
        int u = -1;
        while (v >= 999.5 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return String.format(java.util.Locale.ROOT, v < 99.95 ? "%.1f%s" : "%.0f%s", v, units[u]);
    }

    private static String count(long n) {
        return n < 0 ? "?" : n < 100_000 ? Long.toString(n) : compact(n);
    }

    /**
     * @return the depth bar, {@code [####......]}, {@code bar} cells inside the brackets: the filled
     *     share rounded, but at least one cell for a depth above 0 and all cells only when full
     */
    static String bar(TopRow r, int bar) {
        if (r.capacity() <= 0 || r.capacity() == Long.MAX_VALUE || r.depth() < 0) {
            return "[" + " ".repeat(bar) + "]";
        }
        int filled = (int) Math.round(fill(r) * bar);
        if (r.depth() > 0) {
            filled = Math.max(1, filled);
        }
        if (r.depth() < r.capacity()) {
            filled = Math.min(bar - 1, filled);
        }
        return "[" + "#".repeat(filled) + ".".repeat(bar - filled) + "]";
    }

    private static String depthText(TopRow r) {
        String cap = r.capacity() == TopRow.UNKNOWN ? "?" : r.capacity() == Long.MAX_VALUE ? "inf" : count(r.capacity());
        return count(r.depth()) + "/" + cap;
    }

    private static String pidText(long pid, boolean alive) {
        return pid < 0 ? "-" : alive ? Long.toString(pid) : pid + "(dead)";
    }

    private static String peers(TopRow r) {
        return String.join(" ", r.peers().stream().map(p -> pidText(p.pid(), p.alive())).toList());
    }

    /**
     * The columns' widths for one frame: the bar narrows or goes before the name has fewer than
     * {@link #NAME_KEPT} columns; the name shrinks
     * (down to {@link #NAME_MIN}) to keep the first {@link #PEERS_KEPT} columns of PEERS; then lines are clipped.
     */
    private record Layout(int name, int bar, int depth, int pid) {
        static Layout of(List<TopRow> rows, int width) {
            int depth = Math.max(5, rows.stream().mapToInt(r -> depthText(r).length()).max().orElse(0));
            int pid = Math.max(3, rows.stream().mapToInt(r -> pidText(r.pid(), r.alive()).length()).max().orElse(0));
            int name = Math.min(NAME_MAX, Math.max(4, rows.stream().mapToInt(r -> r.name().length()).max().orElse(0)));
            int peers = Math.min(PEERS_KEPT, rows.stream().mapToInt(r -> peers(r).length()).max().orElse(0));
            int columns = TRANSPORT + depth + 2 * RATE + BLOCKED + pid + 6 * GAP.length() + (peers > 0 ? GAP.length() + peers : 0);
            int bar = 0; // the widest bar that leaves the name NAME_KEPT columns (or all it needs)
            for (int b : new int[] {20, 10}) {
                if (width - columns - (b + 3) >= Math.min(name, NAME_KEPT)) {
                    bar = b;
                    break;
                }
            }
            int rest = columns + (bar > 0 ? bar + 3 : 0);
            if (name + rest > width) {
                name = Math.max(NAME_MIN, Math.min(name, width - rest));
            }
            return new Layout(name, bar, depth, pid);
        }

        String header() {
            String depthTitle = bar > 0 ? pad("DEPTH", bar + 3 + depth) : pad("DEPTH", depth);
            return (pad("NAME", name) + GAP + pad("TRANSPORT", TRANSPORT) + GAP + depthTitle + GAP + right("IN/s", RATE) + GAP
                    + right("OUT/s", RATE) + GAP + right("BLK S/R", BLOCKED) + GAP + pad("PID", pid) + GAP + "PEERS").stripTrailing();
        }

        String line(TopRow r, Rate rate) {
            String d = (bar > 0 ? TopView.bar(r, bar) + " " : "") + right(depthText(r), depth);
            String blockedSr = count(r.blockedSenders()) + "/" + count(r.blockedReceivers());
            return (pad(name(r.name()), name) + GAP + pad(clip(r.transport(), TRANSPORT), TRANSPORT) + GAP + d + GAP
                    + right(compact(rate.in()), RATE) + GAP + right(compact(rate.out()), RATE) + GAP + right(blockedSr, BLOCKED) + GAP
                    + pad(pidText(r.pid(), r.alive()), pid) + GAP + peers(r)).stripTrailing();
        }

        /** A long name keeps its end (where paths differ), marked with {@code ~} at the start. */
        private String name(String n) {
            return n.length() <= name ? n : "~" + n.substring(n.length() - (name - 1));
        }
    }

    private static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    private static String right(String s, int width) {
        return s.length() >= width ? s : " ".repeat(width - s.length()) + s;
    }
}
