package dev.hoare.examples;

import dev.hoare.channels.Channel;
import dev.hoare.channels.ChannelStats;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Counters;
import dev.hoare.channels.Routine;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The README's counters example, compiled and run by {@code QuickStartTest}, which also checks
 * that the README shows exactly the lines between the tag markers.
 */
public final class ObservabilityExample {
    private ObservabilityExample() {
    }

    /**
     * Runs the example.
     *
     * @return the counters seen while a sender waited on the full channel, and the counters file
     * @throws InterruptedException if interrupted while waiting on a channel
     * @throws IOException if the counters file cannot be made
     */
    public static String run() throws InterruptedException, IOException {
        // tag::counters[]
        Channel<String> orders = Channel.<String>builder().name("orders").capacity(2).build();
        Path file = Counters.publish();         // optional: hoare top and other processes see "orders"
        orders.send("espresso");
        orders.send("cortado");                 // full now
        Routine late = Channels.go(() -> orders.send("flat white")); // waits for room
        ChannelStats s = Channels.stats(orders).orElseThrow();
        while (s.blockedSenders() == 0) {       // until the sender is seen waiting
            Thread.sleep(1);
            s = Channels.stats(orders).orElseThrow();
        }
        // s: name "orders", sent 2, received 0, depth 2 of capacity 2, blockedSenders 1
        orders.receive();                       // room: the waiting sender goes on
        late.join();
        // end::counters[]
        String seen = s.name() + " sent=" + s.sent() + " depth=" + s.depth() + "/" + s.capacity()
                + " blockedSenders=" + s.blockedSenders();
        ChannelStats after = Channels.stats(orders).orElseThrow();
        return seen + "; after: sent=" + after.sent() + " received=" + after.received() + " blocked="
                + after.blockedSenders() + "; file " + file.getFileName();
    }
}
