package dev.hoare.channels.shm;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;

/**
 * A process of the durable-queue tests ({@link ShmQueueTest}), one role per run; prints
 * {@code OPEN} once its end is open, then what it did, one line each.
 * <ul>
 *   <li>{@code hold URI}: opens the reading end and never receives (until killed or its standard
 *       input ends): the queue's reader, alive.</li>
 *   <li>{@code produce URI N}: opens a sending end, waits for a line {@code GO}, sends "0".."N-1",
 *       closes, prints {@code DONE} and exits.</li>
 *   <li>{@code stream URI}: as produce, but sends "0", "1", ... until killed, printing
 *       {@code SENT i} after every 100th value returned from its send.</li>
 *   <li>{@code drain URI}: opens the reading end and receives until the channel closes,
 *       printing {@code GOT v} for each value, then {@code CLOSED <cause class or none>}.</li>
 * </ul>
 */
public final class QueueChild {
    private QueueChild() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[1]);
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in));
        switch (args[0]) {
            case "hold" -> {
                ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8());
                System.out.println("OPEN");
                while (stdin.readLine() != null) {
                    // holds the reading end open, taking nothing
                }
                in.close();
            }
            case "produce" -> {
                try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
                    System.out.println("OPEN");
                    awaitGo(stdin);
                    int n = Integer.parseInt(args[2]);
                    for (int i = 0; i < n; i++) {
                        out.send(Integer.toString(i));
                    }
                }
                System.out.println("DONE");
            }
            case "stream" -> {
                SendChannel<String> out = Channels.openSend(uri, Codec.utf8());
                System.out.println("OPEN");
                awaitGo(stdin);
                for (long i = 0; ; i++) {
                    out.send(Long.toString(i));
                    if (i % 100 == 0) {
                        System.out.println("SENT " + i);
                    }
                }
            }
            case "drain" -> {
                try (ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8())) {
                    System.out.println("OPEN");
                    try {
                        while (true) {
                            System.out.println("GOT " + in.receive());
                        }
                    } catch (ChannelClosedException e) {
                        System.out.println("CLOSED " + (e.getCause() == null ? "none" : e.getCause().getClass().getSimpleName()));
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
        }
        System.out.flush();
    }

    private static void awaitGo(BufferedReader stdin) throws java.io.IOException {
        String line;
        while ((line = stdin.readLine()) != null && !line.equals("GO")) {
            // waits for the test to say go
        }
    }
}
