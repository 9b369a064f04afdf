package dev.hoare.examples.cli;

import dev.hoare.channels.Channels;
import dev.hoare.channels.Codec;
import dev.hoare.channels.ReceiveChannel;
import dev.hoare.channels.SendChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hoare bench TRANSPORT}: a quick two-process throughput and round-trip measurement. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures a transport between two processes: throughput and round trip.",
                "Between this process and a child it starts: streaming throughput (half the time), then round trips"
                        + " (the other half), with a live progress line on a terminal. For figures to compare, use the"
                        + " JMH suite (docs/benchmarks.md)."})
final class BenchCommand implements Callable<Integer> {
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

    @Parameters(index = "0", paramLabel = "TRANSPORT", description = "fifo, uds or shm")
    String transport;

    @Option(names = "--size", paramLabel = "B", defaultValue = "64", description = "bytes per message (default 64)")
    int size;

    @Option(names = "--seconds", paramLabel = "S", defaultValue = "4", description = "how long in all (default 4)")
    double seconds;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private PrintWriter out;
    private final boolean live = System.console() != null;

    @Override
    public Integer call() throws Exception {
        if (size < 1 || size > (1 << 20)) {
            throw new ParameterException(spec.commandLine(), "--size must be 1 to 1048576 bytes, was " + size);
        }
        if (!(seconds > 0 && seconds <= 3600)) {
            throw new ParameterException(spec.commandLine(), "--seconds must be more than 0 and at most 3600, was " + seconds);
        }
        out = spec.commandLine().getOut();
        long half = (long) (seconds * 1e9 / 2);
        byte[] message = new byte[size];
        try (Scratch scratch = Hoare.usage(spec, () -> new Scratch(transport, "bench"))) {
            out.printf("hoare bench %s: %d-byte messages, %.1f s, this process and a child%n", transport, size, seconds);
            stream(scratch, message, half);
            roundTrips(scratch, message, half);
        }
        return 0;
    }

    private void stream(Scratch scratch, byte[] message, long nanos) throws Exception {
        Process child = Children.start("child", "count", scratch.receiving("stream").toString(), scratch.sending("count").toString());
        try (SendChannel<byte[]> to = Channels.openSend(scratch.sending("stream"), Codec.bytes());
                ReceiveChannel<String> count = Channels.openReceive(scratch.receiving("count"), Codec.utf8())) {
            long start = System.nanoTime();
            long sent = 0;
            long nextProgress = start + PROGRESS_NANOS;
            for (long now = start; now - start < nanos; now = System.nanoTime()) {
                for (int i = 0; i < 64; i++) {
                    to.send(message);
                }
                sent += 64;
                if (live && now - nextProgress >= 0) {
                    nextProgress = now + PROGRESS_NANOS;
                    out.printf("\r  streaming: %,d messages, %,.0f msgs/s   ", sent, sent / ((now - start) / 1e9));
                    out.flush();
                }
            }
            to.close(); // the child counts until the close, then answers
            long counted = Long.parseLong(count.receive());
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (counted != sent) {
                throw new IOException("the child received " + counted + " of " + sent + " messages");
            }
            out.printf("\r  streaming:  %,.0f msgs/s, %,.1f MB/s (%,d messages in %.2f s, all received)%n",
                    sent / elapsed, sent * (double) message.length / elapsed / 1e6, sent, elapsed);
        } finally {
            finish(child);
        }
    }

    private void roundTrips(Scratch scratch, byte[] message, long nanos) throws Exception {
        Process child = Children.start("child", "echo", scratch.receiving("ping").toString(), scratch.sending("pong").toString());
        long[] samples = new long[1 << 20];
        int n = 0;
        try (SendChannel<byte[]> ping = Channels.openSend(scratch.sending("ping"), Codec.bytes());
                ReceiveChannel<byte[]> pong = Channels.openReceive(scratch.receiving("pong"), Codec.bytes())) {
            long start = System.nanoTime();
            long nextProgress = start + PROGRESS_NANOS;
            for (long now = start; now - start < nanos && n < samples.length; ) {
                ping.send(message);
                pong.receive();
                long after = System.nanoTime();
                samples[n++] = after - now;
                now = after;
                if (live && now - nextProgress >= 0) {
                    nextProgress = now + PROGRESS_NANOS;
                    out.printf("\r  round trips: %,d, last %s   ", n, micros(samples[n - 1]));
                    out.flush();
                }
            }
        } finally {
            finish(child);
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        out.printf("\r  round trip: p50 %s, p99 %s, p99.9 %s, max %s (%,d round trips)%n", micros(percentile(sorted, 0.50)),
                micros(percentile(sorted, 0.99)), micros(percentile(sorted, 0.999)), micros(sorted[n - 1]), n);
        out.flush();
    }

    private static long percentile(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)];
    }

    private static String micros(long nanos) {
        return String.format("%,.1f µs", nanos / 1e3);
    }

    private static void finish(Process child) throws InterruptedException {
        if (!child.waitFor(10, TimeUnit.SECONDS)) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
