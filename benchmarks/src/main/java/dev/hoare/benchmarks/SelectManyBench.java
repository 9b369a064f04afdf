package dev.hoare.benchmarks;

import dev.hoare.channels.Select;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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
 * Select over many channels (issue 26): 16, 256 or 1,024 receive cases.
 * <ul>
 *   <li>{@link #ready}: one thread; a value is sent to one channel picked at random, then a select
 *       over all of them takes it (it never waits). One op = a send plus a select. Hoare's select
 *       is built once ({@code onReceiveEach}) and run again each time, as Go's {@code reflect.Select}
 *       takes a prepared slice of cases; {@code hoare-build} builds it anew each time; jox builds
 *       its clauses each time (its API).</li>
 *   <li>{@link #woken}: virtual threads; a consumer selects over unbuffered channels, a producer
 *       sends {@link #WOKEN_MESSAGES} values, each to a channel picked at random; a select finds the
 *       producer waiting or waits for it. One op = one message.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SelectManyBench {
    static final int WOKEN_MESSAGES = 2_000;
    private static final Integer VALUE = 42;

    @Param({"hoare", "hoare-build", "jox"})
    public String impl;

    @Param({"16", "256", "1024"})
    public int cases;

    private Many ready;

    @Setup
    public void setup() {
        ready = many(impl, cases, 1);
    }

    @Benchmark
    public Integer ready() throws InterruptedException {
        ready.send(ThreadLocalRandom.current().nextInt(cases), VALUE);
        return ready.select();
    }

    @Benchmark
    @OperationsPerInvocation(WOKEN_MESSAGES)
    public long woken() throws Exception {
        Many m = many(impl, cases, 0);
        Thread producer = Thread.ofVirtual().start(() -> {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            try {
                for (int i = 0; i < WOKEN_MESSAGES; i++) {
                    m.send(random.nextInt(cases), i);
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long[] sum = new long[1];
        Thread consumer = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < WOKEN_MESSAGES; i++) {
                    sum[0] += m.select();
                }
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        if (!consumer.join(java.time.Duration.ofSeconds(Transfer.TIMEOUT_SECONDS))) {
            throw new IllegalStateException("woken: the consumer did not finish");
        }
        producer.join();
        return sum[0];
    }

    /** n channels: a send to channel i, and a select over all of them. */
    interface Many {
        void send(int i, Integer v) throws InterruptedException;

        Integer select() throws InterruptedException;
    }

    static Many many(String impl, int n, int capacity) {
        return switch (impl) {
            case "hoare", "hoare-build" -> {
                List<dev.hoare.channels.Channel<Integer>> chans = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    chans.add(capacity == 0 ? dev.hoare.channels.Channel.unbuffered() : dev.hoare.channels.Channel.buffered(capacity));
                }
                boolean build = impl.equals("hoare-build");
                dev.hoare.channels.Select<Integer> once = dev.hoare.channels.Select.<Integer>select()
                        .onReceiveEach(chans, (ch, v) -> v);
                yield new Many() {
                    public void send(int i, Integer v) throws InterruptedException {
                        chans.get(i).send(v);
                    }

                    public Integer select() throws InterruptedException {
                        if (build) {
                            return dev.hoare.channels.Select.<Integer>select().onReceiveEach(chans, (ch, v) -> v).run();
                        }
                        return once.run();
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
                yield new Many() {
                    public void send(int i, Integer v) throws InterruptedException {
                        chans[i].send(v);
                    }

                    @SuppressWarnings("unchecked")
                    public Integer select() throws InterruptedException {
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
