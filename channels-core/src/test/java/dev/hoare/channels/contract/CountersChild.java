package dev.hoare.channels.contract;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Counters;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM for the counters tests: publishes its counters file, makes named channels in a
 * known state, prints {@code READY <pid> <file>}, and waits for {@code stop} (or to be killed).
 *
 * <p>It prints {@code PUBLISHING-BEFORE true} if it was already publishing when it called
 * {@code Counters.publish()} (the system property {@code hoare.counters=true}). Modes: {@code stream NAME}: a named buffered(8) channel with a sender and a receiver
 * streaming forever; {@code blocked NAME}: a named buffered(4) channel holding 4 values with one
 * sender blocked on it, and a named unbuffered channel {@code NAME-rv} with two receivers blocked.
 */
public final class CountersChild {
    private CountersChild() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String name = args[1];
        Channel<Integer> keep;
        Channel<Integer> keep2 = null;
        if (mode.equals("stream")) {
            Channel<Integer> ch = Channel.<Integer>builder().capacity(8).name(name).build();
            keep = ch;
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (int i = 0; ; i++) {
                        ch.send(i);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    for (;;) {
                        ch.receive();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        } else if (mode.equals("blocked")) {
            Channel<Integer> ch = Channel.<Integer>builder().capacity(4).name(name).build();
            keep = ch;
            for (int i = 0; i < 4; i++) {
                ch.send(i);
            }
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    ch.send(4);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Channel<Integer> rv = Channel.<Integer>builder().name(name + "-rv").build();
            keep2 = rv;
            for (int i = 0; i < 2; i++) {
                Thread.ofPlatform().daemon().start(() -> {
                    try {
                        rv.receive();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
            }
            long deadline = System.nanoTime() + 20_000_000_000L;
            while ((Channels.stats(ch).orElseThrow().blockedSenders() != 1 || Channels.stats(rv).orElseThrow().blockedReceivers() != 2)
                    && System.nanoTime() < deadline) {
                Thread.sleep(5); // polling a condition with a deadline
            }
        } else {
            throw new IllegalArgumentException(mode);
        }
        // With -Dhoare.counters=true the first named channel started publishing: publish() returns that file.
        boolean before = Counters.publishedFile().isPresent();
        var file = Counters.publish();
        System.out.println("PUBLISHING-BEFORE " + before);
        System.out.println("READY " + ProcessHandle.current().pid() + " " + file);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null; ) {
            if (line.equals("stop")) {
                break;
            }
        }
        System.out.println("BYE " + keep + " " + keep2);
    }
}
