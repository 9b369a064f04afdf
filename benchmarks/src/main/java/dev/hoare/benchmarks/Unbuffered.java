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

/** Rendezvous handoff, one producer and one consumer: cost per message. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class Unbuffered {
    @Param({"hoare", "jox", "sq", "ltq"})
    public String impl;

    @Param({"platform", "virtual"})
    public String threads;

    private ThreadFactory factory;

    @Setup
    public void setup() {
        factory = Transfer.threads(threads);
    }

    @Benchmark
    @OperationsPerInvocation(Transfer.MESSAGES)
    public long ping() throws Exception {
        return Transfer.run(Pipe.create(impl, 0), 1, factory);
    }
}
