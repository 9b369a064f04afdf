package dev.hoare.modcheck;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Select;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.reactive.ReactiveChannels;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Uses the library as a module would: in-process channels, select, the Reactor bridge, and a
 * channel over each transport found through the service loader. Prints one line per check and
 * "all checks passed" at the end; exits non-zero on the first failure.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        System.out.println("module " + Main.class.getModule().getName()
                + ", channels in " + Channel.class.getModule().getName());

        Channel<String> local = Channel.buffered(4);
        local.send("in-process");
        check("in-process", local.receive(), "in-process");

        Channel<Integer> numbers = Channel.buffered(4);
        numbers.send(1);
        numbers.send(2);
        numbers.close();
        check("reactor", ReactiveChannels.toFlux(numbers).collectList().block(Duration.ofSeconds(10)), List.of(1, 2));

        for (String scheme : List.of("fifo", "uds", "shm", "aeron")) {
            // a uds: receiving end listens for its sender (listen=one), a fifo: or shm: one makes the pipe or ring,
            // an aeron: one subscribes at a loopback UDP port (Aeron's own modules are automatic modules beside it)
            URI uri = URI.create(scheme.equals("aeron") ? "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "&senders=one"
                    : scheme + ":" + dir.resolve(scheme + "-check") + (scheme.equals("uds") ? "?listen=one" : ""));
            CompletableFuture<List<String>> received = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                try {
                    received.complete(receiveAll(uri));
                } catch (Throwable e) {
                    received.completeExceptionally(e);
                }
            });
            try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
                for (String v : List.of("a", "b", "c")) {
                    out.send(v);
                }
            } catch (Exception e) {
                if (received.isCompletedExceptionally()) {
                    received.exceptionNow().printStackTrace();
                }
                throw e;
            }
            check(scheme, received.get(30, TimeUnit.SECONDS), List.of("a", "b", "c"));
        }
        System.out.println("all checks passed");
    }

    private static int freeUdpPort() throws java.io.IOException {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Receives until the sender closes, the first value through a select over the remote end. */
    private static List<String> receiveAll(URI uri) {
        try (ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8())) {
            Channel<String> never = Channel.unbuffered();
            List<String> values = new ArrayList<>();
            values.add(Select.<String>select().onReceive(in, v -> v).onReceive(never, v -> v).run());
            for (String v : in) {
                values.add(v);
            }
            return values;
        } catch (Exception e) {
            throw new RuntimeException(uri + ": " + e, e);
        }
    }

    private static void check(String what, Object got, Object expected) {
        if (!expected.equals(got)) {
            System.out.println(what + ": expected " + expected + ", got " + got);
            System.exit(1);
        }
        System.out.println(what + ": ok");
    }
}
