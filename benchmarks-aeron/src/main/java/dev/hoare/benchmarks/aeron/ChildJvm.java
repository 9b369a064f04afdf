package dev.hoare.benchmarks.aeron;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts the peer process of a two-JVM benchmark of this module: this JVM's java and class path,
 * output to ours, with what Agrona needs on JDK 25 ({@code --add-exports
 * java.base/jdk.internal.misc=ALL-UNNAMED}) and this JVM's {@code -Dhoare.aeron.idle}, so both
 * sides idle alike. With {@code HOARE_CHILD_JVM_OPTS} (options separated by spaces) the child gets
 * those JVM options too, to profile it for instance ({@code -XX:StartFlightRecording=...}).
 * (The benchmarks module's ChildJvm does the same there, with CPU pinning besides.)
 */
final class ChildJvm {
    static final String EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private ChildJvm() {
    }

    /**
     * @param main the child's main class
     * @param args its arguments
     * @return the started child
     */
    static Process start(Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        command.add("--enable-native-access=ALL-UNNAMED");
        command.add(EXPORTS);
        String idle = System.getProperty(AeronUdpBench.IDLE_PROPERTY);
        if (idle != null) {
            command.add("-D" + AeronUdpBench.IDLE_PROPERTY + "=" + idle);
        }
        String extra = System.getenv("HOARE_CHILD_JVM_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    }
}
