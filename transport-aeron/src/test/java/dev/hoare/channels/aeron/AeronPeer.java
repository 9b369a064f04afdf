package dev.hoare.channels.aeron;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import io.aeron.driver.ext.DebugReceiveChannelEndpoint;
import io.aeron.driver.ext.DebugSendChannelEndpoint;
import io.aeron.driver.ext.LossGenerator;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A child JVM for {@link AeronAcrossJvmsTest}: one end of an {@code aeron:} channel with its own
 * embedded media driver, as another host would have. Prints {@code READY} once open.
 *
 * <pre>
 *   recv URI N [loss=R] [partitionable]   receives "0".."N-1" in order: GOT i (every 100th), then DONE N,
 *                                         or CLOSED &lt;cause class&gt;
 *   send URI N PREFIX [loss=R]            sends PREFIX:0..PREFIX:N-1, closes: SENT N, or FAILED &lt;cause class&gt;
 * </pre>
 * {@code loss=R} makes the driver drop a fraction R of the UDP frames it receives and sends, data
 * and control; {@code partitionable}: a line {@code partition} on standard input makes it drop
 * every frame, both ways, from then on.
 */
public final class AeronPeer {
    private static volatile boolean partitioned;
    private static volatile double loss;

    private AeronPeer() {
    }

    public static void main(String[] args) throws Exception {
        for (int i = 3; i < args.length; i++) {
            if (args[i].startsWith("loss=")) {
                loss = Double.parseDouble(args[i].substring(5));
            }
            if (args[i].equals("partitionable")) {
                Thread.ofPlatform().daemon().start(AeronPeer::listenForPartition);
            }
        }
        LossGenerator drop = (address, buffer, length) -> partitioned || (loss > 0 && ThreadLocalRandom.current().nextDouble() < loss);
        AeronTransport.configureEmbeddedDrivers(ctx -> ctx
                .receiveChannelEndpointSupplier((channel, dispatcher, status, context) ->
                        new DebugReceiveChannelEndpoint(channel, dispatcher, status, context, drop, drop))
                .sendChannelEndpointSupplier((channel, status, context) ->
                        new DebugSendChannelEndpoint(channel, status, context, drop, drop)));
        URI uri = URI.create(args[1]);
        int n = Integer.parseInt(args[2]);
        switch (args[0]) {
            case "recv" -> receive(uri, n);
            case "send" -> send(uri, n, args[3]);
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void listenForPartition() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in))) {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("partition")) {
                    partitioned = true;
                    System.out.println("PARTITIONED");
                }
            }
        } catch (java.io.IOException e) {
            // the parent is gone
        }
    }

    private static void receive(URI uri, int n) throws Exception {
        try (ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8())) {
            System.out.println("READY");
            int i = 0;
            try {
                for (; i < n; i++) {
                    String v = in.receive();
                    if (!v.equals(Integer.toString(i))) {
                        System.out.println("WRONG expected " + i + " got " + v);
                        return;
                    }
                    if (i % 100 == 99) {
                        System.out.println("GOT " + i);
                    }
                }
                System.out.println("DONE " + i);
            } catch (ChannelClosedException e) {
                System.out.println("CLOSED " + (e.getCause() == null ? "-" : e.getCause().getClass().getSimpleName()) + " after " + i
                        + ": " + e.getCause());
            }
        }
    }

    private static void send(URI uri, int n, String prefix) throws Exception {
        try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
            System.out.println("READY");
            try {
                for (int i = 0; i < n; i++) {
                    out.send(prefix + ":" + i);
                }
                System.out.println("SENT " + n);
            } catch (ChannelClosedException e) {
                System.out.println("FAILED " + (e.getCause() == null ? "-" : e.getCause().getClass().getSimpleName()) + ": " + e.getCause());
            }
        }
    }
}
