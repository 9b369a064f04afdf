package dev.hoare.channels.uds;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.link.StreamOptions;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A worker process for {@link WorkQueueTest}: {@code PATH once|redeliver|uri CAPACITY WORK_MS now|go}.
 * ({@code uri}: deliver-once, through {@code Channels.openReceive} of the queue's URI).
 * Connects (printing READY), waits for a line on stdin first if told {@code go}, then prints
 * "GOT v" for each value (before acknowledging it, when redelivering) and "END n" once the queue
 * closed.
 */
public final class WorkerChild {
    private WorkerChild() {
    }

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        boolean redeliver = args[1].equals("redeliver");
        StreamOptions options = StreamOptions.defaults().withCapacity(Integer.parseInt(args[2])).withTimeout(Duration.ofSeconds(30));
        long workMillis = Long.parseLong(args[3]);
        boolean waitForGo = args[4].equals("go");
        int n = 0;
        if (redeliver) {
            try (WorkReceiver<String> in = UnixChannels.connectWorker(path, Codec.utf8(), options)) {
                System.out.println("READY");
                awaitGo(waitForGo);
                try {
                    while (true) {
                        WorkItem<String> item = in.receive();
                        work(workMillis);
                        System.out.println("GOT " + item.value());
                        item.ack();
                        n++;
                    }
                } catch (ChannelClosedException end) {
                    // the queue closed
                }
            }
        } else {
            try (ReceiveChannel<String> in = args[1].equals("uri")
                    ? dev.hoare.channels.Channels.openReceive(java.net.URI.create("uds:" + path + "?dispatch=true&capacity=" + args[2]), Codec.utf8())
                    : UnixChannels.connectReceive(path, Codec.utf8(), options)) {
                System.out.println("READY");
                awaitGo(waitForGo);
                for (String v : in) {
                    work(workMillis);
                    System.out.println("GOT " + v);
                    n++;
                }
            }
        }
        System.out.println("END " + n);
    }

    private static void awaitGo(boolean waitForGo) throws java.io.IOException {
        if (waitForGo) {
            new BufferedReader(new InputStreamReader(System.in)).readLine();
        }
    }

    /** The simulated work of one value. */
    private static void work(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }
}
