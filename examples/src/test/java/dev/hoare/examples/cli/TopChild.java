package dev.hoare.examples.cli;

import dev.hoare.channels.Channel;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.Counters;
import dev.hoare.channels.shm.ShmRing;
import dev.hoare.channels.uds.UnixChannels;
import dev.hoare.channels.uds.UnixServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * For {@link TopSourcesLiveTest}: in its own JVM, a shared-memory ring it reads (registered as the
 * consumer) holding three records nobody takes, a {@code uds:} server with capacity 4 whose
 * application takes nothing, a named buffered(4) channel full with one sender blocked, and a
 * named unbuffered channel with two receivers blocked; it publishes its counters, prints
 * {@code READY}, and waits for stdin to close.
 *
 * <p>Arguments: the ring's path, the socket's path, the in-process channels' name.
 */
public final class TopChild {
    private TopChild() {
    }

    public static void main(String[] args) throws Exception {
        ShmRing ring = ShmRing.create(Path.of(args[0]), 4096);
        ring.registerConsumer();
        byte[] record = new byte[100];
        for (int i = 0; i < 3; i++) {
            if (!ring.offer(1, record, 0, record.length)) {
                throw new AssertionError("ring full");
            }
        }
        UnixServer<String> server = UnixChannels.listen(Path.of(args[1]), Codec.utf8(),
                UnixServer.Options.defaults().withStream(dev.hoare.channels.link.StreamOptions.defaults().withCapacity(4)));
        Channel<Integer> full = Channel.<Integer>builder().capacity(4).name(args[2]).build();
        for (int i = 0; i < 4; i++) {
            full.send(i);
        }
        Thread.ofPlatform().daemon().start(() -> {
            try {
                full.send(4);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Channel<Integer> rendezvous = Channel.<Integer>builder().name(args[2] + "-rv").build();
        for (int i = 0; i < 2; i++) {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    rendezvous.receive();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        Counters.publish();
        System.out.println("READY " + ProcessHandle.current().pid());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        while (in.readLine() != null) {
            // until the test closes stdin
        }
        System.out.println("BYE " + Channels.stats(full) + " " + Channels.stats(rendezvous) + " " + server);
        server.close();
        ring.close();
    }
}
