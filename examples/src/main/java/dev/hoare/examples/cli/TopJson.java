package dev.hoare.examples.cli;

import java.time.Instant;
import java.util.Locale;

/**
 * {@code hoare top --json}: one JSON object per row per sample, on one line (documented in
 * docs/observability.md). The fields are those of {@link TopRow} (same names, same {@code -1} for
 * unknown), plus {@code time} (the sample's wall-clock time, ISO-8601 UTC) and {@code inPerSecond} /
 * {@code outPerSecond} ({@code null} when not known: the row's first sample, or a count that went
 * backwards).
 */
final class TopJson {
    private TopJson() {
    }

    /**
     * @param row  the row
     * @param rate its rate against the previous sample
     * @param time when the sample was taken
     * @return the row as one line of JSON, without a line break
     */
    static String line(TopRow row, TopView.Rate rate, Instant time) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time").append(string(time.toString())).append(',');
        field(b, "name").append(string(row.name())).append(',');
        field(b, "transport").append(string(row.transport())).append(',');
        field(b, "pid").append(row.pid()).append(',');
        field(b, "alive").append(row.alive()).append(',');
        field(b, "depth").append(row.depth()).append(',');
        field(b, "capacity").append(row.capacity()).append(',');
        field(b, "sent").append(row.sent()).append(',');
        field(b, "received").append(row.received()).append(',');
        field(b, "blockedSenders").append(row.blockedSenders()).append(',');
        field(b, "blockedReceivers").append(row.blockedReceivers()).append(',');
        field(b, "inPerSecond").append(number(rate.in())).append(',');
        field(b, "outPerSecond").append(number(rate.out())).append(',');
        field(b, "peers").append('[');
        for (int i = 0; i < row.peers().size(); i++) {
            TopRow.Peer p = row.peers().get(i);
            b.append(i == 0 ? "" : ",").append("{\"pid\":").append(p.pid()).append(",\"alive\":").append(p.alive()).append('}');
        }
        return b.append("]}").toString();
    }

    private static StringBuilder field(StringBuilder b, String name) {
        return b.append('"').append(name).append("\":");
    }

    private static String number(double d) {
        return Double.isNaN(d) || Double.isInfinite(d) ? "null" : String.format(Locale.ROOT, "%.1f", d);
    }

    /** @return {@code s} as a JSON string: quotes, backslashes and control characters escaped */
    static String string(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
