package dev.hoare.soak;

import dev.hoare.channels.ChannelClosedException;
import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One process of the soak ({@link SoakTest}): a producer or the consumer of one channel, written
 * as an application that survives its peers' deaths would be — every blocking call is bounded,
 * a lost peer means reopen and go on.
 *
 * <ul>
 *   <li>{@code producer URI ID LOG STOP}: sends {@code "ID PID SEQ"} for SEQ = 0, 1, 2 … (a send
 *       that times out is retried with the same SEQ: it was not sent; a send that fails because
 *       the channel closed under it is not retried: it may or may not have arrived, and a retry
 *       could deliver it twice). Writes to LOG {@code OPEN pid seq} on each (re)open and
 *       {@code ACKED pid seq} (the last SEQ whose send returned) every 50 sends and when a
 *       channel ends. Once the file STOP exists it prints {@code FINAL from=SEQ}, sends
 *       {@value #FINAL_MESSAGES} more, closes (which waits until they are written) and prints
 *       {@code END last=SEQ}.
 *   <li>{@code consumer URI LOG STOP}: receives and appends {@code "PID VALUE"} to LOG for every
 *       value, with a write each (the kernel keeps it when the process is killed); when the
 *       channel ends (every writer gone) it reopens; it ends once STOP exists and nothing came
 *       for {@value #QUIET_MILLIS} ms. With a fifth argument {@code mark} it also appends
 *       {@code "PID R"} before each receive, so a log ending with it shows a process killed
 *       inside (or just after) a receive — which may have returned a value it never wrote down.
 * </ul>
 *
 * <p>Both print {@code STATS fds=N heap=BYTES} (open descriptors, heap used after a GC) every
 * second (and {@code stall=MS}, the longest time one step of its main loop took: a blocking
 * call, an open), and a watchdog prints {@code HUNG} with every thread's stack and halts with exit code 3
 * if the main loop makes no progress for {@value #HUNG_SECONDS} s: that is how a call that never
 * returns becomes a failure.
 */
public final class SoakChild {
    static final int FINAL_MESSAGES = 500;
    static final long QUIET_MILLIS = 2_000;
    static final int HUNG_SECONDS = 20;
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RECEIVE_TIMEOUT = Duration.ofMillis(500);

    private static final AtomicLong progress = new AtomicLong(System.nanoTime());
    /** The longest time between two steps of the main loop so far, in nanoseconds. */
    private static final AtomicLong longestStall = new AtomicLong();

    private SoakChild() {
    }

    public static void main(String[] args) throws Exception {
        startWatchdogAndStats();
        switch (args[0]) {
            case "producer" -> produce(URI.create(args[1]), args[2], Path.of(args[3]), Path.of(args[4]));
            case "consumer" -> consume(URI.create(args[1]), Path.of(args[2]), Path.of(args[3]), args.length > 4 && args[4].equals("mark"));
            default -> throw new IllegalArgumentException(args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    private static void produce(URI uri, String id, Path log, Path stop) throws Exception {
        long pid = ProcessHandle.current().pid();
        try (FileChannel out = append(log)) {
            long seq = 0;
            long finalFrom = -1;
            while (true) {
                SendChannel<String> channel;
                try {
                    channel = Channels.openSend(uri, Codec.utf8());
                } catch (IOException | RuntimeException e) {
                    print("OPENFAIL " + e);
                    tick();
                    continue;
                }
                tick();
                write(out, "OPEN " + pid + " " + seq + "\n");
                print("OPEN seq=" + seq);
                long acked = -1;
                try {
                    while (true) {
                        if (finalFrom < 0 && Files.exists(stop)) {
                            finalFrom = seq;
                            print("FINAL from=" + seq);
                        }
                        if (finalFrom >= 0 && seq >= finalFrom + FINAL_MESSAGES) {
                            channel.close();
                            write(out, "ACKED " + pid + " " + acked + "\n");
                            write(out, "END " + pid + " " + acked + "\n");
                            print("END last=" + acked);
                            return;
                        }
                        boolean sent = channel.send(id + " " + pid + " " + seq, SEND_TIMEOUT);
                        tick();
                        if (sent) {
                            acked = seq++;
                            if (acked % 50 == 0) {
                                write(out, "ACKED " + pid + " " + acked + "\n");
                            }
                        }
                    }
                } catch (ChannelClosedException e) {
                    tick();
                    write(out, "ACKED " + pid + " " + acked + "\n");
                    print("LOST at seq=" + seq + ": " + describe(e));
                    seq++; // it may have arrived: never send it again
                    channel.close();
                }
            }
        }
    }

    private static void consume(URI uri, Path log, Path stop, boolean mark) throws Exception {
        long pid = ProcessHandle.current().pid();
        try (FileChannel out = append(log)) {
            while (true) {
                ReceiveChannel<String> channel;
                try {
                    channel = Channels.openReceive(uri, Codec.utf8());
                } catch (IOException | RuntimeException e) {
                    print("OPENFAIL " + e);
                    tick();
                    if (Files.exists(stop)) {
                        return;
                    }
                    continue;
                }
                tick();
                print("OPEN");
                long quietSince = System.nanoTime();
                try {
                    while (true) {
                        if (mark) {
                            write(out, pid + " R\n");
                        }
                        Optional<String> value = channel.receive(RECEIVE_TIMEOUT);
                        tick();
                        if (value.isPresent()) {
                            write(out, pid + " " + value.get() + "\n");
                            quietSince = System.nanoTime();
                        } else if (Files.exists(stop) && System.nanoTime() - quietSince > QUIET_MILLIS * 1_000_000) {
                            channel.cancel();
                            print("END");
                            return;
                        }
                    }
                } catch (ChannelClosedException e) {
                    tick();
                    print("LOST " + describe(e));
                    channel.cancel();
                }
            }
        }
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause();
        return e.getClass().getSimpleName() + (cause == null ? "" : " (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")");
    }

    private static FileChannel append(Path log) throws IOException {
        return FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static void write(FileChannel out, String line) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        while (b.hasRemaining()) {
            out.write(b);
        }
    }

    private static void tick() {
        long now = System.nanoTime();
        long gap = now - progress.getAndSet(now);
        longestStall.accumulateAndGet(gap, Math::max);
    }

    private static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static void startWatchdogAndStats() {
        Thread.ofPlatform().daemon().name("soak-watchdog").start(() -> {
            while (true) {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                System.gc();
                Runtime rt = Runtime.getRuntime();
                print("STATS fds=" + openFiles() + " heap=" + (rt.totalMemory() - rt.freeMemory())
                        + " stall=" + longestStall.get() / 1_000_000);
                if (System.nanoTime() - progress.get() > HUNG_SECONDS * 1_000_000_000L) {
                    StringBuilder dump = new StringBuilder("HUNG: no progress for " + HUNG_SECONDS + " s\n");
                    for (var info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false)) {
                        dump.append(info);
                    }
                    print(dump.toString());
                    Runtime.getRuntime().halt(3);
                }
            }
        });
    }

    private static long openFiles() {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }
}
