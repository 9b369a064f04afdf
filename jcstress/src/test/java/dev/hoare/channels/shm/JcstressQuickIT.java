package dev.hoare.channels.shm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * CI's bounded run of the jcstress tests: {@code target/jcstress.jar} (built by {@code package})
 * run as a child process in jcstress's quick mode, one JVM configuration, no split compilation,
 * {@value #TIME_MS} ms per test — about 40 seconds on two cores. It fails when jcstress reports a
 * forbidden outcome or an error (its exit status), and when a test did not run: every
 * {@code @JCStressTest} class compiled into {@code target/classes} must be reported {@code [OK]}
 * with at least {@value #MIN_SAMPLES} samples. jcstress by itself passes a run in which a test
 * was skipped (a test needing more CPUs than the machine has, a forked JVM too old for the classes)
 * or in which the jar holds no tests (annotation processing off).
 *
 * <p>The long mode, with every compilation mode and JVM configuration, is run by hand:
 * docs/reliability.md.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class JcstressQuickIT {
    private static final Path TARGET = Path.of("target").toAbsolutePath();
    private static final Path JAR = TARGET.resolve("jcstress.jar");
    private static final Path TESTS = TARGET.resolve(Path.of("classes", "dev", "hoare", "channels", "shm"));
    private static final String PACKAGE = "dev.hoare.channels.shm.";
    /** Time per test. */
    private static final int TIME_MS = 2000;
    /** Fewer samples than this means the test hardly ran. */
    private static final long MIN_SAMPLES = 10_000;
    /** The whole run, jcstress's probing of the JVM included. */
    private static final Duration BUDGET = Duration.ofMinutes(5);

    /** A test's line in jcstress's verbose report, "[OK] name", "[FAILED] name", "[SKIPPED] name"... */
    private static final Pattern VERDICT = Pattern.compile("^\\.*\\s*\\[([A-Z ]+)\\]\\s+(\\S+)\\s*$");
    /** A row of a test's results: the outcome, its samples (with thousands separators), its share, its grade. */
    private static final Pattern ROW = Pattern.compile("^\\s*(.+?)\\s{2,}([\\d,]+)\\s+<?[\\d.]+%\\s+(\\w+)\\s.*$");

    @Test
    void everyTestRunsAndNoForbiddenOutcomeIsSeen() throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by 'package', before this test runs");
        List<String> tests = compiledTests();
        assertFalse(tests.isEmpty(), "no @JCStressTest class in " + TESTS);

        Path work = Files.createDirectories(TARGET.resolve("jcstress-quick"));
        List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "-m", "quick", "-iters", "1", "-time", Integer.toString(TIME_MS), "-sc", "false",
                "-jvmArgs", "--enable-native-access=ALL-UNNAMED", "-r", work.resolve("results").toString(), "-v");
        System.out.println("jcstress: " + String.join(" ", command));
        Process process = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> echo(process, output));
        if (!process.waitFor(BUDGET.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("jcstress did not finish within " + BUDGET);
        }
        reader.join(10_000);
        List<String> lines;
        synchronized (output) {
            lines = List.copyOf(output);
        }

        assertEquals(0, process.exitValue(),
                "jcstress reported a forbidden outcome or an error (the output above says which)");
        Map<String, String> verdicts = new TreeMap<>();
        Map<String, Long> samples = new TreeMap<>();
        String current = null;
        // each test's results are printed when it ends and again, across its configurations, in the summary: read the summary
        int summary = lines.indexOf("RUN RESULTS:");
        assertTrue(summary >= 0, "jcstress printed no summary");
        for (String line : lines.subList(summary, lines.size())) {
            Matcher verdict = VERDICT.matcher(line);
            Matcher row = ROW.matcher(line);
            if (verdict.matches()) {
                current = verdict.group(2);
                verdicts.put(current, verdict.group(1).trim());
            } else if (current != null && row.matches()) {
                assertFalse(row.group(3).equalsIgnoreCase("Forbidden"), current + ": forbidden outcome " + row.group(1));
                samples.merge(current, Long.parseLong(row.group(2).replace(",", "")), Long::sum);
            }
        }
        for (String test : tests) {
            assertEquals("OK", verdicts.get(test), test + ": not run, or not passed (jcstress's verdicts: " + verdicts + ")");
            long seen = samples.getOrDefault(test, 0L);
            assertTrue(seen >= MIN_SAMPLES, test + ": only " + seen + " samples");
        }
        System.out.println("jcstress: " + tests.size() + " tests passed, samples " + samples);
    }

    /** @return the classes jcstress's annotation processor made a runner for, by name: each {@code X} with an {@code X_jcstress} beside it */
    private static List<String> compiledTests() throws IOException {
        List<String> tests = new ArrayList<>();
        try (Stream<Path> files = Files.list(TESTS)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.endsWith("Test.class")) {
                    String test = name.substring(0, name.length() - ".class".length());
                    assertTrue(Files.exists(TESTS.resolve(test + "_jcstress.class")),
                            test + " has no runner: was jcstress's annotation processor run? (<proc>full</proc>)");
                    tests.add(PACKAGE + test);
                }
            }
        }
        return tests;
    }

    /** Copies the child's output to this test's, line by line, keeping it. */
    private static void echo(Process process, List<String> output) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                System.out.println(line);
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
