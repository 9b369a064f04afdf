package dev.hoare.channels.shm;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.SendChannel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;

/**
 * A writer process that sends large values: {@code URI TAG COUNT SIZE [gated]} opens, prints
 * "OPEN", (if gated, waits for a line,) sends COUNT values of SIZE characters ({@link #value}),
 * prints "SENT", then closes once it reads a line (or its standard input ends) and prints "CLOSED".
 */
public final class LargeValueWriterChild {
    private LargeValueWriterChild() {
    }

    public static void main(String[] args) throws Exception {
        String tag = args[1];
        int count = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in));
        try (SendChannel<String> out = Channels.openSend(URI.create(args[0]), Codec.utf8())) {
            System.out.println("OPEN");
            if (args.length > 4 && args[4].equals("gated")) {
                commands.readLine();
            }
            for (int i = 0; i < count; i++) {
                out.send(value(tag, i, size));
            }
            System.out.println("SENT");
            commands.readLine();
        }
        System.out.println("CLOSED");
    }

    /** {@code TAG:I:} then letters that depend on both and the position, {@code size} characters in all. */
    static String value(String tag, int i, int size) {
        StringBuilder b = new StringBuilder(size).append(tag).append(':').append(i).append(':');
        for (int j = b.length(); j < size; j++) {
            b.append((char) ('a' + (tag.hashCode() * 7 + i * 13 + j) % 26));
        }
        return b.toString();
    }
}
