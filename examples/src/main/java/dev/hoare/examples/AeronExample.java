package dev.hoare.examples;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * The README's two-host example over {@code aeron:}: the kitchen on one host, the orders from
 * another (either may start first; the order waits up to 10 s for the kitchen, the kitchen as long
 * for its first order).
 * <pre>
 * # host A, 192.168.1.20
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp examples/target/hoare.jar \
 *     dev.hoare.examples.AeronExample kitchen 'aeron:udp?endpoint=192.168.1.20:40123&amp;senders=one'
 * # host B
 * java --add-exports java.base/jdk.internal.misc=ALL-UNNAMED -cp examples/target/hoare.jar \
 *     dev.hoare.examples.AeronExample order 'aeron:udp?endpoint=192.168.1.20:40123&amp;senders=one' espresso cortado
 * </pre>
 * On one machine, {@code endpoint=127.0.0.1:40123} in both. {@code AeronExampleTest} runs the order
 * as a child JVM (its own media driver) over loopback and checks what the kitchen prints. A failure
 * (no peer within the timeout, a bad URI) is one line on stderr and exit code 1.
 */
public final class AeronExample {
    private AeronExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String role = args.length > 0 ? args[0] : "";
        try {
            if (args.length < 2 || !(role.equals("kitchen") || role.equals("order"))) {
                System.err.println("usage: AeronExample kitchen URI | AeronExample order URI ITEM...");
                System.exit(2);
            }
            URI uri = URI.create(args[1]);
            if (role.equals("kitchen")) {
                kitchen(uri, System.out);
            } else {
                order(uri, Arrays.asList(args).subList(2, args.length));
            }
        } catch (IOException | RuntimeException e) { // no peer within the timeout, a bad URI, ...
            System.err.println("AeronExample " + role + ": " + FifoExample.oneLine(e));
            System.exit(1);
        }
    }

    static void kitchen(URI uri, PrintStream out) throws IOException {
        // tag::aeron-kitchen[]
        // uri: aeron:udp?endpoint=192.168.1.20:40123&senders=one  (this host's address: it binds there)
        try (ReceiveChannel<String> orders = Channels.openReceive(uri, Codec.utf8())) {
            for (String order : orders) {                   // ends when the sender closes
                out.println("brewing " + order);
            }
        }
        // end::aeron-kitchen[]
    }

    static void order(URI uri, List<String> items) throws IOException, InterruptedException {
        // tag::aeron-order[]
        // uri: the same, naming the kitchen's host; run it on any host that reaches it over UDP
        try (SendChannel<String> orders = Channels.openSend(uri, Codec.utf8())) {
            for (String item : items) {
                orders.send(item);                          // at most 64 ahead of the kitchen (capacity)
            }
        }                                                   // close() reaches the kitchen after the values
        // end::aeron-order[]
    }
}
