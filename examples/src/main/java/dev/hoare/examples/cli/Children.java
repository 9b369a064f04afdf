package dev.hoare.examples.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** Starts this program again as a child process ({@code hoare child ...}), with this JVM and class path. */
public final class Children {
    private Children() {
    }

    /**
     * @param args the {@code hoare} command line of the child
     * @return the started child; its output goes to this process's error stream
     * @throws IOException if it cannot be started
     */
    public static Process start(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"), Hoare.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }
}
