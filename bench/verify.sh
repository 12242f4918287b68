#!/usr/bin/env bash
# bench/verify.sh - the verifier's throughput (queries asked of both servers, compared, mismatches
# confirmed) with the legacy named and `dnsmig serve` on loopback, and the extra load it puts on
# the legacy server; the peers in the same run are the two servers themselves at full speed
# (dnsperf), which bound what any verifier can compare.
#
# usage: bench/verify.sh [-s tiny|small|medium|full] [-n QUERIES] [-i IN_FLIGHT] [-r "RATES"] [-l SECONDS]
#   defaults: -s small (1,000 zones, ~97k records), -n 200000 (queries of the data set's dnsperf
#             file, the whole file), -i 200 (the verifier's own default; at 1000 named's 208 KB socket
#             buffer overflows and every lost query holds its slot for the 2 s timeout), -r "2000 10000" (fixed replay rates at which the legacy
#             server's extra CPU is measured), -l 10 (seconds per dnsperf run)
#
#   1. untimed: the data set (../shared/bench/gen_zones.py), a private PostgreSQL, `dnsmig backfill`
#      of the zones, `dnsmig serve` (ns1, new) and BIND's named (legacy) on the same zone files.
#   2. peers: dnsperf at full speed against named, then against dnsmig serve (queries/s).
#   3. the verifier at full speed (bench/VerifyBench.java: QUERIES queries of the dnsperf file,
#      unlimited rate, IN_FLIGHT in flight): compared/s, and named's CPU seconds during the run
#      (from /proc), per compared query and as cores; the verifier's own CPU per compared query, and
#      the part of it its JIT compiler threads spent (start-up, not steady work).
#   4. the verifier at each fixed RATE (--rate): named's extra CPU, as cores, i.e. what the
#      verifier costs the legacy server at that rate.
# VERIFY_BENCH_JAVA_OPTS: extra JVM options for the verifier (e.g. -XX:StartFlightRecording=filename=vb.jfr).
# VERIFY_BENCH_CLASSES: a directory of verifier classes put ahead of the application's (e.g. an older
#   commit's verifier/target/classes), to measure a before and an after on the same setup.
# Results: bench-results/verify-<size>-<timestamp>/{verify.md,*.json,*.dnsperf}
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
    "$ROOT/dnsmig" verify --help > /dev/null
fi
enter_netns "$@"

SIZE=small; NQ=200000; INFL=200; RATES="2000 10000"; DUR=10
while getopts "s:n:i:r:l:" o; do
    case $o in
        s) SIZE=$OPTARG;; n) NQ=$OPTARG;; i) INFL=$OPTARG;; r) RATES=$OPTARG;; l) DUR=$OPTARG;; *) sed -n '2,25p' "$0"; exit 2;;
    esac
