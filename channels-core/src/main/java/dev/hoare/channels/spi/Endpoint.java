package dev.hoare.channels.spi;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A parsed endpoint URI: {@code scheme:address?name=value&...}. Works for opaque URIs
 * ({@code inproc:orders?capacity=4}) and hierarchical ones ({@code uds:/run/app/orders.sock}).
 *
 * @param uri the URI as given
 * @param scheme its scheme, lower case
 * @param address what follows the scheme, without the query, decoded as a URI path ({@link URI#getPath}):
 *     {@code %XX} escapes are decoded and {@code +} is a plus ({@code uds:/tmp/a+b.sock} is {@code /tmp/a+b.sock})
 * @param options the query's options, in order, form-decoded ({@code %XX}, and {@code +} for a space)
 */
public record Endpoint(URI uri, String scheme, String address, Map<String, String> options) {

    /**
     * Parses {@code uri}.
     *
     * @param uri the endpoint URI
     * @return the parsed endpoint
     * @throws IllegalArgumentException without a scheme or address, or with a malformed or repeated option
     */
    public static Endpoint parse(URI uri) {
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("endpoint URI needs a scheme, such as inproc:NAME: " + uri);
        }
        String ssp = uri.getRawSchemeSpecificPart();
        int q = ssp.indexOf('?');
        String address = decodePath(q < 0 ? ssp : ssp.substring(0, q));
        if (address.isEmpty()) {
            throw new IllegalArgumentException("endpoint URI has no address: " + uri);
        }
        Map<String, String> options = new LinkedHashMap<>();
        if (q >= 0 && q + 1 < ssp.length()) {
            for (String pair : ssp.substring(q + 1).split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("option '" + pair + "' is not name=value in " + uri);
                }
                String name = decode(pair.substring(0, eq));
                if (options.put(name, decode(pair.substring(eq + 1))) != null) {
                    throw new IllegalArgumentException("option '" + name + "' given twice in " + uri);
                }
            }
        }
        return new Endpoint(uri, uri.getScheme().toLowerCase(java.util.Locale.ROOT), address,
                Collections.unmodifiableMap(options));
    }

    /**
     * Refuses options the transport does not know (they are never silently ignored).
     *
     * @param known the option names the transport accepts
     * @return this endpoint
     * @throws IllegalArgumentException naming the unknown options and the accepted ones
     */
    public Endpoint onlyOptions(Set<String> known) {
        Set<String> unknown = new TreeSet<>(options.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown option" + (unknown.size() > 1 ? "s " : " ") + unknown
                    + " for " + scheme + ": endpoints; accepted: " + new TreeSet<>(known));
        }
        return this;
    }

    /**
     * @param name an option
     * @param defaultValue its value when absent
     * @return the option as an int
     * @throws IllegalArgumentException if it is not an integer
     */
    public int intOption(String name, int defaultValue) {
        String v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + "=" + v + " is not an integer in " + uri, e);
        }
    }

    /**
     * @param name an option
     * @param defaultValue its value when absent
     * @return the option as a duration: a number with a unit ({@code 250ms}, {@code 5s},
     *     {@code 2m}, {@code 1h}) or ISO-8601 ({@code PT5S})
     * @throws IllegalArgumentException if it is neither
     */
    public Duration durationOption(String name, Duration defaultValue) {
        String v = options.get(name);
        if (v == null) {
            return defaultValue;
        }
        try {
            return parseDuration(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option " + name + "=" + v
                    + " is not a duration (such as 500ms, 5s, 2m, 1h or PT5S) in " + uri, e);
        }
    }

    /**
     * The one duration syntax of URI options (and of the {@code hoare} command's); {@link #formatDuration}
     * prints one.
     *
     * @param text a number with a unit ({@code 250ms}, {@code 5s}, {@code 2m}, {@code 1h}) or ISO-8601 ({@code PT5S})
     * @return the duration
     * @throws java.time.format.DateTimeParseException if it is neither
     */
    public static Duration parseDuration(String text) {
        java.util.regex.Matcher m = DURATION.matcher(text);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        }
        return Duration.parse(text);
    }

    /**
     * A duration as people read it, the one way Hoare's messages print one: {@code 250 ms},
     * {@code 10 s}, {@code 1.5 s}, {@code 2 min}, {@code 1 h} (never {@code PT10S}). Below a second
     * in milliseconds (a fraction of one shows to the microsecond: {@code 0.25 ms}); from a second
     * in seconds with up to three decimals; whole minutes and hours by their unit.
     *
     * @param d a duration, not null
     * @return it as text
     */
    public static String formatDuration(Duration d) {
        String sign = d.isNegative() ? "-" : "";
        Duration a = d.abs();
        if (a.toSeconds() >= 3600 && a.toSeconds() % 3600 == 0 && a.getNano() == 0) {
            return sign + a.toHours() + " h";
        }
        if (a.toSeconds() >= 60 && a.toSeconds() % 60 == 0 && a.getNano() == 0) {
            return sign + a.toMinutes() + " min";
        }
        if (a.toSeconds() >= 1) {
            return sign + decimal(java.math.BigDecimal.valueOf(a.toMillis(), 3)) + " s";
        }
        return sign + decimal(java.math.BigDecimal.valueOf(a.toNanos() / 1000, 3)) + " ms";
    }

    private static String decimal(java.math.BigDecimal v) {
        return v.signum() == 0 ? "0" : v.stripTrailingZeros().toPlainString();
    }

    private static final java.util.regex.Pattern DURATION = java.util.regex.Pattern.compile("(\\d{1,12})(ms|s|m|h)");

    /** Form decoding, for the query: {@code %XX} and {@code +} for a space. */
    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /**
     * URI-path decoding, for the address: {@code %XX} only; a {@code +} is a plus (form decoding
     * made {@code uds:/tmp/a+b.sock} bind {@code /tmp/a b.sock}). {@link URI#getPath} would do
     * this, but an opaque URI ({@code fifo:name}) has no path.
     */
    private static String decodePath(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
