package dev.hoare.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code hoare top} from the shaded jar, as a user runs it: in a pseudo-terminal made by util-linux
 * {@code script} (raw mode, a frame, the keys, the terminal given back), and with {@code --once} and
 * {@code --json} through pipes. The rows are the hidden {@code --source=demo}'s made-up channels
 * ({@link TopDemo}), so what is drawn is known.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HoareTopIT {
    private static final Path JAR = Path.of("target", "hoare.jar").toAbsolutePath();
    private static final Path SCRIPT = Path.of("/usr/bin/script");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    static boolean haveScript() {
        return Files.isExecutable(SCRIPT);
    }

    /** The output of a process as it comes, to poll for a string until a deadline. */
    private static final class Output {
        private final StringBuffer text = new StringBuffer();
        private final Thread reader;

        Output(InputStream in) {
            reader = Thread.ofPlatform().daemon().start(() -> {
                byte[] buffer = new byte[8192];
                try {
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        text.append(new String(buffer, 0, n, StandardCharsets.UTF_8)); // ASCII but for µ, which top does not print
                    }
                } catch (IOException e) {
                    text.append("\n(read failed: ").append(e).append(')');
                }
            });
        }

        /** Waits until the output holds {@code s}; fails at the deadline with what came. */
        void await(String s, Process p) throws InterruptedException {
            await(Pattern.compile(Pattern.quote(s)), p);
        }

        /** Waits until the output holds a match of {@code pattern}; fails at the deadline with what came. */
        void await(Pattern pattern, Process p) throws InterruptedException {
            long end = System.nanoTime() + DEADLINE.toNanos();
            while (!pattern.matcher(text).find()) {
                if (System.nanoTime() - end > 0 || !reader.isAlive() && !pattern.matcher(text).find()) {
                    fail("no " + pattern + " in the output within " + DEADLINE + " (alive: " + p.isAlive() + "):\n" + printable());
                }
                Thread.sleep(20);
            }
        }

        String all() throws InterruptedException {
            reader.join(DEADLINE.toMillis());
            return text.toString();
        }

        String printable() {
            return text.toString().replace("\u001b", "^[");
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /**
     * Runs {@code hoare top --source=demo} in a pseudo-terminal of 140x20 under bash, which then
     * prints hoare's exit code and the terminal's settings; sends {@code key} once the first frame is
     * drawn.
     */
    private static String topInAPseudoTerminal(String key) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by 'package', before these tests run");
        String inner = "stty cols 140 rows 20; " + java() + " -jar " + JAR + " top --source=demo --interval 200ms; echo hoare-exit=$?; stty -a";
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "-qfc", inner, "/dev/null").redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("SHELL", "/bin/bash"); // script runs $SHELL -c: bash goes on after a child that handled SIGINT
        env.put("TERM", "xterm-256color");
        Process p = pb.start();
        Output out = new Output(p.getInputStream());
        try (OutputStream keys = p.getOutputStream()) {
            out.await("hoare top: 5 channels", p); // drawn: raw mode is on
            out.await(Pattern.compile("\\d\\.\\dk|\\d\\d\\dk"), p); // a second sample: rates drawn (1.2k, 250k)
            keys.write(key.getBytes(StandardCharsets.US_ASCII));
            keys.flush();
            out.await("hoare-exit=", p);
            if (!p.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                fail("script did not end within " + DEADLINE + ":\n" + out.printable());
            }
        } finally {
            p.destroyForcibly();
        }
        return out.all();
    }

    @ParameterizedTest
    @ValueSource(strings = {"q", "\u0003"})
    @EnabledIf("haveScript")
    void topDrawsInAPseudoTerminalAndQuitsOnQOrCtrlCGivingTheTerminalBack(String key) throws Exception {
        String out = topInAPseudoTerminal(key);
        String shown = out.replace("\u001b", "^[");
        assertTrue(out.contains("\u001b[?1049h"), "switched to the alternate screen: " + shown);
        for (String expected : List.of("TRANSPORT", "DEPTH", "BLK S/R", "orders", "[####################]", "(dead)", "f fill  r rate  q quit")) {
            assertTrue(out.contains(expected), "the frame has no \"" + expected + "\": " + shown);
        }
        Matcher exit = Pattern.compile("hoare-exit=(\\d+)").matcher(out);
        assertTrue(exit.find(), shown);
        assertEquals("0", exit.group(1), shown);
        String after = out.substring(exit.end());
        assertTrue(out.lastIndexOf("\u001b[?1049l") < exit.start() && out.lastIndexOf("\u001b[?1049l") > 0,
                "back to the main screen before exiting: " + shown);
        assertTrue(Pattern.compile("\u001b\\[\\?(12;)?25h").matcher(out).find(out.lastIndexOf("\u001b[?25l")),
                "the cursor shown again (cnorm): " + shown);
        assertTrue(Pattern.compile("(^|\\s)icanon(\\s|$)").matcher(after).find(), "line editing back on: " + after);
        assertTrue(Pattern.compile("(^|\\s)echo(\\s|$)").matcher(after).find(), "echo back on: " + after);
        assertFalse(after.contains("-icanon"), after);
    }

    @Test
    void onceDrawsOneFrameAsPlainTextWithRatesFromTwoSamples() throws Exception {
        HoareCliIT.Run r = HoareCliIT.start(null, "top", "--once", "--source=demo", "--interval", "300ms").await(DEADLINE);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("hoare top: 5 channels (2 blocked, 2 with a dead pid), sorted by fill", lines.get(0), r.out());
        assertTrue(lines.get(1).startsWith("NAME "), r.out());
        assertEquals(7, lines.size(), r.out());
        assertTrue(lines.get(2).startsWith("jobs "), "the full buffer first: " + r.out());
        assertTrue(r.out().lines().filter(l -> l.startsWith("shm:")).anyMatch(l -> l.matches(".*\\s2\\d\\dk\\s+2\\d\\dk\\s.*")),
                "about 250k values a second in and out: " + r.out());
        assertFalse(r.out().contains("\u001b"), "no escape codes in plain text: " + r.out());
    }

    @Test
    void onceSaysSoWhenThereAreNoChannels() throws Exception {
        HoareCliIT.Run r = HoareCliIT.start(null, "top", "--once", "--source=none", "--interval", "100ms").await(DEADLINE);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains(TopView.NO_CHANNELS), r.out());
        HoareCliIT.Run json = HoareCliIT.start(null, "top", "--once", "--json", "--source=none", "--interval", "100ms").await(DEADLINE);
        assertEquals(0, json.exit(), json.err());
        assertEquals("", json.out(), "no rows, no lines for a script to parse");
        assertTrue(json.err().contains(TopView.NO_CHANNELS), json.err());
    }

    @Test
    void jsonOncePrintsOneObjectPerChannelWithRates() throws Exception {
        HoareCliIT.Run r = HoareCliIT.start(null, "top", "--once", "--json", "--source=demo", "--interval", "300ms").await(DEADLINE);
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals(5, lines.size(), r.out());
        for (String l : lines) {
            assertTrue(l.startsWith("{\"time\":\"") && l.endsWith("]}"), l);
            assertFalse(l.contains("\"inPerSecond\":null"), "the second sample has rates: " + l);
        }
        String orders = lines.stream().filter(l -> l.contains("\"name\":\"orders\"")).findFirst().orElseThrow();
        Matcher in = Pattern.compile("\"inPerSecond\":([0-9.]+)").matcher(orders);
        assertTrue(in.find(), orders);
        double rate = Double.parseDouble(in.group(1));
        assertTrue(rate > 600 && rate < 2400, "about 1200 a second: " + orders);
        assertTrue(r.out().contains("\"peers\":[{\"pid\":"), r.out());
    }

    /** The JSON line of the row named {@code name} of process {@code pid}, or {@code null}. */
    private static String row(List<String> lines, String name, long pid) {
        String n = "\"name\":" + TopJson.string(name) + ",";
        String p = "\"pid\":" + pid + ",";
        return lines.stream().filter(l -> l.contains(n) && l.contains(p)).findFirst().orElse(null);
    }

    private static long number(String line, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(-?[0-9]+)").matcher(line);
        assertTrue(m.find(), field + " in " + line);
        return Long.parseLong(m.group(1));
    }

    @Test
    void jsonOnceShowsALiveRingAServerWithTwoClientsAndABlockedChannelOfAnotherProcess() throws Exception {
        try (TopSourcesLiveTest.Child child = TopSourcesLiveTest.Child.start()) {
            child.connectTwoClients();
            // wait until the rows are as wanted (the child publishes every 200 ms), then ask the command
            TopSourcesLiveTest.awaitRow("uds", child.address, child.pid, r -> r.sent() == 4 && r.peers().size() == 2);
            TopSourcesLiveTest.awaitRow("inproc", child.nonce, child.pid, r -> r.blockedSenders() == 1);
            TopSourcesLiveTest.awaitRow("inproc", child.nonce + "-rv", child.pid, r -> r.blockedReceivers() == 2);
            HoareCliIT.Run r = HoareCliIT.start(null, "top", "--once", "--json", "--interval", "200ms").await(DEADLINE);
            assertEquals(0, r.exit(), r.err());
            List<String> lines = r.out().lines().toList();

            String full = row(lines, child.nonce, child.pid);
            assertTrue(full != null && full.contains("\"transport\":\"inproc\""), r.out());
            assertEquals(4, number(full, "depth"), full);
            assertEquals(4, number(full, "capacity"), full);
            assertEquals(1, number(full, "blockedSenders"), full);
            assertEquals(0, number(full, "blockedReceivers"), full);
            assertTrue(full.contains("\"alive\":true"), full);
            String rv = row(lines, child.nonce + "-rv", child.pid);
            assertTrue(rv != null, r.out());
            assertEquals(0, number(rv, "capacity"), rv);
            assertEquals(2, number(rv, "blockedReceivers"), rv);

            String ring = row(lines, child.ringPath.getFileName().toString(), child.pid);
            assertTrue(ring != null && ring.contains("\"transport\":\"shm\""), r.out());
            assertEquals(child.ringDepth(), number(ring, "depth"), ring);
            assertEquals(4096, number(ring, "capacity"), ring);

            String server = row(lines, child.address, child.pid);
            assertTrue(server != null && server.contains("\"transport\":\"uds\""), r.out());
            assertEquals(4, number(server, "depth"), server);
            assertEquals(4, number(server, "sent"), server);
            long me = ProcessHandle.current().pid();
            assertTrue(server.contains("\"peers\":[{\"pid\":" + me + ",\"alive\":true},{\"pid\":" + me + ",\"alive\":true}]"),
                    "two live clients, both this process: " + server);
        }
    }

    @Test
    void jsonWithoutOnceStreamsEverySampleAndRatesFromTheSecond() throws Exception {
        Process p = new ProcessBuilder(java(), "-jar", JAR.toString(), "top", "--json", "--source=demo", "--interval", "100ms")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        Output out = new Output(p.getInputStream());
        try {
            out.await(Pattern.compile("\\A(?:[^\\n]*\\n){10}"), p); // two samples of five rows
        } finally {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        List<String> lines = out.all().lines().limit(10).toList();
        assertTrue(lines.subList(0, 5).stream().allMatch(l -> l.contains("\"inPerSecond\":null")), "no rates in the first: " + lines);
        assertTrue(lines.subList(5, 10).stream().noneMatch(l -> l.contains("\"inPerSecond\":null")), "rates in the second: " + lines);
        assertEquals(1, lines.subList(0, 5).stream().map(l -> l.substring(0, l.indexOf("\"name\""))).distinct().count(),
                "a sample's rows share its time: " + lines);
    }

    @Test
    @EnabledIf("haveScript")
    void benchOnATerminalShowsAProgressBarWithTheTimeLeftAndChartsItsSummary() throws Exception {
        String inner = "stty cols 80 rows 20; " + java() + " -jar " + JAR + " bench uds --seconds 1.5; echo hoare-exit=$?";
        ProcessBuilder pb = new ProcessBuilder(SCRIPT.toString(), "-qfc", inner, "/dev/null").redirectErrorStream(true);
        pb.environment().put("SHELL", "/bin/bash");
        Process p = pb.start();
        Output out = new Output(p.getInputStream());
        try {
            out.await("hoare-exit=", p);
            assertTrue(p.waitFor(DEADLINE.toMillis(), TimeUnit.MILLISECONDS), "script did not end: " + out.printable());
        } finally {
            p.destroyForcibly();
        }
        String text = out.all();
        assertTrue(text.contains("hoare-exit=0"), text);
        assertTrue(Pattern.compile("streaming +\\[#*\\.*\\] +\\d+%  \\d+\\.\\d s left").matcher(text).find(), "a progress bar: " + text);
        assertTrue(text.contains("  round trips ["), "the second phase's bar: " + text);
        assertTrue(Pattern.compile("\\d\\.\\d\\d-\\d\\.\\d\\d s \\|#* *\\| ").matcher(text).find(), "the throughput chart: " + text);
        assertTrue(Pattern.compile("p99\\.9  \\|#{30}\\|").matcher(text).find(), "the percentiles' chart: " + text);
    }

    @Test
    void topRefusesABadSortOrInterval() throws Exception {
        HoareCliIT.Run sort = HoareCliIT.run("top", "--once", "--sort", "size");
        assertEquals(2, sort.exit(), sort.err());
        assertTrue(sort.err().contains("--sort must be fill or rate"), sort.err());
        HoareCliIT.Run interval = HoareCliIT.run("top", "--once", "--interval", "1ms");
        assertEquals(2, interval.exit(), interval.err());
        assertTrue(interval.err().contains("--interval must be 100ms to 1h"), interval.err());
    }
}
