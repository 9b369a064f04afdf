#!/usr/bin/env bash
# Builds benchmarks-aeron and measures the aeron: transport across two JVMs (issue 25, docs/benchmarks.md,
# "aeron: across two JVMs"): AeronUdpBench with the default idle strategy (backoff) and with
# -Dhoare.aeron.idle=yield, alternately, RUNS times; then AeronCpuCost (both JVMs' CPU per second, idle
# and under load) for each setup in a JVM of its own (the transport's embedded media driver lives until
# its JVM exits), for both idle strategies.
#   benchmarks-aeron/run.sh                    # RUNS=2, -f 1 -wi 3 -w 1s -i 5 -r 1s (~8 minutes)
#   RUNS=3 benchmarks-aeron/run.sh
#   JMH_ARGS="AeronUdpBench.RoundTrip -f 1 -wi 3 -w 1s -i 5 -r 1s" benchmarks-aeron/run.sh
#   CPU=0 benchmarks-aeron/run.sh              # without AeronCpuCost
# Results: benchmarks-aeron/target/jmh-RUN-IDLE.json. (Aeron IPC against the shm ring, AeronPingPongBench,
# runs from benchmarks/run.sh with REPORT=1, or: java ... -jar benchmarks-aeron/target/benchmarks-aeron.jar AeronPingPongBench)
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
${MVN:-./mvnw} -q -B -DskipTests -pl benchmarks-aeron -am package
jar=benchmarks-aeron/target/benchmarks-aeron.jar
args=${JMH_ARGS:-AeronUdpBench -f 1 -wi 3 -w 1s -i 5 -r 1s}
for run in $(seq 1 "${RUNS:-2}"); do
    for idle in backoff yield; do
        echo "=== run $run, -Dhoare.aeron.idle=$idle, $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
        # shellcheck disable=SC2086
        "$JAVA" --enable-native-access=ALL-UNNAMED -jar "$jar" $args -jvmArgsAppend "-Dhoare.aeron.idle=$idle" \
            -rf json -rff "benchmarks-aeron/target/jmh-$run-$idle.json"
    done
done
[ "${CPU:-1}" = 0 ] && exit
for idle in backoff yield; do
    for what in "round trip aeron-64" "round trip raw-aeron" "round trip uds-64" \
                "streaming aeron-1024" "streaming aeron-64" "streaming raw-aeron" "streaming uds-1024"; do
        "$JAVA" --enable-native-access=ALL-UNNAMED --add-exports java.base/jdk.internal.misc=ALL-UNNAMED \
            -Dhoare.aeron.idle=$idle -cp "$jar" dev.hoare.benchmarks.aeron.AeronCpuCost 5 "$what" 2>&1 | grep -v '^WARNING'
    done
done
