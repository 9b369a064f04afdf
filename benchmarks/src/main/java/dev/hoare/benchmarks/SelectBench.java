package dev.hoare.benchmarks;

import dev.hoare.channels.Select;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
 * Select over 1, 2 or 4 receive cases, Hoare against jox.
 * {@link #ready}: one thread; the last case's channel (buffered) holds a value, so the select
 * never waits; one op = a send plus a select. {@link #woken}: no case is ready when the consumer
 * selects over unbuffered channels; a producer's send on the last one completes it; one op = one
 * message (virtual threads, batch of {@link Transfer#MESSAGES}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SelectBench {
    @Param({"hoare", "jox"})
    public String impl;

    @Param({"1", "2", "4"})
    public int cases;

    private static final Integer VALUE = 42;
    private Pipe readyPipe;

    @Setup
    public void setup() {
        readyPipe = pipe(impl, cases, 1);
    }

    @Benchmark
    public Integer ready() throws InterruptedException {
        readyPipe.put(VALUE);
        return readyPipe.take();
    }

    @Benchmark
    @OperationsPerInvocation(Transfer.MESSAGES)
    public long woken() throws Exception {
        return Transfer.run(pipe(impl, cases, 0), 1, Transfer.threads("virtual"));
    }

    /** put sends on the last of {@code n} channels; take selects over all of them. */
    static Pipe pipe(String impl, int n, int capacity) {
        return switch (impl) {
            case "hoare" -> {
                @SuppressWarnings("unchecked")
                dev.hoare.channels.Channel<Integer>[] chans = new dev.hoare.channels.Channel[n];
                for (int i = 0; i < n; i++) {
                    chans[i] = capacity == 0 ? dev.hoare.channels.Channel.unbuffered() : dev.hoare.channels.Channel.buffered(capacity);
                }
                Function<Integer, Integer> id = v -> v;
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        chans[n - 1].send(v);
                    }

                    public Integer take() throws InterruptedException {
                        dev.hoare.channels.Select<Integer> s = dev.hoare.channels.Select.select();
                        for (dev.hoare.channels.Channel<Integer> ch : chans) {
                            s.onReceive(ch, id);
                        }
                        return s.run();
                    }
                };
            }
            case "jox" -> {
                @SuppressWarnings("unchecked")
                com.softwaremill.jox.Channel<Integer>[] chans = new com.softwaremill.jox.Channel[n];
                for (int i = 0; i < n; i++) {
                    chans[i] = capacity == 0 ? com.softwaremill.jox.Channel.newRendezvousChannel()
                            : com.softwaremill.jox.Channel.newBufferedChannel(capacity);
                }
                yield new Pipe() {
                    public void put(Integer v) throws InterruptedException {
                        chans[n - 1].send(v);
                    }

                    @SuppressWarnings("unchecked")
                    public Integer take() throws InterruptedException {
                        com.softwaremill.jox.SelectClause<Integer>[] clauses = new com.softwaremill.jox.SelectClause[n];
                        for (int i = 0; i < n; i++) {
                            clauses[i] = chans[i].receiveClause();
                        }
                        return com.softwaremill.jox.Select.select(clauses);
                    }
                };
            }
            default -> throw new IllegalArgumentException("unknown impl " + impl);
        };
    }
}
