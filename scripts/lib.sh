# Shared by ./dnsmig, scripts/setup and scripts/test (sourced, not executed).
# Everything here is idempotent and quiet when there is nothing to do.

DNSMIG_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf 'dnsmig: %s\n' "$*" >&2; }

# jdk_major DIR: the feature version of the JDK in DIR (17, 21, 25, ...), 0 if unknown.
# Read from DIR/release, so no JVM is started.
jdk_major() {
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -1)
    echo "${v:-0}"
}

# ensure_java: exports JAVA_HOME for a JDK >= 21: $JAVA_HOME if it is one, else the newest under /usr/lib/jvm.
ensure_java() {
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && [ "$(jdk_major "$JAVA_HOME")" -ge 21 ]; then
        return 0
    fi
    local best="" best_v=0 d v
    for d in /usr/lib/jvm/*/; do
        d=${d%/}
        [ -x "$d/bin/javac" ] || continue
        v=$(jdk_major "$d")
        if [ "$v" -ge 21 ] && [ "$v" -gt "$best_v" ]; then best=$d; best_v=$v; fi
    done
    if [ -z "$best" ]; then
        say "no JDK 21 or newer found (JAVA_HOME, /usr/lib/jvm/*); install one, e.g. apt-get install openjdk-21-jdk-headless"
        return 1
    fi
    export JAVA_HOME=$best
}

# ensure_packages: BIND 9 (the legacy server, its tools and dig/nsupdate/dnstap-read: the test oracles) and dnsperf, when missing.
ensure_packages() {
    local missing=()
    command -v named >/dev/null 2>&1 || missing+=(bind9)
    command -v named-compilezone >/dev/null 2>&1 || missing+=(bind9-utils)
    command -v dnstap-read >/dev/null 2>&1 || missing+=(bind9-dnsutils)
    command -v dnsperf >/dev/null 2>&1 || missing+=(dnsperf)
    command -v python3 >/dev/null 2>&1 || missing+=(python3)
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
            say "missing packages ${missing[*]} and not root: install them (apt-get install ${missing[*]})"; return 1
        fi
    fi
    say "installing ${missing[*]} (apt-get)"
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/tmp/dnsmig-apt.log 2>&1; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >>/tmp/dnsmig-apt.log 2>&1
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>/tmp/dnsmig-apt.log 2>&1 \
            || { say "apt-get install ${missing[*]} failed; see /tmp/dnsmig-apt.log"; return 1; }
    fi
}

# ensure_pg_user: PostgreSQL refuses to run as root; as root, the local PostgreSQL runs as user 'dnsmig'.
ensure_pg_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id dnsmig >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin dnsmig 2>/dev/null \
        || say "could not create user dnsmig; the local PostgreSQL will run as 'nobody'"
}

# jar_stale: true when the unpacked application is missing or older than any source, resource or pom.
jar_stale() {
    local jar="$DNSMIG_ROOT/orchestrator/target/app/dnsmig-exec.jar"
    [ -f "$jar" ] || return 0
    [ -n "$(find "$DNSMIG_ROOT" -path "$DNSMIG_ROOT/.git" -prune -o -path '*/target' -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' -o -path "$DNSMIG_ROOT/samples/*" \) -type f -newer "$jar" -print -quit)" ]
}

# ensure_built: builds the dnsmig jar (quietly; the log is kept) when it is missing or stale, and
# unpacks it into orchestrator/target/app, where the JVM can keep a class-data-sharing archive
# of it (dnsmig.jsa, written by the first command that runs): commands start seconds faster.
ensure_built() {
    jar_stale || return 0
    local log="$DNSMIG_ROOT/target/build.log" target="$DNSMIG_ROOT/orchestrator/target"
    mkdir -p "$DNSMIG_ROOT/target"
    say "building dnsmig (first run or sources changed; log: target/build.log) ..."
    if ! (cd "$DNSMIG_ROOT" && ./mvnw -B -q -DskipTests -pl orchestrator -am package >"$log" 2>&1 \
            && rm -rf "$target/app" \
            && "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$target/dnsmig-exec.jar" extract --destination "$target/app" >>"$log" 2>&1); then
        tail -40 "$log" >&2
        say "build failed; the whole log is $log"
        return 1
    fi
}

# run_dnsmig ARGS: the application. The first demo or backfill after a build also writes a
# class-data-sharing archive of the classes it loaded (dnsmig.jsa: Spring, Flyway, jOOQ, the
# converter); every later command maps it and starts seconds sooner.
run_dnsmig() {
    local app="$DNSMIG_ROOT/orchestrator/target/app" cds=()
    local trivial="" a
    for a in "$@"; do case "$a" in -h|--help|-V|--version) trivial=1;; esac; done
    if [ -f "$app/dnsmig.jsa" ]; then
        cds=(-XX:SharedArchiveFile="$app/dnsmig.jsa")
    fi
    case "${1:-}" in
        demo|backfill) [ -n "$trivial" ] || cds=(-XX:SharedArchiveFile="$app/dnsmig.jsa" -XX:+AutoCreateSharedArchive);;
    esac
    # Batch commands run seconds to minutes: on a small machine the C2 compiler's warm-up costs
    # more than it wins (1M-record backfill on 2 cores: 9.7 s with C1 only, 14.5 s tiered; see
    # BENCHMARKS.md). Long-running servers keep the full tiered compiler.
    local jit=()
    case "${1:-}" in
        demo|backfill|rejects|convert|db) jit=(-XX:TieredStopAtLevel=1);;
    esac
    exec "$JAVA_HOME/bin/java" "${cds[@]}" "${jit[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off ${DNSMIG_JAVA_OPTS:--Xmx1g} \
        -jar "$app/dnsmig-exec.jar" "$@"
}
