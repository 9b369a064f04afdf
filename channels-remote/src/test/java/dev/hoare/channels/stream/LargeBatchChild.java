package dev.hoare.channels.stream;

import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.remote.StreamChannels;
import dev.hoare.channels.contract.NativeMemory;
import dev.hoare.channels.link.Links;
import dev.hoare.channels.link.StreamOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link SocketLinkTest}: queues {@code VALUES} values of 1 MiB behind a socket
 * nobody reads yet (a window of 64), then receives and checks them all, and prints the native
 * memory tagged "Other" ({@link NativeMemory#print}). Needs
 * {@code -XX:NativeMemoryTracking=summary}. Argument: {@code one-way}
 * or {@code request/response}.
 */
public final class LargeBatchChild {
    static final int VALUES = 48;
    private static final Duration DEADLINE = Duration.ofSeconds(20);

    private LargeBatchChild() {
    }

    public static void main(String[] args) throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        SocketChannel[] s = SocketPairs.open(open);
        StreamOptions options = StreamOptions.defaults().withCapacity(64).withTimeout(DEADLINE);
        SendChannel<byte[]> out;
        ReceiveChannel<byte[]> in;
        if (args[0].equals("request/response")) {
            var serving = CompletableFuture.supplyAsync(() -> unchecked(() ->
                    StreamChannels.duplex(Links.socket(s[1], "server side"), StreamChannels.Role.ACCEPTING, Codec.bytes(), Codec.bytes(), options)));
            out = StreamChannels.duplex(Links.socket(s[0], "client side"), Codec.bytes(), Codec.bytes(), options).out();
            in = serving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS).in();
        } else {
            var receiving = CompletableFuture.supplyAsync(() -> unchecked(() ->
                    StreamChannels.receiver(Links.socket(s[1], "receiver"), Codec.bytes(), options)));
            out = StreamChannels.sender(Links.socket(s[0], "sender"), Codec.bytes(), options);
            in = receiving.get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        }
        for (int i = 0; i < VALUES; i++) {
            out.send(megabyte(i)); // within the window: queued at once, while nobody reads
        }
        for (int i = 0; i < VALUES; i++) {
            if (!Arrays.equals(megabyte(i), in.receive(DEADLINE).orElseThrow())) {
                throw new AssertionError("value " + i + " arrived changed");
            }
        }
        System.out.println("received " + VALUES);
        NativeMemory.print();
        System.exit(0);
    }

    static byte[] megabyte(int i) {
        byte[] b = new byte[1 << 20];
        Arrays.fill(b, (byte) i);
        b[b.length - 1] = (byte) ~i;
        return b;
    }

    private interface IoSupplier<T> {
        T get() throws java.io.IOException;
    }

    private static <T> T unchecked(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
