package dev.hoare.benchmarks.report;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/**
 * Renders the charts of docs/benchmarks.md from JMH JSON results: in-process channels against
 * jox and the JDK's queues, the process transports' throughput against raw pipes, sockets and
 * Agrona's ring, and round trips against raw sockets, a bare futex ping-pong and Aeron IPC. Each
 * chart names the machine, the JDK and the date of the results.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.hoare.benchmarks.report.Charts OUT_DIR RESULT.json [MORE.json...]</pre>
 */
public final class Charts {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;

    /** One measurement: benchmark (short name), its parameters and score. */
    record Result(String benchmark, Map<String, String> params, double score, String unit) {
        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    private final List<Result> results = new ArrayList<>();
    private String jdk = "?";
    private String date = "?";

    private Charts() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: Charts OUT_DIR RESULT.json [MORE.json...]");
            System.exit(2);
        }
        Charts charts = new Charts();
        for (int i = 1; i < args.length; i++) {
            charts.load(Path.of(args[i]));
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        for (Path written : charts.render(out)) {
            System.out.println("wrote " + written);
        }
    }

    private void load(Path json) throws IOException {
        JsonArray runs = JsonParser.parseString(Files.readString(json)).getAsJsonArray();
        date = LocalDate.ofInstant(Files.getLastModifiedTime(json).toInstant(), ZoneOffset.UTC).toString();
        for (JsonElement e : runs) {
            JsonObject r = e.getAsJsonObject();
            String[] parts = r.get("benchmark").getAsString().split("\\.");
            String name = parts[parts.length - 3].endsWith("Bench") ? parts[parts.length - 3] + "." + parts[parts.length - 2]
                    + "." + parts[parts.length - 1] : parts[parts.length - 2] + "." + parts[parts.length - 1];
            Map<String, String> params = new LinkedHashMap<>();
            if (r.has("params")) {
                r.getAsJsonObject("params").entrySet().forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
            }
            JsonObject m = r.getAsJsonObject("primaryMetric");
            results.add(new Result(name, params, m.get("score").getAsDouble(), m.get("scoreUnit").getAsString()));
            jdk = r.get("vmName").getAsString().replace("OpenJDK 64-Bit Server VM", "JDK") + " " + r.get("jdkVersion").getAsString();
        }
    }

    /** @return the first score of {@code benchmark} whose parameters include all of {@code match}, or NaN */
    private double score(String benchmark, String... match) {
        outer:
        for (Result r : results) {
            if (!r.benchmark().equals(benchmark)) {
                continue;
            }
            for (int i = 0; i < match.length; i += 2) {
                if (!r.param(match[i]).equals(match[i + 1])) {
                    continue outer;
                }
            }
            return r.score();
        }
        return Double.NaN;
    }

