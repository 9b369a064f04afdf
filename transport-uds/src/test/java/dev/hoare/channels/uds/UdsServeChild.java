package dev.hoare.channels.uds;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Codec;
import dev.hoare.channels.remote.StreamChannels;
import java.nio.file.Path;

/** A request/response server process for {@link UdsTest}: {@code PATH}; answers each request in upper case. */
public final class UdsServeChild {
    private UdsServeChild() {
    }

    public static void main(String[] args) throws Exception {
        try (UnixServer<StreamChannels.Duplex<String, String>> server =
                     UnixChannels.serve(Path.of(args[0]), Codec.utf8(), Codec.utf8(), UnixServer.Options.defaults())) {
            System.out.println("READY");
            for (StreamChannels.Duplex<String, String> connection : server.channel()) {
                Thread.ofVirtual().start(() -> {
                    try (connection) {
                        for (String request : connection.in()) {
                            connection.out().send(request.toUpperCase());
                        }
                    } catch (InterruptedException | ChannelClosedException e) {
                        // the client went away
                    }
                });
            }
        }
    }
}
