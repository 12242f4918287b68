#!/usr/bin/env bash
# bench/api.sh - API writes per write mode: writes/s and latency p50/p90/p99 of `dnsmig api` with
# LEGACY_ONLY (the baseline: one RFC 2136 update to named per write), SYNCHRONOUS, NEW_PRIMARY,
# CONCURRENT and NEW_ONLY, in one run on one machine; target SYNCHRONOUS p99 <= 2x LEGACY_ONLY p99.
#
# usage: bench/api.sh [-z ZONES] [-t THREADS] [-d SECONDS] [-m MODES]
#   defaults: -z 200 zones, -t 16 clients, -d 20 s per mode,
#             -m warmup:LEGACY_ONLY,LEGACY_ONLY,SYNCHRONOUS,CONCURRENT,NEW_PRIMARY,NEW_ONLY,LEGACY_ONLY,SYNCHRONOUS
#   (a warm-up phase first, for the JIT; LEGACY_ONLY and SYNCHRONOUS twice, so machine drift shows;
#    each phase is compared with the LEGACY_ONLY phase nearest before it)
#
#   0. (untimed) ZONES small zones (as the tests' zones: SOA, NS, glue, www, mail, MX) served by a
#      real named as dynamic zones (update-policy for a TSIG key, journals fsynced by named), a
#      private PostgreSQL (../shared/bench/lib.sh: stock settings, fsync on), dnsmig backfill of
#      the zones, `dnsmig api` (one JVM, -Xmx1g), an operator token.
#   1. bench/ApiBench.java (JDK only), closed loop: THREADS clients PUT a TXT RRset with a fresh
#      value into random zones (names reused, so creates and replaces mix), for SECONDS per mode
#      after a 3 s warm-up; the mode is switched through the API between phases. Every client
#      uses its own names in each phase, so no phase's writes depend on another's.
#   2. anchor: nsupdate sending the same number of single-record updates to named directly, one
#      process per client (what named itself takes, without dnsmig).
#
# Everything on loopback inside a private network namespace. Results:
# bench-results/api-<timestamp>/{api.json,api.md}
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
fi
enter_netns "$@"

ZONES=200; THREADS=16; SECS=20; MODES=warmup:LEGACY_ONLY,LEGACY_ONLY,SYNCHRONOUS,CONCURRENT,NEW_PRIMARY,NEW_ONLY,LEGACY_ONLY,SYNCHRONOUS
while getopts "z:t:d:m:" o; do
    case $o in z) ZONES=$OPTARG;; t) THREADS=$OPTARG;; d) SECS=$OPTARG;; m) MODES=$OPTARG;; *) sed -n '2,25p' "$0"; exit 2;; esac
