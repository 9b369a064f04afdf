package dev.hoare.channels.uds;

import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.link.StreamOptions;
import java.nio.file.Path;
import java.time.Duration;

/** A client process for {@link UdsTest}: {@code PATH ID COUNT} sends "ID:0".."ID:COUNT-1", closes, prints DONE. */
public final class UdsClientChild {
    private UdsClientChild() {
    }

    public static void main(String[] args) throws Exception {
        String id = args[1];
        int count = Integer.parseInt(args[2]);
        try (SendChannel<String> out = UnixChannels.connectSend(Path.of(args[0]), Codec.utf8(),
                StreamOptions.defaults().withTimeout(Duration.ofSeconds(60)))) {
            for (int i = 0; i < count; i++) {
                out.send(id + ":" + i);
            }
        }
        System.out.println("DONE");
    }
}
