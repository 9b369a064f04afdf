package dev.hoare.examples.cli;

import dev.hoare.channels.spi.Endpoint;
import java.time.Duration;
import picocli.CommandLine;

/** Durations as in URI options: {@code 500ms}, {@code 5s}, {@code 2m}, {@code 1h}, or ISO-8601 ({@code PT1M}). */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        try {
            return Endpoint.parseDuration(value);
        } catch (RuntimeException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (such as 500ms, 5s, 2m or PT1M)");
        }
    }
}
