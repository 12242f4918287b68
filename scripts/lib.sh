# Shared by ./dnsmig and scripts/test (sourced, not executed).
# Everything here is idempotent and quiet when there is nothing to do.

DNSMIG_ROOT=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)

say() { printf 'dnsmig: %s\n' "$*" >&2; }

# jdk_major DIR: the feature version of the JDK in DIR (17, 21, 25, ...), 0 if unknown.
# Read from DIR/release, so no JVM is started.
jdk_major() {
    local v
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null | head -1)
    echo "${v:-0}"
}

# jdk_at_least VERSION: true when $JAVA_HOME's version (its release file) is VERSION or newer,
# compared as numbers part by part: jdk_at_least 21.0.1.
jdk_at_least() {
    local have
    have=$(sed -n 's/^JAVA_VERSION="\([0-9.]*\).*/\1/p' "$JAVA_HOME/release" 2>/dev/null | head -1)
    [ -n "$have" ] || return 1
    [ "$(printf '%s\n%s\n' "$1" "$have" | sort -t. -k1,1n -k2,2n -k3,3n | head -1)" = "$1" ]
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

# have PROGRAM: true when PROGRAM is installed, on the PATH or not: named and other daemons live
# in /usr/sbin, which is not on an ordinary user's PATH.
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    local d
    for d in /usr/sbin /usr/bin /sbin /bin /usr/local/sbin /usr/local/bin; do
        [ -x "$d/$1" ] && return 0
    done
    return 1
}

# missing_packages: the Debian packages of the tools the tests use (BIND 9 as the legacy server,
# its tools and dig/nsupdate/dnstap-read as oracles, dnsperf for load, tcpdump for captures) that are not installed.
missing_packages() {
    local missing=()
    have named || missing+=(bind9)
    have named-compilezone || missing+=(bind9-utils)
    have dnstap-read || missing+=(bind9-dnsutils)
    have dnsperf || missing+=(dnsperf)
    have tcpdump || missing+=(tcpdump) # the verifier's pcap test captures loopback traffic with it
    have python3 || missing+=(python3)
    echo "${missing[*]}"
}

# ensure_packages strict|lenient: installs the missing packages (apt-get, through sudo -n when
# not root). strict (scripts/test: the tests need them) fails when that is not possible;
# lenient (./dnsmig: no command needs them to run) warns and carries on.
ensure_packages() {
    local mode=${1:-strict} missing
    missing=$(missing_packages)
    [ -z "$missing" ] && return 0
    local sudo="" log=${TMPDIR:-/tmp}/dnsmig-apt.log
    if [ "$(id -u)" -ne 0 ]; then
        if have sudo; then sudo="sudo -n"; else
            _packages_failed "$mode" "missing packages $missing and not root: install them (apt-get install $missing)"; return $?
        fi
    fi
    say "installing $missing (apt-get)"
    # shellcheck disable=SC2086
    if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >"$log" 2>&1; then
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >>"$log" 2>&1
        # shellcheck disable=SC2086
        $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >>"$log" 2>&1 \
            || { _packages_failed "$mode" "apt-get install $missing failed; see $log"; return $?; }
    fi
}

_packages_failed() {
    if [ "$1" = lenient ]; then
        say "warning: $2 (the tests need them; dnsmig's commands do not)"
        return 0
    fi
    say "$2"
    return 1
}

# ensure_pg_user: PostgreSQL refuses to run as root; as root, the local PostgreSQL runs as user 'dnsmig'.
ensure_pg_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id dnsmig >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin dnsmig 2>/dev/null \
        || say "warning: could not create the system user dnsmig; the local PostgreSQL cannot run as root without it (create it, or name another unprivileged user in DNSMIG_PG_USER)"
}

# The unpacked application lives in versioned directories orchestrator/target/app-STAMP;
# orchestrator/target/app is a symbolic link to the newest. A running dnsmig holds a shared lock on
# its version's .in-use file for as long as it runs, so a rebuild never deletes the class path
# of a command that is still running (even a server that runs for weeks): old versions are
# removed only once nobody holds their lock.

