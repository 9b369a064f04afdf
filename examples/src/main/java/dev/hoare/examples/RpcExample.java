package dev.hoare.examples;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.StreamChannels.Duplex;
import dev.hoare.channels.spi.StreamOptions;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's request/response example over a Unix socket: run {@code serve} in one shell and
 * {@code call} in another.
 * <pre>
 * java -cp examples/target/hoare.jar dev.hoare.examples.RpcExample serve /tmp/shout.sock
 * java -cp examples/target/hoare.jar dev.hoare.examples.RpcExample call /tmp/shout.sock
 * </pre>
 * {@code RpcExampleTest} runs the server as a child process and checks what the client gets.
 */
public final class RpcExample {
    private RpcExample() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path socket = Path.of(args.length > 1 ? args[1] : "/tmp/shout.sock");
        switch (args.length > 0 ? args[0] : "") {
            case "serve" -> serve(socket);
            case "call" -> call(socket).forEach(System.out::println);
            default -> {
                System.err.println("usage: RpcExample serve|call [SOCKET]");
                System.exit(2);
            }
        }
    }

    static void serve(Path socket) throws IOException {
        // tag::uds-serve[]
        try (UnixServer<Duplex<String, String>> server =
                     UnixChannels.serve(socket, Codec.utf8(), Codec.utf8(), UnixServer.Options.defaults())) {
            for (Duplex<String, String> client : server.channel()) {     // each connection, as it comes
                Thread.ofVirtual().start(() -> {
                    try (client) {
                        for (String request : client.in()) {             // until the client closes
                            client.out().send(request.toUpperCase());
                        }
                    } catch (InterruptedException | ChannelClosedException gone) {
                        // the client went away
                    }
                });
            }
        }
        // end::uds-serve[]
    }

    static List<String> call(Path socket) throws IOException, InterruptedException {
        List<String> answers = new ArrayList<>();
        // tag::uds-call[]
        try (Duplex<String, String> server = UnixChannels.connect(socket, Codec.utf8(), Codec.utf8(),
                StreamOptions.defaults())) {                             // one socket, a channel each way
            for (String request : List.of("hello", "channels")) {
                server.out().send(request);
                answers.add(server.in().receive());                      // HELLO, CHANNELS
            }
        }
        // end::uds-call[]
        return answers;
    }
}
