package dev.hoare.examples.cli;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.net.URI;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * The other process of the tour and of {@code hoare bench} (hidden): {@code produce URI} sends
 * three orders and closes; {@code echo IN OUT} sends back every value received;
 * {@code count IN OUT} counts the values until the sender closes, then sends the count back.
 */
@Command(name = "child", hidden = true)
final class ChildCommand implements Callable<Integer> {
    @Parameters(index = "0", description = "produce, echo or count")
    String role;

    @Parameters(index = "1")
    URI first;

    @Parameters(index = "2", arity = "0..1")
    URI second;

    @Override
    public Integer call() throws Exception {
        switch (role) {
            case "produce" -> {
                try (SendChannel<String> orders = Channels.openSend(first, Codec.utf8())) {
                    orders.send("pid " + ProcessHandle.current().pid());
                    for (String order : new String[] {"espresso", "flat white", "cortado"}) {
                        orders.send(order);
                    }
                }
            }
            case "echo" -> {
                try (ReceiveChannel<byte[]> in = Channels.openReceive(first, Codec.bytes());
                        SendChannel<byte[]> out = Channels.openSend(second, Codec.bytes())) {
                    for (byte[] m : in) {
                        out.send(m);
                    }
                }
            }
            case "count" -> {
                try (ReceiveChannel<byte[]> in = Channels.openReceive(first, Codec.bytes());
                        SendChannel<String> out = Channels.openSend(second, Codec.utf8())) {
                    long n = 0;
                    for (byte[] ignored : in) {
                        n++;
                    }
                    out.send(Long.toString(n));
                }
            }
            default -> throw new IllegalArgumentException("unknown child role " + role);
        }
        return 0;
    }
}
