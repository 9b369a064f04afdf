package dev.hoare.examples;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Routine;
import dev.hoare.channels.Select;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
     * Prints the quick start's output.
     *
     * @param args unused
     * @throws InterruptedException if interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        run().forEach(System.out::println);
    }
}
