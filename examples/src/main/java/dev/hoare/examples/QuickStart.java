package dev.hoare.examples;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Routine;
import dev.hoare.channels.Select;
import dev.hoare.channels.reactive.ReactiveChannels;
import dev.hoare.channels.reactive.ReactiveSignals;
import dev.hoare.channels.signal.Signal;
import dev.hoare.channels.signal.SignalEvent;
import dev.hoare.channels.signal.Signals;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import reactor.core.Disposable;

/**
 * The README's quick start, compiled and run by {@code QuickStartTest}, which also checks that the
 * README shows exactly the lines between the tag markers.
 */
public final class QuickStart {
    private QuickStart() {
    }

    /**
     * Runs the quick start.
     *
     * @return the lines it printed
     * @throws InterruptedException if interrupted while waiting on a channel
     */
    public static List<String> run() throws InterruptedException {
        List<String> out = new ArrayList<>();
        // tag::quickstart[]
        Channel<String> words = Channel.buffered(4);        // or unbuffered(), unlimited(), conflated()

        Thread producer = Thread.ofVirtual().start(() -> {
            try {
                for (String w : List.of("never", "communicate", "by", "sharing", "memory")) {
                    words.send(w);                              // waits while the buffer is full
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                words.close();                                  // a token after everything sent
            }
        });

        ReceiveChannel<String> in = words.receiveOnly();      // Go's <-chan
        for (String w : in) {                                 // ends once closed and drained
            out.add(w.toUpperCase());
        }
        producer.join();
        // end::quickstart[]
        return out;
    }

    /**
     * The README's select example: the first of two answers, or a timeout.
     *
     * @return what the select chose
     * @throws InterruptedException if interrupted while waiting
     */
    public static String firstAnswer() throws InterruptedException {
        // tag::select[]
        Channel<String> fast = Channel.unbuffered();
        Channel<String> slow = Channel.unbuffered();
        Routine f = Channels.go(() -> fast.send("fast answer"));          // a virtual thread
        Routine s = Channels.go(() -> {
            Thread.sleep(10_000);                                      // a slow service
            slow.send("slow answer");
        });

        String first = Select.<String>select()                          // Go's select
            .onReceive(fast, answer -> answer)
            .onReceive(slow, answer -> answer)
            .onTimeout(Duration.ofSeconds(1), () -> "timed out")
            .run();

        String second = Select.<String>select()
            .onReceive(slow, answer -> answer)
            .onTimeout(Duration.ofMillis(50), () -> "slow one timed out")
            .run();
        f.join();
        s.interrupt();                                                   // stop the slow one
        // end::select[]
        return first + " / " + second;
    }

    /**
     * The README's Reactor and signals example.
     *
     * @return the pipeline's output and the signal seen
     * @throws Exception if interrupted or the signal cannot be sent
     */
    public static String reactive() throws Exception {
        // tag::reactive[]
        Channel<Integer> numbers = Channel.buffered(16);
        Channels.go(() -> {
            for (int i = 1; i <= 10; i++) {
                numbers.send(i);
            }
            numbers.close();                                            // completes the Flux
        });
        List<Integer> squares = ReactiveChannels.toFlux(numbers)       // request(n) = n receives
            .map(n -> n * n)
            .collectList()
            .block(Duration.ofSeconds(5));

        BlockingQueue<SignalEvent> seen = new LinkedBlockingQueue<>();
        Disposable onUsr1 = ReactiveSignals.flux(Signal.USR1)          // POSIX signals as a Flux
            .subscribe(seen::add);
        Signals.send(ProcessHandle.current().pid(), Signal.USR1);      // kill -USR1 <our pid>
        SignalEvent event = seen.poll(5, TimeUnit.SECONDS);
        onUsr1.dispose();                                               // the previous handler is back
        // end::reactive[]
        return squares + " " + (event == null ? "no signal" : "SIG" + event.signal());
    }

    /**
     * Prints the quick start's output.
     *
     * @param args unused
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        run().forEach(System.out::println);
    }
}
