package dev.hoare.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the other process of a two-process benchmark: this JVM's java and class path, output to
 * ours. With {@code HOARE_PIN=PARENT,CHILD} in the environment (two CPU numbers, for
 * {@code PIN=1 benchmarks/run.sh}), the child runs pinned to CPU {@code CHILD} with
 * {@code taskset}, and {@link #pinCurrentThread} pins the benchmark thread to CPU {@code PARENT}:
 * every message then crosses between the same two CPUs, run after run. With
 * {@code HOARE_CHILD_JVM_OPTS} (options separated by spaces), the child gets those JVM options
 * too, to profile it for instance ({@code -agentpath:...}).
 */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * @param main the child's main class
     * @param jvmOptions options before the class path (besides native access)
     * @param args its arguments
     * @return the started child
     */
    static Process start(Class<?> main, List<String> jvmOptions, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        String[] pin = pinning();
        if (pin != null) {
            command.addAll(List.of("taskset", "-c", pin[1]));
        }
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        String extra = System.getenv("HOARE_CHILD_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    }

    static Process start(Class<?> main, String... args) throws IOException {
        return start(main, List.of(), args);
    }

    /**
     * Pins the calling thread (the benchmark's, from its setup) to the parent CPU, if pinning is
     * asked for: {@code taskset} on the thread's Linux id ({@code /proc/thread-self}).
     */
    static void pinCurrentThread() throws IOException, InterruptedException {
        String[] pin = pinning();
        if (pin == null) {
            return;
        }
        String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
        Process p = new ProcessBuilder("taskset", "-p", "-c", pin[0], tid).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("taskset could not pin thread " + tid + ": " + out);
        }
    }

    /** @return {parent CPU, child CPU}, or {@code null} without HOARE_PIN */
    private static String[] pinning() {
        String pin = System.getenv("HOARE_PIN");
        if (pin == null || pin.isBlank()) {
            return null;
        }
        String[] cpus = pin.split(",");
        if (cpus.length != 2 || !cpus[0].matches("\\d+") || !cpus[1].matches("\\d+")) {
            throw new IllegalArgumentException("HOARE_PIN=" + pin + ": expected two CPU numbers, such as 0,1");
        }
        return cpus;
    }
}
