package dev.hoare.benchmarks;

/**
 * The liveness the stream benchmarks give their channels: the system property
 * {@code hoare.bench.liveness} (such as {@code 5s}; default {@code 0s}, off). To measure with the
 * heartbeat on, give it to the JMH fork and to the child JVMs:
 * {@code HOARE_CHILD_JVM_OPTS=-Dhoare.bench.liveness=5s java -jar benchmarks.jar ... -jvmArgsAppend -Dhoare.bench.liveness=5s}.
 */
final class BenchLiveness {
    private BenchLiveness() {
    }

    /** @return the URI option value */
    static String option() {
        return System.getProperty("hoare.bench.liveness", "0s");
    }
}
