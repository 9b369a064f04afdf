#!/usr/bin/env bash
# Builds the JMH jar and runs every benchmark in one JMH run, then prints the table and the ratios
# the project's targets are stated in (docs/benchmarks.md).
#   benchmarks/run.sh                 # full run (~7 minutes on 2 cores)
#   QUICK=1 benchmarks/run.sh         # smoke run (~1 minute): checks that everything runs, figures meaningless
#   JMH_ARGS="..." benchmarks/run.sh  # any JMH options instead of the defaults
set -euo pipefail
cd "$(dirname "$0")/.."

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1; }
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME/bin/java")" -lt 21 ]; then
    best=""; best_v=0
    for home in /usr/lib/jvm/* /opt/java/* /opt/jdk*; do
        [ -x "$home/bin/java" ] || continue
        v=$(java_major "$home/bin/java"); [ "${v:-0}" -gt "$best_v" ] && { best=$home; best_v=$v; }
    done
    [ "$best_v" -ge 21 ] || { echo "no JDK 21+ found; set JAVA_HOME" >&2; exit 1; }
    export JAVA_HOME=$best
fi
echo "JDK: $("$JAVA_HOME/bin/java" -version 2>&1 | head -1)"

./mvnw -q -B -DskipTests -pl benchmarks -am package

if [ -n "${QUICK:-}" ]; then
    defaults="-f 1 -wi 1 -w 200ms -i 1 -r 300ms"
else
    defaults="-f 1 -wi 3 -w 1s -i 5 -r 1s"
fi
result=benchmarks/target/jmh-result.json
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" -jar benchmarks/target/benchmarks.jar ${JMH_ARGS:-$defaults} -rf json -rff "$result"
python3 benchmarks/report.py "$result"
