package dev.hoare.examples;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;

/**
 * The README's two-process example: run {@code consume} in one shell and {@code produce} in
 * another (either may start first; each waits up to 10 s for the other).
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp examples/target/hoare.jar dev.hoare.examples.FifoExample consume
 * java --enable-native-access=ALL-UNNAMED -cp examples/target/hoare.jar dev.hoare.examples.FifoExample produce
 * </pre>
 * {@code FifoExampleTest} runs the producer as a child process and checks what the consumer prints.
 * Any URI works in place of the default {@code fifo:orders}: {@code shm:orders} is the same
 * over shared memory (also tested), {@code fifo:orders?timeout=2s} waits 2 s for the other. A peer
 * that does not come, or any other failure, is one line on stderr and exit code 1.
 */
public final class FifoExample {
    private FifoExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String role = args.length > 0 ? args[0] : "";
        try {
            URI uri = URI.create(args.length > 1 ? args[1] : "fifo:orders");
            switch (role) {
                case "consume" -> consume(uri, System.out);
                case "produce" -> produce(uri);
                default -> {
                    System.err.println("usage: FifoExample consume|produce [URI]");
                    System.exit(2);
                }
            }
        } catch (IOException | RuntimeException e) { // no peer within the timeout, a bad URI, ...
            System.err.println("FifoExample " + role + ": " + oneLine(e));
            System.exit(1);
        }
    }

    /** A failure as one line: its message, and its cause's when that says more. */
    static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        Throwable c = e.getCause();
        if (c != null && c.getMessage() != null && !m.contains(c.getMessage())) {
            m += ": " + c.getMessage();
        }
        return m.replace('\n', ' ');
    }

    static void consume(URI uri, PrintStream out) throws IOException {
        // tag::fifo-consume[]
        try (ReceiveChannel<String> orders = Channels.openReceive(uri, Codec.utf8())) {   // uri: fifo:orders
            for (String order : orders) {                   // ends when the producer closes
                out.println("brewing " + order);
            }
        }
        // end::fifo-consume[]
    }

    static void produce(URI uri) throws IOException, InterruptedException {
        // tag::fifo-produce[]
        try (SendChannel<String> orders = Channels.openSend(uri, Codec.utf8())) {
            for (String order : new String[] {"espresso", "flat white", "cortado"}) {
                orders.send(order);
            }
        }                                                   // close() reaches the consumer after the values
        // end::fifo-produce[]
    }
}
