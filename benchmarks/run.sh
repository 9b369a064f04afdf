#!/usr/bin/env bash
# Builds the JMH jar and runs every benchmark in one JMH run, then prints the table and the ratios
# the project's targets are stated in (docs/benchmarks.md).
# (Aeron IPC is measured by a jar of its own: see benchmarks-aeron in docs/benchmarks.md.)
#   benchmarks/run.sh                     # full run (78 configurations, ~12 minutes on 2 cores)
#   QUICK=1 benchmarks/run.sh             # smoke run (~2 minutes): checks that everything runs, figures meaningless
#   JMH_ARGS="..." benchmarks/run.sh      # any JMH options instead of the defaults
#   JMH_EXTRA="Buffered -p threads=virtual" benchmarks/run.sh   # options added to the defaults
#   MVN=mvn benchmarks/run.sh             # build with another Maven than ./mvnw
# The JDK: $JAVA_HOME if it is 21+, else the newest 21+ among `java` on PATH and /usr/lib/jvm/*,
# /opt/java/*, /opt/jdk*, ~/.sdkman/candidates/java/*, /Library/Java/JavaVirtualMachines/*/Contents/Home.
set -euo pipefail
cd "$(dirname "$0")/.."

# major version of a java binary, 0 if it is missing or does not run
java_major() {
    local v
    v=$("$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}' | cut -d. -f1) || true
    [[ "$v" =~ ^[0-9]+$ ]] && echo "$v" || echo 0
}
if [ -z "${JAVA_HOME:-}" ] || [ "$(java_major "$JAVA_HOME/bin/java")" -lt 21 ]; then
    [ -n "${JAVA_HOME:-}" ] && echo "JAVA_HOME=$JAVA_HOME is not a JDK 21+; looking for one" >&2
    best=""; best_v=0
    candidates=()
    if command -v java >/dev/null 2>&1 && command -v readlink >/dev/null 2>&1; then
        path_java=$(readlink -f "$(command -v java)" 2>/dev/null || true)
        [ -n "$path_java" ] && candidates+=("$(dirname "$(dirname "$path_java")")")
    fi
    for home in /usr/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
                /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        candidates+=("$home")
    done
    for home in "${candidates[@]}"; do
        [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
        v=$(java_major "$home/bin/java")
        if [ "$v" -gt "$best_v" ]; then best=$home; best_v=$v; fi
    done
    [ "$best_v" -ge 21 ] || { echo "no JDK 21+ found; set JAVA_HOME to one" >&2; exit 1; }
    export JAVA_HOME=$best
fi
echo "JDK: $JAVA_HOME ($("$JAVA_HOME/bin/java" -version 2>&1 | head -1))"

${MVN:-./mvnw} -q -B -DskipTests -pl benchmarks -am package

if [ -n "${QUICK:-}" ]; then
    defaults="-f 1 -wi 1 -w 200ms -i 1 -r 300ms"
else
    defaults="-f 1 -wi 3 -w 1s -i 5 -r 1s"
fi
result=benchmarks/target/jmh-result.json
start=$(date +%s)
# shellcheck disable=SC2086
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar benchmarks/target/benchmarks.jar ${JMH_ARGS:-$defaults} ${JMH_EXTRA:-} -rf json -rff "$result"
echo "JMH took $(( $(date +%s) - start )) s"
python3 benchmarks/report.py "$result"
