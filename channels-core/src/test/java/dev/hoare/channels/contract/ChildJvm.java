package dev.hoare.channels.contract;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running a main class with this JVM's class path (and native access enabled), for
 * tests of behaviour across processes (with jdk.internal.misc exported, as Agrona needs under aeron:), and the lines it prints (stdout and stderr together).
 * Closing it kills it.
 */
public final class ChildJvm implements AutoCloseable {
    /** How long {@link #expect} and {@link #exitCode} wait. */
    public static final Duration WAIT = Duration.ofSeconds(30);

    private final Process process;
    private final BlockingQueue<String> unread = new LinkedBlockingQueue<>();
    private final List<String> printed = Collections.synchronizedList(new ArrayList<>());
    private final Thread output;

    private ChildJvm(List<String> command) throws IOException {
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        output = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    printed.add(line);
                    unread.add(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
        });
    }

    /**
     * @param main the class whose {@code main} runs
     * @param jvmOptions options for the child JVM before the class path (may be empty); this
     *     JVM's {@code dev.hoare.*} system properties are passed on first
     * @param args its arguments
     * @return the running child
     * @throws IOException if it cannot be started
     */
    public static ChildJvm start(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED",
                // Agrona (under the aeron: transport) reads jdk.internal.misc on JDK 25
                "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED"));
        System.getProperties().stringPropertyNames().stream().filter(k -> k.startsWith("dev.hoare.")).sorted()
                .forEach(k -> command.add("-D" + k + "=" + System.getProperty(k))); // the parent's Hoare settings
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ChildJvm(command);
    }

    /**
     * Runs any command (a JVM started some other way, such as under another user) with the same
     * output capture.
     *
     * @param command the command and its arguments
     * @return the running child
     * @throws IOException if it cannot be started
     */
    public static ChildJvm run(List<String> command) throws IOException {
        return new ChildJvm(command);
    }

    /** {@link #start(Class, List, String...)} without JVM options. */
    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start(main, List.of(), args);
    }

    public Process process() {
        return process;
    }

    /** @return every line printed so far */
    public List<String> printed() {
        synchronized (printed) {
            return List.copyOf(printed);
        }
    }

    /**
     * Waits for the next line starting with {@code prefix}, skipping others; fails, showing what
     * was printed, if none comes within {@link #WAIT}.
     *
     * @return the line
     */
    public String expect(String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            String line = unread.poll(100, TimeUnit.MILLISECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        List<String> all = printed();
        return fail("the child never printed \"" + prefix + "\"; it printed: " + all.subList(Math.max(0, all.size() - 50), all.size()));
    }

    /** @return the exit code, once it exits and all it printed is read (fails after {@link #WAIT}) */
    public int exitCode() throws InterruptedException {
        assertTrue(process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the child did not exit; it printed: " + printed());
        assertTrue(output.join(WAIT), "the child's output did not end");
        return process.exitValue();
    }

    /** Writes a line to its standard input. */
    public void tell(String line) throws IOException {
        var in = process.getOutputStream();
        in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Kills it with SIGKILL and waits until it is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        assertTrue(process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the child did not die");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }
}