done
ensure_java
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-api
RES=${BENCH_RESULTS:-$PWD/bench-results}/api-$(date +%Y%m%d-%H%M%S)
PORT_API=15380
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK/zones"; chmod -R 755 "$WORK"
NAMED_PID=""; API_PID=""
cleanup() { stop_pid "$API_PID" "dnsmig api"; stop_pid "$NAMED_PID" named; pg_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# 0. zones, named, PostgreSQL, backfill, the API
tsig-keygen -a hmac-sha256 dnsmig-bench. > "$WORK/tsig.key"
echo "zone,owner,email" > "$WORK/owners.csv"
: > "$WORK/zones.conf"; : > "$WORK/zones.txt"
for i in $(seq 1 "$ZONES"); do
    z="z$i.bench"
    cat > "$WORK/zones/db.$z" <<ZONE
\$TTL 300
@       SOA ns1.$z. hostmaster.$z. 1 3600 600 86400 300
@       NS  ns1
ns1     A   192.0.2.1
www     A   192.0.2.80
mail    A   192.0.2.25
@       MX  10 mail
ZONE
    echo "zone \"$z\" { type primary; file \"$WORK/zones/db.$z\"; update-policy { grant dnsmig-bench. zonesub ANY; }; };" >> "$WORK/zones.conf"
    echo "$z,owner$((i % 20)),owner$((i % 20))@example.net" >> "$WORK/owners.csv"
    echo "$z" >> "$WORK/zones.txt"
done
# named drops capabilities at start: it writes journals as a root without DAC override, so the directory stays root's.
cat > "$WORK/named.conf" <<CONF
include "$WORK/tsig.key";
options {
    directory "$WORK";
    pid-file "$WORK/named.pid";
    session-keyfile "$WORK/session.key";
    managed-keys-directory "$WORK";
    listen-on port $PORT_BIND { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    dnssec-validation no;
    allow-transfer { key dnsmig-bench.; };
};
controls { };
logging { channel main { file "$WORK/named.run"; print-time yes; severity info; }; category default { main; }; };
include "$WORK/zones.conf";
CONF
named -f -n 2 -c "$WORK/named.conf" > "$WORK/named.log" 2>&1 &
NAMED_PID=$!
for _ in $(seq 1 200); do
    dig +time=1 +tries=1 +short @127.0.0.1 -p "$PORT_BIND" "z$ZONES.bench" SOA 2>/dev/null | grep -q . && break
    kill -0 "$NAMED_PID" 2>/dev/null || { tail -20 "$WORK/named.log"; exit 1; }
    sleep 0.3
done
pg_start "$WORK"
PSQL -d postgres -c "CREATE DATABASE dnsmig" >/dev/null
DB=(--db-url "jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig" --db-user postgres)
"$ROOT/dnsmig" backfill --named-conf "$WORK/named.conf" --owners "$WORK/owners.csv" --progress never "${DB[@]}" > "$WORK/backfill.out" 2>&1 \
    || { tail -20 "$WORK/backfill.out"; exit 1; }
TOKEN=$("$ROOT/dnsmig" api token create --operator --name bench "${DB[@]}" 2>/dev/null)
"$ROOT/dnsmig" api --listen "127.0.0.1:$PORT_API" --legacy-server 127.0.0.1 --legacy-port "$PORT_BIND" --tsig-key "$WORK/tsig.key" \
    --max-concurrent-writes 64 "${DB[@]}" > "$WORK/api.log" 2>&1 &
API_PID=$!
for _ in $(seq 1 300); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT_API/actuator/health" && break
    kill -0 "$API_PID" 2>/dev/null || { tail -20 "$WORK/api.log"; exit 1; }
    sleep 0.3
done
log "named: $ZONES zones; dnsmig api up ($(grep -m1 -o 'ready on .*' "$WORK/api.log" || true))"

# 1. the modes
J="$RES/api.json"
echo "[" > "$J"
"$JAVA_HOME/bin/java" "$HERE/ApiBench.java" "http://127.0.0.1:$PORT_API" "$TOKEN" "$WORK/zones.txt" "$THREADS" "$SECS" "$MODES" | tee "$WORK/modes.jsonl"
sed 's/$/,/' "$WORK/modes.jsonl" >> "$J"

# 2. anchor: nsupdate straight to named, THREADS processes, each its own names, SECS seconds
N_PER=$(python3 -c "import json;d=[json.loads(l) for l in open('$WORK/modes.jsonl') if not json.loads(l)['warmup']];print(max(50, int(d[0]['writes']/$THREADS)))")
for t in $(seq 1 "$THREADS"); do
    f="$WORK/nsupdate.$t"; : > "$f"
    for i in $(seq 1 "$N_PER"); do
        z="z$(( (i * 7 + t * 13) % ZONES + 1 )).bench"
        printf 'server 127.0.0.1 %s\nzone %s\nupdate delete a%sn%s.%s TXT\nupdate add a%sn%s.%s 300 TXT "anchor-%s-%s"\nsend\n' \
            "$PORT_BIND" "$z" "$t" "$((i % 50))" "$z" "$t" "$((i % 50))" "$z" "$t" "$i" >> "$f"
    done
done
t0=$(now)
PIDS=()
for t in $(seq 1 "$THREADS"); do nsupdate -v -k "$WORK/tsig.key" "$WORK/nsupdate.$t" > "$WORK/nsupdate.$t.out" 2>&1 & PIDS+=($!); done
for p in "${PIDS[@]}"; do wait "$p" || true; done
t1=$(now)
SECS_NS=$(elapsed "$t0" "$t1")
echo "{\"mode\": \"nsupdate (anchor: named alone)\", \"threads\": $THREADS, \"writes\": $((N_PER * THREADS)), \"writes_per_s\": $(python3 -c "print('%.1f' % ($N_PER * $THREADS / float('$SECS_NS')))"), \"seconds\": $SECS_NS}" >> "$J"
echo "]" >> "$J"
python3 -c "import json;json.load(open('$J'))" && log "wrote $J"
python3 - "$J" "$(nproc)" "$(named -v)" "$(postgres -V)" > "$RES/api.md" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]} CPUs, {sys.argv[3]}, {sys.argv[4]}; {rows[0]['threads']} clients, closed loop\n")
print("| phase | mode | writes | writes/s | p50 ms | p90 ms | p99 ms | max ms | p99 vs LEGACY_ONLY before it | errors |\n|---|---|---|---|---|---|---|---|---|---|")
base = None
for r in rows:
    if "p99_ms" not in r:
        print(f"| | {r['mode']} | {r['writes']:,} | {r['writes_per_s']:.0f} | | | | | | |")
        continue
    if r["mode"] == "LEGACY_ONLY" and not r["warmup"]:
        base = r
    ratio = f"{r['p99_ms'] / base['p99_ms']:.2f}x" if base and not r["warmup"] else ""
    mode = ("warm-up " if r["warmup"] else "") + r["mode"]
    print(f"| {r['phase']} | {mode} | {r['writes']:,} | {r['writes_per_s']:.0f} | {r['p50_ms']:.1f} | {r['p90_ms']:.1f} | {r['p99_ms']:.1f} | {r['max_ms']:.0f} | {ratio} | {r['errors']} |")
PY
cat "$RES/api.md"
