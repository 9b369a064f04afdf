# Finds a JDK of at least a given feature version on this machine. Sourced (POSIX sh, also
# bash with set -euo pipefail) by .ci/run and ./hoare, so the rule is written once:
#
#   hoare_jdk_major HOME   prints the feature version of the JDK at HOME (21 for 21.0.9, 8 for
#                          1.8.0_392), or 0 when HOME holds no JDK (bin/java and bin/javac).
#   hoare_find_jdk [MIN]   prints the home of a JDK whose feature version is MIN (default 21) or
#                          more, in this order of preference:
#                            1. JAVA_HOME, if it is one;
#                            2. the JDK of the java first on PATH (symlinks followed), if it is one;
#                            3. the newest JDK in /usr/lib/jvm, /usr/java, /usr/jdk, /opt/java,
#                               /opt/jdk*, ~/.sdkman/candidates/java, ~/.jdks, ~/.gradle/jdks,
#                               ~/.m2/jdks, /Library/Java/JavaVirtualMachines.
#                          With none, it says where it looked on stderr and returns 1.
#
# The Maven build does the same by itself when Maven runs on an older JDK (the profile find-jdk
# in pom.xml, through maven-toolchains-plugin's discovery); see docs/building.md.

hoare_jdk_major() {
    local home="$1" v=""
    if [ ! -x "$home/bin/java" ] || [ ! -x "$home/bin/javac" ]; then
        echo 0
        return 0
    fi
    if [ -r "$home/release" ]; then   # every JDK since 9 has it: no JVM to start
        v=$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release" 2>/dev/null || true)
    fi
    if [ -z "$v" ]; then
        v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^ *java\.specification\.version = //p' || true)
    fi
    case "$v" in 1.*) v=${v#1.} ;; esac
    v=${v%%[!0-9]*}
    echo "${v:-0}"
}

hoare_find_jdk() {
    local min="${1:-21}" home java v best="" best_v=0 user_home="${HOME:-/nonexistent}"
    if [ -n "${JAVA_HOME:-}" ] && [ "$(hoare_jdk_major "$JAVA_HOME")" -ge "$min" ]; then
        echo "$JAVA_HOME"
        return 0
    fi
    if java=$(command -v java 2>/dev/null); then
        java=$(readlink -f "$java" 2>/dev/null || echo "$java")
        home=${java%/bin/java}
        if [ "$(hoare_jdk_major "$home")" -ge "$min" ]; then
            echo "$home"
            return 0
        fi
    fi
    for home in /usr/lib/jvm/* /usr/java/* /usr/jdk/* /opt/java/* /opt/jdk* \
            "$user_home"/.sdkman/candidates/java/* "$user_home"/.jdks/* "$user_home"/.gradle/jdks/* \
            "$user_home"/.m2/jdks/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
        [ -d "$home" ] || continue
        v=$(hoare_jdk_major "$home")
        if [ "$v" -gt "$best_v" ]; then
            best="$home"
            best_v="$v"
        fi
    done
    if [ "$best_v" -ge "$min" ]; then
        echo "$best"
        return 0
    fi
    {
        echo "Hoare needs a JDK $min or newer and found none."
        echo "Looked at JAVA_HOME (${JAVA_HOME:-unset}), the java on PATH ($(command -v java 2>/dev/null || echo none)),"
        echo "/usr/lib/jvm, /usr/java, /usr/jdk, /opt/java, /opt/jdk*, ~/.sdkman, ~/.jdks, ~/.gradle/jdks, ~/.m2/jdks."
        echo "Install a JDK $min+ there, or set JAVA_HOME to one, or put its bin first on PATH."
    } >&2
    return 1
}
