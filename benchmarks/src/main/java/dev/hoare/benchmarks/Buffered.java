package dev.hoare.benchmarks;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Buffered streaming: one producer and one consumer ({@link #oneToOne}) and four producers into
 * one consumer ({@link #fourToOne}); cost per message. {@code ltq} is unbounded: its capacity is
 * ignored, so it never makes a producer wait.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Buffered {
    @Param({"hoare", "jox", "abq", "ltq"})
    public String impl;

    @Param({"16", "1024"})
    public int capacity;

    @Param({"platform", "virtual"})
    public String threads;

    private ThreadFactory factory;

    @Setup
    public void setup() {
        factory = Transfer.threads(threads);
    }

    @Benchmark
    @OperationsPerInvocation(Transfer.MESSAGES)
    public long oneToOne() throws Exception {
        return Transfer.run(Pipe.create(impl, capacity), 1, factory);
    }

    @Benchmark
    @OperationsPerInvocation(Transfer.MESSAGES)
    public long fourToOne() throws Exception {
        return Transfer.run(Pipe.create(impl, capacity), 4, factory);
    }
}