# jar_stale: true when the unpacked application is missing or older than any source, resource or pom.
jar_stale() {
    local jar="$DNSMIG_ROOT/orchestrator/target/app/dnsmig-exec.jar"
    [ -f "$jar" ] || return 0
    [ -n "$(find "$DNSMIG_ROOT" -path "$DNSMIG_ROOT/.git" -prune -o -path '*/target' -prune -o \
        \( -name pom.xml -o -path '*/src/main/*' -o -path "$DNSMIG_ROOT/samples/*" \) -type f -newer "$jar" -print -quit)" ]
}

# ensure_built: builds the dnsmig jar (quietly; the log is kept) when it is missing or stale, and
# unpacks it into a new version directory, where the JVM can keep a class-data-sharing archive
# of it (dnsmig.jsa, written by the first command that runs): commands start seconds faster.
# Concurrent ./dnsmig runs build once: the others wait for the build lock, then find it fresh.
ensure_built() {
    jar_stale || return 0
    local target="$DNSMIG_ROOT/orchestrator/target" log="$DNSMIG_ROOT/target/build.log"
    mkdir -p "$DNSMIG_ROOT/target"
    (
        flock 9
        jar_stale || exit 0
        say "building dnsmig (first run or sources changed; log: target/build.log) ..."
        local stamp version
        stamp=$(date +%Y%m%d%H%M%S)-$$
        version="$target/app-$stamp"
        if ! (cd "$DNSMIG_ROOT" && ./mvnw -B -q -DskipTests -pl orchestrator -am package >"$log" 2>&1 \
                && rm -rf "$version.tmp" \
                && "$JAVA_HOME/bin/java" -Djarmode=tools -jar "$target/dnsmig-exec.jar" extract --destination "$version.tmp" >>"$log" 2>&1 \
                && mv "$version.tmp" "$version"); then
            rm -rf "$version.tmp"
            tail -40 "$log" >&2
            say "build failed; the whole log is $log"
            exit 1
        fi
        : >"$version/.in-use"
        if [ -d "$target/app" ] && [ ! -L "$target/app" ]; then
            mv "$target/app" "$target/app-$stamp-old"   # made by an older launcher: a plain directory
            : >"$target/app-$stamp-old/.in-use"
        fi
        ln -sfn "app-$stamp" "$target/app.link.$$" && mv -T "$target/app.link.$$" "$target/app"
        gc_app_versions "$target" "app-$stamp"
    ) 9>"$DNSMIG_ROOT/target/build.lock"
}

# gc_app_versions TARGET CURRENT: removes version directories no running dnsmig uses.
gc_app_versions() {
    local d
    for d in "$1"/app-*/; do
        d=${d%/}
        [ "$(basename "$d")" = "$2" ] && continue
        [ -f "$d/.in-use" ] || continue
        # Exclusive and without waiting: fails while any dnsmig that runs from $d holds its shared lock.
        flock -n -x "$d/.in-use" rm -rf "$d" 2>/dev/null || true
    done
}

# run_dnsmig ARGS: the application. The first demo or backfill after a build also writes a
# class-data-sharing archive of the classes it loaded (dnsmig.jsa: Spring, Flyway, jOOQ, the
# converter); every later command maps it and starts seconds sooner.
run_dnsmig() {
    local app cds=() tries
    # Held (shared) by this process and, through exec, by the JVM until it exits: the version
    # directory is not removed while the command runs. (A version being removed right now is
    # gone once its lock is ours: look again.)
    for tries in 1 2 3; do
        app=$(readlink -f "$DNSMIG_ROOT/orchestrator/target/app")
        [ -f "$app/.in-use" ] || : >"$app/.in-use" 2>/dev/null || break
        exec 8<"$app/.in-use"
        flock -s 8
        [ -f "$app/dnsmig-exec.jar" ] && break
        exec 8<&-
    done
    local trivial="" a
    for a in "$@"; do case "$a" in -h|--help|-V|--version) trivial=1;; esac; done
    if [ -f "$app/dnsmig.jsa" ]; then
        cds=(-XX:SharedArchiveFile="$app/dnsmig.jsa")
    fi
    case "${1:-}" in
        demo|backfill) [ -n "$trivial" ] || cds=(-XX:SharedArchiveFile="$app/dnsmig.jsa" -XX:+AutoCreateSharedArchive);;
        # A nameserver lives long and is judged by its resident memory: the JVM relocates a mapped
        # archive, which makes every page of it resident, and this one holds the classes of every
        # command (~80 MB) where serve, without Spring, needs a fraction (see BENCHMARKS.md).
        serve) cds=();;
    esac
    # Batch commands run seconds to minutes: on a small machine the C2 compiler's warm-up costs
    # more than it wins (1M-record backfill on 2 cores: 9.7 s with C1 only, 14.5 s tiered; see
    # BENCHMARKS.md). Long-running servers keep the full tiered compiler.
    local jit=()
    case "${1:-}" in
        demo|backfill|rejects|convert|db) jit=(-XX:TieredStopAtLevel=1);;
    esac
    # A nameserver keeps its index for its whole life: the heap starts small and gives back what
    # the load needed temporarily (the load ends with one full collection), so resident memory
    # follows the index (1M records: ~220-275 MB PSS once loaded instead of ~725 MB with the JVM's defaults,
    # which start the heap at 1/64 of the machine's memory and never go below it; see BENCHMARKS.md).
    # With the heap that tight the old generation (the index) is always above G1's adaptive
    # marking threshold: it marked the whole index every other young collection under load
    # (a ~6 ms remark pause and a core busy ~200 ms each time; p99 at 20k q/s ~35 % higher). A
    # fixed 85 % marks again once the old generation's garbage is ~20 % of what was live, since
    # MaxHeapFreeRatio=30 leaves the heap at most ~70 % full after each marking.
    # After the load the heap holds the index and the answer cache; the rest a nameserver keeps
    # resident is mostly the JVM's own. Freed native memory (the JIT compiler's, the load's) stays
    # in glibc's arenas unless trimmed (1M records: ~25 MB), and G1 grows the heap by 140-300 MB
    # at a time whenever collections take more than a small share of time (GCTimeRatio=4: 20 %
    # instead of 7.7 %, both scaled down while the heap is small next to -Xmx): on a busy machine
    # that happened under load. See BENCHMARKS.md (bench/serve.sh, "Memory after the load").
    local mem=(-Xmx1g)
    case "${1:-}" in
        serve) mem=(-Xms32m -Xmx1g -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=30 -XX:GCTimeRatio=4
                    -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=85)
            jdk_at_least 21.0.1 && mem+=(-XX:TrimNativeHeapInterval=5000);;
    esac
    [ -n "${DNSMIG_JAVA_OPTS:-}" ] && read -r -a mem <<< "$DNSMIG_JAVA_OPTS"
    # 8-byte object headers (JDK 25, JEP 519): ~5 % less live heap for the index and the cache.
    # For every command, not only serve: the class-data-sharing archive the backfill writes maps
    # only into a JVM with the same header layout.
    local layout=()
    jdk_at_least 25 && layout=(-XX:+UseCompactObjectHeaders)
    # Netty's epoll transport loads its native library, and protobuf (the dnstap tap) reads memory
    # through sun.misc.Unsafe: without these, JDK 24 and later print four WARNING lines each at
    # the start of serve and of the demo, and a later JDK's default would refuse the second.
    local access=(--enable-native-access=ALL-UNNAMED)
    jdk_at_least 23 && access+=(--sun-misc-unsafe-memory-access=allow)
    exec "$JAVA_HOME/bin/java" "${access[@]}" "${layout[@]}" "${cds[@]}" "${jit[@]}" -Xlog:cds=off -Xlog:cds+dynamic=off "${mem[@]}" \
        -jar "$app/dnsmig-exec.jar" "$@"
}