done
ensure_java
export ANCHORS_DIR=$SHARED
DATA=${ANCHOR_DATA:-/tmp/anchors-data}/$SIZE
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-verify-$SIZE
RES=${BENCH_RESULTS:-$PWD/bench-results}/verify-$SIZE-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
SERVE_PID=""; NAMED_PID=""
cleanup() { stop_pid "$SERVE_PID" "dnsmig serve"; stop_pid "$NAMED_PID" named; pg_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_data "$DATA" "$SIZE"
log "data: $(wc -l < "$DATA/zones.list") zones ($DATA); results: $RES"
awk -F'\t' 'BEGIN{print "zone,owner,email"} {o="customer" (NR%500); print $1 "," o "," o "@example.net"}' "$DATA/zones.list" > "$WORK/owners.csv"
PORT_PG=15434
pg_start "$WORK"
PSQL -d postgres -c "CREATE DATABASE dnsmig"
DB_URL="jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig"
log "backfill (untimed)"
"$ROOT/dnsmig" backfill --zones-dir "$DATA" --zone-list "$DATA/zones.list" --owners "$WORK/owners.csv" --progress never \
    --db-url "$DB_URL" --db-user postgres > "$WORK/backfill.out" 2>&1 || { tail -20 "$WORK/backfill.out"; exit 1; }

PORT_NEW=15353; PORT_OLD=15354
"$ROOT/dnsmig" serve --nameserver ns1 --listen "127.0.0.1:$PORT_NEW" --db-url "$DB_URL" --db-user postgres > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
mkdir -p "$WORK/bind"
cat > "$WORK/bind/named.conf" <<CONF
options {
    directory "$WORK/bind"; pid-file "$WORK/bind/named.pid"; session-keyfile "$WORK/bind/session.key";
    managed-keys-directory "$WORK/bind"; listen-on port $PORT_OLD { 127.0.0.1; }; listen-on-v6 { none; };
    recursion no; notify no; allow-transfer { none; }; dnssec-validation no;
};
controls { };
include "$WORK/bind/zones.conf";
CONF
write_named_zones "$DATA" "$WORK/bind/zones.conf" primary
named -g -c "$WORK/bind/named.conf" > "$WORK/bind/named.log" 2>&1 &
NAMED_PID=$!
ZONE1=$(head -1 "$DATA/zones.list" | cut -f1)
for port in $PORT_OLD $PORT_NEW; do
    for _ in $(seq 1 600); do
        dig +short +tries=1 +time=1 -p "$port" @127.0.0.1 "$ZONE1" SOA 2>/dev/null | grep -q . && break
        sleep 0.5
    done
done
log "named (legacy, pid $NAMED_PID) on $PORT_OLD and dnsmig serve (new) on $PORT_NEW answer"

# 2. the peers: each server alone at full speed
peer() {  # peer NAME PORT
    timeout -k 5 $((DUR + 30)) dnsperf -s 127.0.0.1 -p "$2" -d "$DATA/queries.txt" -l "$DUR" -c 4 -q 500 > "$RES/$1.dnsperf" 2>&1 || true
    awk '/Queries per second/ {print $4}' "$RES/$1.dnsperf"
}
QPS_OLD=$(peer named $PORT_OLD); QPS_NEW=$(peer dnsmig-serve $PORT_NEW)
log "dnsperf alone: named $QPS_OLD q/s, dnsmig serve $QPS_NEW q/s"

APP=$(readlink -f "$ROOT/orchestrator/target/app")
CP=$(find "$APP/lib" -name '*.jar' ! -name 'logback-*' | sort | tr '\n' ':')
bench() {  # bench LABEL MAX RATE
    "$JAVA_HOME/bin/java" -Xmx512m -XX:-UseDynamicNumberOfCompilerThreads ${VERIFY_BENCH_JAVA_OPTS:-} -Dorg.jooq.no-logo=true -Dorg.jooq.no-tips=true -cp "${VERIFY_BENCH_CLASSES:+$VERIFY_BENCH_CLASSES:}$CP" "$HERE/VerifyBench.java" \
        "$DB_URL" postgres $PORT_OLD $PORT_NEW "$DATA/queries.txt" "$2" "$3" "$INFL" "$NAMED_PID" "$1" > "$WORK/$1.out" 2> "$WORK/$1.err" \
        || { tail -5 "$WORK/$1.err"; return 1; }
    grep '^{' "$WORK/$1.out" | tail -1 > "$RES/$1.json"   # the JSON line (JVM options such as a flight recording may print too)
    log "verifier ($1): $(cat "$RES/$1.json")"
}
bench full-speed "$NQ" 0
for r in $RATES; do
    bench "rate-$r" $((r * DUR)) "$r"
done

# 3. the table
{
    echo "# bench/verify.sh -s $SIZE ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores; $(named -v))"
    echo
    echo "| run | compared | seconds | compared/s | matched | confirmed | timeouts | named CPU s | named µs CPU / compared | named cores | verifier µs CPU / compared | of which JIT | without JIT |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for f in "$RES"/*.json; do
        python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
print('| %s | %d | %.1f | %.0f | %d | %d | %d | %.2f | %.1f | %.2f | %.1f | %.1f | %.1f |' % (d['label'], d['compared'], d['seconds'], d['compared_per_s'], d['matched'],
      d['confirmed'], d['timeouts'], d['named_cpu_s'], d['named_cpu_us_per_compared'], d['named_cores'], d['verifier_cpu_us_per_compared'],
      d['verifier_jit_cpu_s'] * 1e6 / max(1, d['compared']), d['verifier_cpu_us_per_compared_without_jit']))" "$f"
    done
    echo
    echo "Peers in the same run (dnsperf alone, $DUR s, 4 clients): named $QPS_OLD q/s, dnsmig serve $QPS_NEW q/s."
} > "$RES/verify.md"
cat "$RES/verify.md"
