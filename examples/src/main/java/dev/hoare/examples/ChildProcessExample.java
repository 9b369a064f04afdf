package dev.hoare.examples;

import dev.hoare.channels.Codec;
import dev.hoare.channels.process.ChildProcess;
import dev.hoare.channels.process.Processes;
import dev.hoare.channels.remote.StreamChannels.Duplex;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's child-process example: this program starts itself again as a child and talks to it
 * over the child's standard input and output, a channel each way.
 * <pre>
 * java -cp examples/target/hoare.jar dev.hoare.examples.ChildProcessExample
 * </pre>
 * prints {@code HELLO} and {@code CHILD}, then the child's exit status, {@code 0}.
 * {@code ChildProcessExampleTest} runs it.
 */
public final class ChildProcessExample {
    private ChildProcessExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child();
            return;
        }
        try {
            parent().forEach(System.out::println);
        } catch (IOException | RuntimeException e) {
            System.err.println("ChildProcessExample: " + FifoExample.oneLine(e));
            System.exit(1);
        }
    }

    static List<String> parent() throws IOException, InterruptedException {
        List<String> printed = new ArrayList<>();
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classPath = System.getProperty("java.class.path");
        // tag::process-spawn[]
        ProcessBuilder command = new ProcessBuilder(java, "-cp", classPath, "dev.hoare.examples.ChildProcessExample", "child");
        try (ChildProcess<String, String> child = Processes.spawn(command, Codec.utf8(), Codec.utf8())) {
            for (String word : List.of("hello", "child")) {
                child.out().send(word);                    // frames on the child's stdin
                printed.add(child.in().receive());         // HELLO, CHILD: frames from its stdout
            }
            child.out().close();                           // the child's loop ends; it closes and exits
            printed.add("exit " + child.onExit().join());  // exit 0 (a crash: in() ends with PeerLostException)
        }                                                  // close: grace time, then TERM, then KILL
        // end::process-spawn[]
        return printed;
    }

    static void child() throws IOException, InterruptedException {
        // tag::process-child[]
        try (Duplex<String, String> parent = Processes.parent(Codec.utf8(), Codec.utf8())) { // System.out -> stderr
            for (String word : parent.in()) {              // until the parent closes its channel
                System.out.println("child got " + word);   // goes to stderr: the frames stay intact
                parent.out().send(word.toUpperCase());
            }
        }
        // end::process-child[]
    }
}
