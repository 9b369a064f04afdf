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

/**
 * {@code hoare bench TRANSPORT}: a quick two-process throughput and round-trip measurement of one
 * transport ({@code fifo}, {@code uds}, {@code shm}, or {@code aeron} over loopback UDP), on the
 * channels of a {@link Scratch}. On a terminal it redraws a progress line
 * ({@link BenchChart#progress}: the phase, a bar of the whole run and the time left) every
 * {@link #PROGRESS_NANOS}; the summary has a chart beside each figure (throughput per eighth of
 * the streaming phase, round-trip percentiles). Off a terminal only the summary is printed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measures a transport between two processes: throughput and round trip.",
                "Between this process and a child it starts: streaming throughput (half the time), then round trips"
                        + " (the other half), with a progress bar and the time left on a terminal; the summary charts the"
                        + " throughput over time and the round-trip percentiles. For figures to compare, use the JMH suite"
                        + " (docs/benchmarks.md).",
                "aeron: both processes embed a media driver and talk over loopback UDP; -Dhoare.aeron.idle=backoff|yield|spin"
                        + " (given to java, before -jar) sets both processes' idle strategy (backoff by default; yield and spin keep"
                        + " threads busy in each process: shorter round trips only with cores to spare)."})
final class BenchCommand implements Callable<Integer> {
    private static final long PROGRESS_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
    /** The progress line's width: it must not wrap on an 80-column terminal, or \r would not take it back. */
    private static final int PROGRESS_WIDTH = 79;
    /** Slices of the streaming phase charted in the summary. */
    private static final int SLICES = 8;

    @Parameters(index = "0", paramLabel = "TRANSPORT", description = "fifo, uds, shm or aeron (loopback UDP)")
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
        try (Scratch scratch = Hoare.usage(spec, () -> new Scratch(transport, "bench", size))) {
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
            long[] sliceSent = new long[SLICES + 1]; // messages sent by the end of each slice
            long[] sliceEnd = new long[SLICES + 1]; // when each slice ended, nanoseconds from start
            int slice = 0;
            for (long now = start; now - start < nanos; now = System.nanoTime()) {
                for (int i = 0; i < 64; i++) {
                    to.send(message);
                }
                sent += 64;
                while (slice < SLICES - 1 && now - start >= (slice + 1) * nanos / SLICES) {
                    sliceSent[++slice] = sent;
                    sliceEnd[slice] = slice * nanos / SLICES; // the planned end: a stall over two ends divides by no 0
                }
                if (live && now - nextProgress >= 0) {
                    nextProgress = now + PROGRESS_NANOS;
                    progress("streaming", (now - start) / 2.0 / nanos, String.format("%,.0f msgs/s", sent / ((now - start) / 1e9)));
                }
            }
            sliceSent[SLICES] = sent;
            sliceEnd[SLICES] = System.nanoTime() - start;
            to.close(); // the child counts until the close, then answers
            long counted = Long.parseLong(count.receive());
            double elapsed = (System.nanoTime() - start) / 1e9;
            if (counted != sent) {
                throw new IOException("the child received " + counted + " of " + sent + " messages");
            }
            clearProgress();
            out.printf("  streaming:  %,.0f msgs/s, %,.1f MB/s (%,d messages in %.2f s, all received)%n",
                    sent / elapsed, sent * (double) message.length / elapsed / 1e6, sent, elapsed);
            double[] rates = new double[slice + 1];
            for (int i = 1; i <= slice; i++) { // slices before the last: the last one ran to the end of the phase
                rates[i - 1] = (sliceSent[i] - sliceSent[i - 1]) / ((sliceEnd[i] - sliceEnd[i - 1]) / 1e9);
            }
            rates[slice] = (sliceSent[SLICES] - sliceSent[slice]) / ((sliceEnd[SLICES] - sliceEnd[slice]) / 1e9);
            BenchChart.throughput(rates, nanos / 1e9 / SLICES).forEach(out::println);
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
                    progress("round trips", 0.5 + (now - start) / 2.0 / nanos, String.format("%,d, last %s", n, micros(samples[n - 1])));
                }
            }
        } finally {
            finish(child);
        }
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        clearProgress();
        out.printf("  round trip: p50 %s, p99 %s, p99.9 %s, max %s (%,d round trips)%n", micros(percentile(sorted, 0.50)),
                micros(percentile(sorted, 0.99)), micros(percentile(sorted, 0.999)), micros(sorted[n - 1]), n);
        BenchChart.percentiles(java.util.List.of("p50", "p99", "p99.9", "max"),
                new long[] {percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999), sorted[n - 1]})
                .forEach(out::println);
        out.flush();
    }

    /** Redraws the progress line (on a terminal only: the caller checks {@link #live}). */
    private void progress(String phase, double fraction, String detail) {
        String line = BenchChart.progress(phase, fraction, (1 - fraction) * seconds, detail, PROGRESS_WIDTH);
        out.print("\r" + line + " ".repeat(PROGRESS_WIDTH - line.length())); // blanks, not an escape code, cover a longer line before
        out.flush();
    }

    /** Takes the progress line away, if there is one, so that the summary's line starts clean. */
    private void clearProgress() {
        if (live) {
            out.print("\r" + " ".repeat(PROGRESS_WIDTH) + "\r");
        }
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
