package dev.hoare.examples;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.remote.StreamChannels.Duplex;
import dev.hoare.channels.spi.Endpoint;
import dev.hoare.channels.link.StreamOptions;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The README's request/response example over a Unix socket: run {@code serve} in one shell and
 * {@code call} in another.
 * <pre>
 * java -cp examples/target/hoare.jar dev.hoare.examples.RpcExample serve /tmp/shout.sock
 * java -cp examples/target/hoare.jar dev.hoare.examples.RpcExample call /tmp/shout.sock
 * </pre>
 * {@code RpcExampleTest} runs the server as a child process and checks what the client gets. The
 * client waits up to 10 s for the server ({@code call SOCKET 2s}: 2 s); a server that does not come,
 * or any other failure, is one line on stderr and exit code 1.
 */
public final class RpcExample {
    private RpcExample() {
    }

    public static void main(String[] args) throws InterruptedException {
        String role = args.length > 0 ? args[0] : "";
        try {
            Path socket = Path.of(args.length > 1 ? args[1] : "/tmp/shout.sock");
            Duration timeout = args.length > 2 ? Endpoint.parseDuration(args[2]) : StreamOptions.DEFAULT_TIMEOUT;
            switch (role) {
                case "serve" -> serve(socket);
                case "call" -> call(socket, timeout).forEach(System.out::println);
                default -> {
                    System.err.println("usage: RpcExample serve|call [SOCKET [TIMEOUT]]");
                    System.exit(2);
                }
            }
        } catch (IOException | RuntimeException e) { // no server within the timeout, a bad path, ...
            System.err.println("RpcExample " + role + ": " + FifoExample.oneLine(e));
            System.exit(1);
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

    static List<String> call(Path socket, Duration timeout) throws IOException, InterruptedException {
        List<String> answers = new ArrayList<>();
        // tag::uds-call[]
        try (Duplex<String, String> server = UnixChannels.connect(socket, Codec.utf8(), Codec.utf8(),
                StreamOptions.defaults().withTimeout(timeout))) {        // one socket, a channel each way
            for (String request : List.of("hello", "channels")) {
                server.out().send(request);
                answers.add(server.in().receive());                      // HELLO, CHANNELS
            }
        }
        // end::uds-call[]
        return answers;
    }
}
