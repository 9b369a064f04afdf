package dev.hoare.channels.fifo;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import dev.hoare.channels.contract.NativeMemory;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link FifoTest}: sends {@code VALUES} values of 8 MiB through a FIFO to a
 * reading end in this process, checks each, and prints its native memory tagged "Other"
 * ({@link NativeMemory#print}; needs {@code -XX:NativeMemoryTracking=summary}).
 * Argument: the FIFO's path.
 */
public final class LargeValueChild {
    static final int VALUES = 4;

    private LargeValueChild() {
    }

    public static void main(String[] args) throws Exception {
        URI uri = URI.create("fifo:" + args[0] + "?timeout=20s");
        var receiving = CompletableFuture.supplyAsync(() -> {
            try {
                return Channels.openReceive(uri, Codec.bytes());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (SendChannel<byte[]> out = Channels.openSend(uri, Codec.bytes())) {
            ReceiveChannel<byte[]> in = receiving.get(20, TimeUnit.SECONDS);
            Thread.ofPlatform().start(() -> {
                try {
                    for (int i = 0; i < VALUES; i++) {
                        out.send(value(i));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            for (int i = 0; i < VALUES; i++) {
                if (!Arrays.equals(value(i), in.receive(Duration.ofSeconds(20)).orElseThrow())) {
                    throw new AssertionError("value " + i + " arrived changed");
                }
            }
            System.out.println("received " + VALUES);
            NativeMemory.print(); // while both ends' threads live
        }
        System.exit(0);
    }

    private static byte[] value(int i) {
        byte[] b = new byte[8 << 20];
        Arrays.fill(b, (byte) i);
        b[b.length - 1] = (byte) ~i;
        return b;
    }
}
