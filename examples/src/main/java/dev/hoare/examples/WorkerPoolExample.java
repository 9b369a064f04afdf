package dev.hoare.examples;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import dev.hoare.channels.uds.WorkQueue;
import dev.hoare.sync.Semaphore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's worker pool: one producer process, three worker processes that take jobs from one
 * work queue (each job to exactly one worker), and a resource that one worker at a time may use,
 * guarded by a cross-process {@link Semaphore} of one permit (here: the shared standard output).
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/target/hoare.jar dev.hoare.examples.WorkerPoolExample
 * </pre>
 * prints one line per job ({@code worker PID did job N}), each job once, then {@code 12 jobs done}.
 * {@code WorkerPoolExampleTest} runs it.
 */
public final class WorkerPoolExample {
    static final int JOBS = 12;

    private WorkerPoolExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("worker")) {
            worker(Path.of(args[1]), args[2]);
            return;
        }
        Path dir = Files.createTempDirectory("hoare-pool");
        try {
            producer(dir.resolve("jobs.sock"), "pool-" + ProcessHandle.current().pid());
            System.out.println(JOBS + " jobs done");
        } catch (IOException | RuntimeException e) {
            System.err.println("WorkerPoolExample: " + FifoExample.oneLine(e));
            System.exit(1);
        } finally {
            Files.deleteIfExists(dir.resolve("jobs.sock"));
            Files.deleteIfExists(dir);
        }
    }

    static void producer(Path socket, String printer) throws IOException, InterruptedException {
        List<Process> workers = new ArrayList<>();
        // tag::pool-producer[]
        try (WorkQueue<String> jobs = UnixChannels.dispatch(socket, Codec.utf8(), UnixServer.Options.defaults());
                Semaphore output = new Semaphore(printer, 1)) {  // one worker at a time prints
            for (int i = 0; i < 3; i++) {                        // three worker processes
                workers.add(workerProcess(socket, printer).inheritIO().start());
            }
            for (int i = 1; i <= JOBS; i++) {
                jobs.send("job " + i);                           // to a worker with room; waits while all are busy
            }
        }                                                        // close: the workers' channels end after their jobs
        for (Process w : workers) {
            w.waitFor();                                         // each worker's loop ends, it exits
        }
        // end::pool-producer[]
        for (Process w : workers) {
            if (w.exitValue() != 0) {
                throw new IllegalStateException("a worker exited with status " + w.exitValue());
            }
        }
        Semaphore.removeFile(printer);
    }

    static void worker(Path socket, String printer) throws IOException, InterruptedException {
        long pid = ProcessHandle.current().pid();
        // tag::pool-worker[]
        try (ReceiveChannel<String> jobs = Channels.openReceive(URI.create("uds:" + socket + "?capacity=2"), Codec.utf8());
                Semaphore output = new Semaphore(printer, 1)) {
            for (String job : jobs) {                            // until the producer closes the queue
                output.acquire();                                // a killed holder's permit comes back
                try {
                    System.out.println("worker " + pid + " did " + job);
                } finally {
                    output.release();
                }
            }
        }
        // end::pool-worker[]
    }

    /** This program again, as a worker of the queue at {@code socket}. */
    private static ProcessBuilder workerProcess(Path socket, String printer) {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                WorkerPoolExample.class.getName(), "worker", socket.toString(), printer);
    }
}
