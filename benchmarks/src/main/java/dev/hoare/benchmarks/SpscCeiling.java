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
 * The ceiling for a bounded 1P1C conduit: {@link SpscQueue}, which never blocks (a full put and an
 * empty take spin, then yield), moving the same messages as {@link Buffered#oneToOne}. A reference
 * row, not a peer: it takes a core per waiting side and admits one producer only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SpscCeiling {
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
        SpscQueue<Integer> q = new SpscQueue<>(capacity);
        return Transfer.run(new Pipe() {
            public void put(Integer v) {
                q.put(v);
            }

            public Integer take() {
                return q.take();
            }
        }, 1, factory);
    }
}
