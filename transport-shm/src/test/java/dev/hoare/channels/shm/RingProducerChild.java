package dev.hoare.channels.shm;

import java.nio.file.Path;

/**
 * A producer process for the ring tests: {@code RING ID COUNT MAXFILLER} offers COUNT records
 * ({@link Records#encode}) and prints "done"; {@code RING claim} claims a record, prints
 * "claimed" and never publishes it (to be killed); {@code RING on-command} offers one record per
 * line read from standard input.
 */
public final class RingProducerChild {
    private RingProducerChild() {
    }

    public static void main(String[] args) throws Exception {
        try (ShmRing ring = ShmRing.open(Path.of(args[0]))) {
            if (args[1].equals("on-command")) { // offers one record per line read
                var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
                System.out.println("ready");
                for (long i = 0; in.readLine() != null; i++) {
                    Records.offer(ring, Records.encode(0, i, 0));
                    System.out.println("offered " + i);
                }
                return;
            }
            if (args[1].equals("claim")) {
                ring.claim(64);
                System.out.println("claimed");
                Thread.sleep(Long.MAX_VALUE);
            }
            int id = Integer.parseInt(args[1]);
            long count = Long.parseLong(args[2]);
            int maxFiller = Integer.parseInt(args[3]);
            System.out.println("started");
            for (long i = 0; i < count; i++) {
                Records.offer(ring, Records.encode(id, i, maxFiller));
            }
            System.out.println("done");
        }
    }
}
