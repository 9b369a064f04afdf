package dev.hoare.examples;

import dev.hoare.channels.BroadcastChannel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Overflow;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.Routine;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The README's broadcast example, compiled and run by {@code QuickStartTest}, which also checks
 * that the README shows exactly the lines between the tag markers.
 */
public final class BroadcastExample {
    private BroadcastExample() {
    }

    /**
     * Runs the example.
     *
     * @return what the auditor saw and the newest price
     * @throws InterruptedException if interrupted while waiting on a channel
     */
    public static String run() throws InterruptedException {
        // tag::broadcast[]
        BroadcastChannel<String> prices = BroadcastChannel.buffered(2);   // each subscription buffers 2
        ReceiveChannel<String> audit = prices.subscribe();                 // every value sent from now on
        ReceiveChannel<String> latest = prices.subscribe(1, Overflow.DROP_OLDEST); // keeps only the newest

        List<String> audited = new CopyOnWriteArrayList<>();
        Routine auditor = Channels.go(() -> {
            for (String p : audit) {                                       // ends once closed and drained
                audited.add(p);
            }
        });
        for (String p : List.of("ACME 10", "ACME 11", "ACME 12", "ACME 13")) {
            prices.send(p);                               // waits for the slowest SUSPEND subscriber
        }
        prices.close();                                   // each subscription drains, then reports closed
        auditor.join();
        String newest = latest.receive();                 // "ACME 13": the older ones were dropped
        // end::broadcast[]
        return audited + " " + newest;
    }
}
