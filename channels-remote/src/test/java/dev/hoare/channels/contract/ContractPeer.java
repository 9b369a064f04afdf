package dev.hoare.channels.contract;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.net.URI;

/**
 * The child-process side of {@link TransportContract}: opens one end of a URI with the UTF-8 codec
 * and runs one role. Prints {@code OPEN} once the end is open, and what it did, one line each.
 * <ul>
 *   <li>{@code send URI N}: sends "0".."N-1", closes, prints {@code DONE}.</li>
 *   <li>{@code stream URI}: sends "0", "1", ... until killed.</li>
 *   <li>{@code receive URI}: receives until closed, printing {@code GOT v} for each value, then
 *       {@code CLOSED <cause>}.</li>
 *   <li>{@code take-on-command URI}: receives one value for each line {@code TAKE} on its standard
 *       input, printing {@code TOOK v <System.currentTimeMillis() just before the receive began>}.</li>
 *   <li>{@code send-idle URI N MILLIS}: sends "0".."N-1", prints {@code SENT}, sends nothing for
 *       MILLIS (idle but alive: a liveness test stops it, or lets it close), then closes and
 *       prints {@code DONE}.</li>
 * </ul>
 */
public final class ContractPeer {
    private ContractPeer() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create(args[1]);
        switch (args[0]) {
            case "send" -> {
                try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
                    System.out.println("OPEN");
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
                for (long i = 0; ; i++) {
                    out.send(Long.toString(i));
                }
            }
            case "receive" -> {
                ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8());
                System.out.println("OPEN");
                try {
                    while (true) {
                        System.out.println("GOT " + in.receive());
                    }
                } catch (ChannelClosedException e) {
                    System.out.println("CLOSED " + e.getCause());
                }
            }
            case "send-idle" -> {
                try (SendChannel<String> out = Channels.openSend(uri, Codec.utf8())) {
                    System.out.println("OPEN");
                    int n = Integer.parseInt(args[2]);
                    for (int i = 0; i < n; i++) {
                        out.send(Integer.toString(i));
                    }
                    System.out.println("SENT");
                    Thread.sleep(Long.parseLong(args[3])); // the idle time is the scenario, not a wait for something
                }
                System.out.println("DONE");
            }
            case "take-on-command" -> {
                ReceiveChannel<String> in = Channels.openReceive(uri, Codec.utf8());
                System.out.println("OPEN");
                java.io.BufferedReader commands = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                String line;
                while ((line = commands.readLine()) != null) {
                    if (line.equals("TAKE")) {
                        long asked = System.currentTimeMillis(); // the take happens after this
                        String v = in.receive();
                        System.out.println("TOOK " + v + " " + asked);
                    }
                }
            }
            default -> throw new IllegalArgumentException("unknown role " + args[0]);
        }
        System.out.flush();
    }
}