    private String machine() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name") + " "
                + System.getProperty("os.arch") + ", " + jdk + ", " + date;
    }

    /** Writes each chart that has results; a chart none of whose benchmarks ran is left out. */
    private List<Path> render(Path out) throws IOException {
        List<Path> written = new ArrayList<>();
        save(channels(), out.resolve("channels.png"), written);
        save(throughput(), out.resolve("transports-throughput.png"), written);
        save(roundTrips(), out.resolve("round-trips.png"), written);
        return written;
    }

    private static void save(CategoryChart chart, Path file, List<Path> written) throws IOException {
        if (chart.getSeriesMap().isEmpty()) {
            System.out.println("no results for " + file.getFileName() + ": not drawn");
            return;
        }
        written.add(file);
        String name = file.getFileName().toString();
        BitmapEncoder.saveBitmap(chart, file.resolveSibling(name.substring(0, name.length() - 4)).toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private CategoryChart chart(String title, String yAxis, boolean log) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(title + " — " + machine()).yAxisTitle(yAxis).build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setYAxisLogarithmic(log);
        chart.getStyler().setXAxisLabelRotation(20);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.###");
        return chart;
    }

    /** In-process channels, platform threads: messages per µs (1000 / ns per message), per implementation. */
    private CategoryChart channels() {
        String[][] scenarios = {{"Unbuffered.ping", "", "unbuffered, 1P1C"}, {"Buffered.oneToOne", "16", "buffered(16), 1P1C"},
                {"Buffered.oneToOne", "1024", "buffered(1024), 1P1C"}, {"Buffered.fourToOne", "16", "buffered(16), 4P1C"},
                {"Buffered.fourToOne", "1024", "buffered(1024), 4P1C"}};
        String[][] impls = {{"hoare", "Hoare"}, {"jox", "jox 1.0.1"}, {"abq", "ArrayBlockingQueue"}, {"ltq", "LinkedTransferQueue"},
                {"sq", "SynchronousQueue"}};
        CategoryChart chart = chart("In-process channels, platform threads", "messages per µs (higher is better; 0: not applicable)", false);
        List<String> labels = new ArrayList<>();
        for (String[] sc : scenarios) {
            labels.add(sc[2]);
        }
        for (String[] impl : impls) {
            List<Double> values = new ArrayList<>();
            for (String[] sc : scenarios) {
                double ns = sc[1].isEmpty() ? score(sc[0], "threads", "platform", "impl", impl[0])
                        : score(sc[0], "capacity", sc[1], "threads", "platform", "impl", impl[0]);
                values.add(Double.isNaN(ns) ? 0.0 : 1000.0 / ns);
            }
            chart.addSeries(impl[1], labels, values);
        }
        return chart;
    }

    /** One bar per measurement: label and value (NaN ones left out). */
    private static CategoryChart bars(CategoryChart chart, Map<String, Double> bars, String series) {
        List<String> labels = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        bars.forEach((label, value) -> {
            if (!Double.isNaN(value) && value > 0) {
                labels.add(label);
                values.add(value);
            }
        });
        if (!labels.isEmpty()) {
            chart.addSeries(series, labels, values);
            if (chart.getStyler().isYAxisLogarithmic()) { // bars start at 0 unless told: no 0 on a log axis
                double min = values.stream().mapToDouble(Double::doubleValue).min().orElse(1);
                double max = values.stream().mapToDouble(Double::doubleValue).max().orElse(1);
                chart.getStyler().setYAxisMin(Math.pow(10, Math.floor(Math.log10(min))));
                chart.getStyler().setYAxisMax(Math.pow(10, Math.ceil(Math.log10(max))));
            }
        }
        chart.getStyler().setLegendVisible(false);
        return chart;
    }

    /** Streaming between two JVMs, 64-byte messages: Hoare's transports and the raw OS or ring beside each. */
    private CategoryChart throughput() {
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("fifo: channel", score("FifoBench.receive", "impl", "hoare", "size", "64") / 1e6);
        bars.put("raw pipe, PIPE_BUF writes", score("FifoBench.receive", "impl", "raw-pipebuf", "size", "64") / 1e6);
        bars.put("raw pipe", score("FifoBench.receive", "impl", "raw", "size", "64") / 1e6);
        bars.put("uds: channel", score("UdsBench.Stream.receive", "impl", "hoare", "size", "64"));
        bars.put("raw Unix socket", score("UdsBench.Stream.receive", "impl", "raw", "size", "64"));
        bars.put("shm: channel (spin)", score("ShmBench.Stream.receive", "wait", "spin"));
        bars.put("shm: channel (block)", score("ShmBench.Stream.receive", "wait", "block"));
        bars.put("ShmRing alone", score("ShmRingBench.receive", "impl", "hoare"));
        bars.put("Agrona OneToOneRingBuffer", score("ShmRingBench.receive", "impl", "agrona"));
        bars.put("Agrona ManyToOneRingBuffer", score("ShmRingBench.receive", "impl", "agrona-m2o"));
        bars.put("aeron: channel, capacity 1024 (UDP)", score("AeronUdpBench.Streaming.receive", "impl", "aeron-1024"));
        bars.put("aeron: channel, capacity 64 (UDP)", score("AeronUdpBench.Streaming.receive", "impl", "aeron-64"));
        bars.put("raw Aeron UDP", score("AeronUdpBench.Streaming.receive", "impl", "raw-aeron"));
        return bars(chart("Streaming 64-byte messages between two JVMs", "messages per µs (log scale, higher is better)", true),
                bars, "msgs/µs");
    }

    /** Round trip of a 64-byte message between two JVMs. */
    private CategoryChart roundTrips() {
        Map<String, Double> bars = new LinkedHashMap<>();
        bars.put("uds: channel", score("UdsBench.PingPong.roundTrip", "impl", "hoare", "size", "64"));
        bars.put("raw Unix socket", score("UdsBench.PingPong.roundTrip", "impl", "raw", "size", "64"));
        bars.put("shm: channel (block)", score("ShmBench.PingPong.roundTrip", "wait", "block"));
        bars.put("ShmRing alone (block)", score("RingPingPongBench.roundTrip", "impl", "block"));
        bars.put("bare futex ping-pong", score("RingPingPongBench.roundTrip", "impl", "futex"));
        bars.put("shm: channel (spin)", score("ShmBench.PingPong.roundTrip", "wait", "spin"));
        bars.put("shm: channel (spin, beside Aeron)", score("AeronPingPongBench.roundTrip", "impl", "hoare-channel"));
        bars.put("ShmRing alone (spin)", score("RingPingPongBench.roundTrip", "impl", "spin"));
        bars.put("Aeron IPC (spin)", score("AeronPingPongBench.roundTrip", "impl", "aeron"));
        bars.put("aeron: channel (UDP, backoff)", score("AeronUdpBench.RoundTrip.roundTrip", "impl", "aeron-64"));
        bars.put("raw Aeron UDP (backoff)", score("AeronUdpBench.RoundTrip.roundTrip", "impl", "raw-aeron"));
        return bars(chart("Round trip of a 64-byte message between two JVMs", "µs (log scale, lower is better)", true), bars, "µs");
    }
}
