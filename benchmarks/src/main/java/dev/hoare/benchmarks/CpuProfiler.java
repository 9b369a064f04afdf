package dev.hoare.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, beside the time per operation: the process's CPU time (every thread:
 * producers, consumer, virtual threads' carriers, GC and JIT) over each iteration, scaled to the
 * iteration's score. {@code -prof dev.hoare.benchmarks.CpuProfiler} adds two secondary results:
 * {@code cpu.ns/op} (CPU nanoseconds spent per operation: equal to the score when one core is
 * busy all the time, twice it when two are) and {@code cpu.cores} (cores busy on average).
 * Per-thread {@code ThreadMXBean} CPU time does not see virtual threads, and the JMH thread
 * itself only joins the workers (it is parked), so the process's time is what the workers spent.
 * For AverageTime benchmarks (the score is time per operation).
 */
public final class CpuProfiler implements InternalProfiler {
    private static final com.sun.management.OperatingSystemMXBean OS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private long cpuStart;
    private long wallStart;

    @Override
    public String getDescription() {
        return "process CPU time per operation (ns/op) and cores busy, per iteration";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        wallStart = System.nanoTime();
        cpuStart = OS.getProcessCpuTime();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult result) {
        long cpu = OS.getProcessCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        double cores = (double) cpu / wall;
        double scorePerOp = result.getPrimaryResult().getScore();
        return List.of(
                new ScalarResult("cpu.ns/op", cores * scorePerOp, result.getPrimaryResult().getScoreUnit(), AggregationPolicy.AVG),
                new ScalarResult("cpu.cores", cores, "cores", AggregationPolicy.AVG));
    }
}
