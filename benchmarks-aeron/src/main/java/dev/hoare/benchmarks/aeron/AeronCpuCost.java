package dev.hoare.benchmarks.aeron;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * CPU cost of {@link AeronUdpBench}'s setups, idle and under load: for each {@code impl}, the two
 * JVMs' process CPU time per wall-clock second (1.0 is one core busy) while the channels are open
 * and nothing moves, then while the benchmark thread does round trips (or receives the child's
 * stream) as fast as it can, with the operations per second. Run with the idle strategy to
 * measure: {@code java --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
 * [-Dhoare.aeron.idle=yield] -cp benchmarks-aeron/target/benchmarks-aeron.jar dev.hoare.benchmarks.aeron.AeronCpuCost [SECONDS [REGEX]]}
 * (REGEX picks among {@code round trip IMPL} and {@code streaming IMPL}).
 */
public final class AeronCpuCost {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private AeronCpuCost() {
    }

    public static void main(String[] args) throws Exception {
        long seconds = args.length > 0 ? Long.parseLong(args[0]) : 5;
        String only = args.length > 1 ? args[1] : ".*"; // a regex on "round trip IMPL" / "streaming IMPL"
        System.out.printf("idle strategy: %s; CPU = process CPU seconds per second (parent / child)%n",
                System.getProperty(AeronUdpBench.IDLE_PROPERTY, "backoff"));
        for (String impl : List.of("aeron-64", "raw-aeron", "uds-64")) {
            if (!("round trip " + impl).matches(only)) {
                continue;
            }
            AeronUdpBench.RoundTrip b = new AeronUdpBench.RoundTrip();
            b.impl = impl;
            b.setup();
            try {
                for (int i = 0; i < 2000; i++) { // warm up, and the handshakes are over
                    b.roundTrip();
                }
                Thread.sleep(1000);
                measure("round trip " + impl, "idle", b.child, seconds, () -> Thread.sleep(100));
                measure("round trip " + impl, "load", b.child, seconds, b::roundTrip);
            } finally {
                b.tearDown();
            }
        }
        for (String impl : List.of("aeron-1024", "aeron-64", "raw-aeron", "uds-1024")) {
            if (!("streaming " + impl).matches(only)) {
                continue;
            }
            AeronUdpBench.Streaming b = new AeronUdpBench.Streaming();
            b.impl = impl;
            b.setup();
            try {
                for (int i = 0; i < 100_000; i++) {
                    b.receive();
                }
                measure("streaming " + impl, "load", b.child, seconds, b::receive);
            } finally {
                b.tearDown();
            }
        }
        System.exit(0); // Aeron's driver and client threads are not daemons: the JVM would not end with main
    }

    interface Op {
        void run() throws Exception;
    }

    private static void measure(String what, String phase, Process child, long seconds, Op op) throws Exception {
        long parent0 = OS.getProcessCpuTime();
        long child0 = childCpu(child);
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        long ops = 0;
        while (System.nanoTime() < end) {
            op.run();
            ops++;
        }
        double wall = (System.nanoTime() - start) / 1e9;
        double parent = (OS.getProcessCpuTime() - parent0) / 1e9 / wall;
        double childCpu = (childCpu(child) - child0) / 1e9 / wall;
        System.out.printf(Locale.ROOT, "%-24s %s: CPU %.2f / %.2f%s%n", what, phase, parent, childCpu,
                phase.equals("idle") ? "" : String.format(Locale.ROOT, ", %.0f ops/s", ops / wall));
        System.out.flush();
    }

    private static long childCpu(Process child) {
        return child.info().totalCpuDuration().orElseThrow().toNanos();
    }
}
