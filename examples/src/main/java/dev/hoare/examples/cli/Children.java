package dev.hoare.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts this program again as a child process ({@code hoare child ...}), with this JVM and class
 * path. The child runs on the class path ({@code -cp}), where the jar manifest's
 * {@code Add-Exports} does not apply, so it gets the same export as an option (Agrona, under
 * the {@code aeron:} transport, reads {@code jdk.internal.misc}), and this JVM's
 * {@code hoare.aeron.*} system properties (the embedded media driver's idle strategy), so that
 * both ends of a benchmark run alike.
 */
public final class Children {
    /** What Agrona needs on JDK 25 (the manifest's {@code Add-Exports} under {@code java -jar}). */
    static final String AGRONA_EXPORTS = "--add-exports=java.base/jdk.internal.misc=ALL-UNNAMED";

    private Children() {
    }

    /**
     * @param args the {@code hoare} command line of the child
     * @return the started child; its output goes to this process's error stream
     * @throws IOException if it cannot be started
     */
    public static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", AGRONA_EXPORTS));
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("hoare.aeron.")) {
                command.add("-D" + name + "=" + System.getProperty(name));
            }
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Hoare.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
