package dev.hoare.examples;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.examples.cli.Children;
import dev.hoare.examples.cli.Scratch;
import dev.hoare.channels.Routine;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import dev.hoare.channels.reactive.ReactiveChannels;
import dev.hoare.channels.reactive.ReactiveSignals;
import dev.hoare.channels.signal.Signal;
import dev.hoare.channels.signal.Signals;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.Received;
import dev.hoare.channels.SendChannel;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

/**
 * The main demo ({@code java -jar examples/target/hoare.jar}): a tour of Hoare channels in one
 * process — a worker pipeline, close as an end-of-stream token, close with a cause, overflow
 * policies and the rendezvous of an unbuffered channel.
 */
public final class Demo {
    private final PrintStream out;

    /** @param out where the tour prints */
    public Demo(PrintStream out) {
        this.out = out;
    }

    /**
     * Runs the tour.
     *
     * @param args unused
     * @throws Exception if interrupted, or the demo cannot signal itself
     */
    public static void main(String[] args) throws Exception {
        new Demo(System.out).run();
    }

    /**
     * Runs the tour, printing as it goes.
     *
     * @throws Exception if interrupted, a child process fails, or the demo cannot signal itself
     */
    public void run() throws Exception {
        out.println("Hoare — Go-style channels for Java");
        pipeline();
        closeWithCause();
        overflow();
        rendezvous();
        selectWithTimeout();
        reactive();
        acrossProcesses();
        signals();
        out.println("done.");
    }

    /** Generator → 4 squaring workers (fan-out) → one collector (fan-in); close flows down the pipe. */
    void pipeline() throws InterruptedException {
        out.println();
        out.println("1. pipeline: numbers -> 4 workers -> sum; close ends each stage");
        Channel<Integer> numbers = Channel.buffered(8);
        Channel<Integer> squares = Channel.buffered(8);
        Thread generator = Thread.ofVirtual().start(() -> produce(numbers, 1, 100));
        AtomicInteger running = new AtomicInteger(4);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < 4; w++) {
            workers.add(Thread.ofVirtual().start(() -> {
                try {
                    for (int n : numbers) {
                        squares.send(n * n);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    if (running.decrementAndGet() == 0) {
                        squares.close();                // the last worker out closes the next stage
                    }
                }
            }));
        }
        long sum = 0;
        int count = 0;
        for (int sq : squares) {
            sum += sq;
            count++;
        }
        generator.join();
        for (Thread w : workers) {
            w.join();
        }
        out.printf("   %d squares received, sum of squares 1..100 = %d%n", count, sum);
    }

    /** A producer that fails closes with a cause; the consumer drains what came first, then sees why. */
    void closeWithCause() throws InterruptedException {
        out.println();
        out.println("2. close with a cause: values sent before the close still arrive, then the cause");
        Channel<String> lines = Channel.buffered(4);
        lines.send("line 1");
        lines.send("line 2");
        lines.close(new IllegalStateException("disk unplugged"));
        Received<String> r;
        while ((r = lines.receiveResult()).ok()) {
            out.println("   got " + r.value());
        }
        out.println("   closed, cause: " + r.cause().map(Throwable::getMessage).orElse("none"));
        try {
            lines.send("line 3");
        } catch (ChannelClosedException e) {
            out.println("   send after close: " + e.getMessage());
        }
    }

    /** Overflow policies: a conflated channel keeps the latest, DROP_OLDEST the newest n. */
    void overflow() throws InterruptedException {
        out.println();
        out.println("3. overflow: conflated keeps the latest, DROP_OLDEST(3) the newest three");
        Channel<Integer> latest = Channel.conflated();
        List<Integer> dropped = new ArrayList<>();
        Channel<Integer> window = Channel.<Integer>builder()
                .capacity(3).overflow(Overflow.DROP_OLDEST).onUndelivered(dropped::add).build();
        for (int i = 1; i <= 10; i++) {
            latest.send(i);
            window.send(i);
        }
        window.close();
        out.println("   conflated: " + latest.receive());
        out.println("   window: " + window.stream().toList() + ", dropped: " + dropped);
    }

