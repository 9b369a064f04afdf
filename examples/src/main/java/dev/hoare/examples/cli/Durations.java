package dev.hoare.examples.cli;

import dev.hoare.channels.spi.Endpoint;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Durations as in URI options: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601
 * ({@code PT1M}); printed as {@link Endpoint#formatDuration} does ({@code 10 s}, {@code 250 ms}).
 */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Endpoint.parseDuration(value);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (such as 500ms, 5s, 2m or PT1M)");
        }
    }

    /**
     * The URI a command opens: with the command's {@code --timeout} as the opening's timeout,
     * unless the URI sets its own {@code timeout=} (the URI's word wins: it is the more specific).
     *
     * @param uri the URI given
     * @param timeout the command's {@code --timeout}, or {@code null} (then the URI as it is)
     * @return the URI to open
     * @throws IllegalArgumentException if the URI is malformed (no scheme, a bad option)
     */
    static URI openingTimeout(URI uri, Duration timeout) {
        if (timeout == null || Endpoint.parse(uri).options().containsKey("timeout")) {
            return uri;
        }
        String s = uri.toString();
        int fragment = s.indexOf('#');
        String head = fragment < 0 ? s : s.substring(0, fragment);
        String tail = fragment < 0 ? "" : s.substring(fragment);
        String sep = head.indexOf('?') < 0 ? "?" : head.endsWith("?") || head.endsWith("&") ? "" : "&";
        return URI.create(head + sep + "timeout=" + timeout + tail); // Duration's ISO-8601 form, which options take
    }
}
