package dev.hoare.examples.cli;

import dev.hoare.examples.Demo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code hoare tour}: the guided run of what Hoare does (the README's first command). */
@Command(name = "tour", mixinStandardHelpOptions = true,
        description = {"A guided run of what Hoare does, printed as it goes.",
                "Buffered and unbuffered channels, close and drain, overflow, select with a timeout, a worker pool,"
                        + " a Reactor pipeline fed by a channel, the same producer and consumer across two processes over"
                        + " fifo:, uds: and shm: (it starts the child itself), and a signal handled as a Flux. Removes"
                        + " every file it makes."})
final class TourCommand implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
        new Demo(System.out).run();
        return 0;
    }
}
