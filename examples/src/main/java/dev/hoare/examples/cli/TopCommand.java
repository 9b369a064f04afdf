package dev.hoare.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code hoare top}: every channel of this user on this machine, live, like {@code top}. Three ways
 * to run: the live view on a terminal ({@link TopScreen}); {@code --once}, one frame as plain text
 * from two samples an interval apart; {@code --json}, one JSON object per row per sample
 * ({@link TopJson}), forever, or for one sample with {@code --once}. Off a terminal the live view
 * would have nowhere to draw, so it prints one frame as {@code --once} does.
 */
@Command(name = "top", mixinStandardHelpOptions = true,
        description = {"Shows every channel of this user on this machine, live, like top.",
                "NAME, TRANSPORT, DEPTH (a bar against the capacity, and depth/capacity), IN/s and OUT/s (values sent"
                        + " into it and received from it per second, between two samples), BLK S/R (senders and receivers"
                        + " blocked now), PID (the process whose view this is) and PEERS (the other processes on it);"
                        + " a pid marked (dead) has exited. Keys: f sorts by fill, r by rate, q quits (so does Ctrl-C).",
                "Off a terminal, or with --once, it prints one frame as plain text; --json prints one JSON object per"
                        + " channel per sample (fields: docs/observability.md)."})
final class TopCommand implements Callable<Integer> {
    @Option(names = "--interval", paramLabel = "D", defaultValue = "1s", converter = Durations.class,
            description = "time between samples (default 1s; 100ms to 1h)")
    Duration interval;

    @Option(names = "--sort", paramLabel = "fill|rate", defaultValue = "fill",
            description = "fill: fullest buffer first (the default); rate: busiest first")
    String sortName;

    @Option(names = "--once", description = "print one frame (two samples an interval apart) and exit")
    boolean once;

    @Option(names = "--json", description = "print one JSON object per channel per sample")
    boolean json;

    /** live (the default), demo (made-up rows: {@link TopDemo}) or none (no rows): for tests and the docs' sample. */
    @Option(names = "--source", hidden = true, defaultValue = "live")
    String sourceName;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new ParameterException(spec.commandLine(), "--interval must be 100ms to 1h, was " + interval);
        }
        TopView.Sort sort = switch (sortName.toLowerCase(java.util.Locale.ROOT)) {
            case "fill" -> TopView.Sort.FILL;
            case "rate" -> TopView.Sort.RATE;
            default -> throw new ParameterException(spec.commandLine(), "--sort must be fill or rate, was " + sortName);
        };
        TopSource source = switch (sourceName) {
            case "live" -> TopSources.live();
            case "demo" -> new TopDemo();
            case "none" -> List::of;
            default -> throw new ParameterException(spec.commandLine(), "--source must be live, demo or none, was " + sourceName);
        };
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            json(source, out);
            return 0;
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).dumb(true).build()) {
            boolean onTerminal = !Terminal.TYPE_DUMB.equals(terminal.getType()) && !Terminal.TYPE_DUMB_COLOR.equals(terminal.getType());
            if (onTerminal && !once) {
                new TopScreen(terminal, source, interval, sort).run();
                return 0;
            }
            int width = onTerminal && terminal.getWidth() > 0 ? terminal.getWidth() : Integer.MAX_VALUE;
            TopView.Sample first = sample(source);
            Thread.sleep(interval);
            TopView.Sample second = sample(source);
            TopView.render(second, first, width, Integer.MAX_VALUE, sort).forEach(out::println);
            out.flush();
        }
        return 0;
    }

    /** {@code --json}: every sample's rows, one object a line; with {@code --once} only the second sample's. */
    private void json(TopSource source, PrintWriter out) throws IOException, InterruptedException {
        TopView.Sample previous = null;
        boolean saidEmpty = false;
        for (int n = 0; ; n++) {
            TopView.Sample current = sample(source);
            Instant time = Instant.now();
            if (!once || n == 1) {
                Map<String, TopView.Rate> rates = TopView.rates(current, previous);
                for (TopRow r : current.rows()) {
                    out.println(TopJson.line(r, rates.get(r.key()), time));
                }
                out.flush();
                if (current.rows().isEmpty() && !saidEmpty) {
                    spec.commandLine().getErr().println("hoare top: " + TopView.NO_CHANNELS);
                }
                saidEmpty = current.rows().isEmpty();
                if (once || out.checkError()) {
                    return; // done, or the reader of the output went away
                }
            }
            previous = current;
            Thread.sleep(interval);
        }
    }

    private static TopView.Sample sample(TopSource source) throws IOException {
        return new TopView.Sample(source.sample(), System.nanoTime());
    }
}