    /** An unbuffered send completes only when a receiver takes the value. */
    void rendezvous() throws InterruptedException {
        out.println();
        out.println("4. rendezvous: an unbuffered send waits for its receiver");
        Channel<String> ping = Channel.unbuffered();
        out.println("   trySend with no receiver: " + ping.trySend("lonely"));
        Thread receiver = Thread.ofVirtual().start(() -> {
            try {
                out.println("   receiver got: " + ping.receive());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        boolean sent = ping.send("hello", Duration.ofSeconds(5));
        receiver.join();
        out.println("   send returned " + sent + " once the receiver had it");
    }

    /** Select over a worker's results and a timeout: the worker answers twice, then hangs. */
    void selectWithTimeout() throws InterruptedException {
        out.println();
        out.println("5. select with a timeout: a worker answers twice, then hangs");
        Channel<String> results = Channel.unbuffered();
        Routine worker = Channels.go(() -> {
            results.send("result A");
            results.send("result B");
            Channel.unbuffered().receive(); // hangs, as a stuck service would
        });
        for (int i = 0; i < 3; i++) {
            String event = Select.<String>select()
                    .onReceive(results, r -> "got " + r)
                    .onTimeout(Duration.ofMillis(500), () -> "timed out after 500 ms")
                    .run();
            out.println("   " + event);
        }
        worker.interrupt();
    }

    /** A channel feeds a Reactor pipeline with back-pressure; the pipeline's output goes back into a channel. */
    void reactive() throws InterruptedException {
        out.println();
        out.println("6. reactor: a channel feeds a Flux pipeline, and a Flux feeds a channel");
        Channel<Integer> readings = Channel.buffered(16);
        Channels.go(() -> produce(readings, 1, 20));
        List<Integer> evens = ReactiveChannels.toFlux(readings)   // one receive per requested value
                .filter(n -> n % 2 == 0)
                .map(n -> n * 10)
                .collectList()
                .block(Duration.ofSeconds(10));
        out.println("   evens x10 from the channel: " + evens);
        ReceiveChannel<String> words = ReactiveChannels.fromPublisher(Flux.just("back", "into", "a", "channel"), 2);
        out.println("   from a Flux: " + String.join(" ", words.stream().toList()));
    }

    /**
     * The same consumer code over three transports, a child process (this program again,
     * started here) producing: the channel ends are the same interfaces as in one process.
     */
    void acrossProcesses() throws Exception {
        out.println();
        out.println("7. the same channel across processes: a child process produces, this one consumes");
        String[][] transports = {{"fifo", "a named pipe"}, {"uds", "a Unix socket"}, {"shm", "a shared-memory ring"}};
        for (String[] t : transports) {
            long start = System.nanoTime();
            try (Scratch scratch = new Scratch(t[0], "tour")) {
                Process child = Children.start("child", "produce", scratch.sending("orders").toString());
                List<String> got = new ArrayList<>();
                try (ReceiveChannel<String> orders = Channels.openReceive(scratch.receiving("orders"), Codec.utf8())) {
                    for (String order : orders) {                   // ends when the child closes
                        got.add(order);
                    }
                } finally {
                    if (!child.waitFor(10, TimeUnit.SECONDS)) {
                        child.destroyForcibly();
                    }
                }
                out.printf("   %-5s %-22s %s: %s (%d ms, files removed)%n", t[0] + ":", "(" + t[1] + ")",
                        got.isEmpty() ? "nothing" : "from child " + got.get(0), String.join(", ", got.subList(Math.min(1, got.size()), got.size())),
                        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
        }
    }

    /** A signal handled as a Flux: the demo sends itself SIGUSR1. */
    void signals() throws Exception {
        out.println();
        out.println("8. signals: SIGUSR1 as a Flux");
        CountDownLatch got = new CountDownLatch(1);
        Disposable subscription = ReactiveSignals.flux(Signal.USR1).subscribe(e -> {
            out.println("   received SIG" + e.signal() + " (signal " + e.signal().number() + ")");
            got.countDown();
        });
        Signals.send(ProcessHandle.current().pid(), Signal.USR1);
        if (!got.await(10, TimeUnit.SECONDS)) {
            out.println("   SIGUSR1 did not arrive within 10 s");
        }
        subscription.dispose(); // the previous handler is back
    }

    private static void produce(SendChannel<Integer> to, int from, int through) {
        try {
            for (int i = from; i <= through; i++) {
                to.send(i);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            to.close();
        }
    }}
