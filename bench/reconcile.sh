#!/usr/bin/env bash
# bench/reconcile.sh - zones/s and records/s of `dnsmig reconcile --all`: every legacy zone
# transferred (AXFR, TSIG-signed) from a real named and compared with the record store.
#
# usage: bench/reconcile.sh [-s tiny|small|medium|full] [-P PARALLEL] [-X HEAP]
#   defaults: -s full (10,000 zones, ~975k records), -P 4, -X 512m
#
#   0. (untimed) named serves the generated zones; dnsmig backfill imports the same zone files
#   1. anchor: `dig AXFR` of every zone by PARALLEL dig processes (batch files), output kept (what named and
#      the loopback can deliver: the physical limit for reading the legacy side)
#   2. dnsmig reconcile --all, end to end including JVM start, with -Xmx HEAP (expected clean)
#   3. dnsmig reconcile --all --parallel 1 (the same with one transfer at a time)
#
# One private PostgreSQL (../shared/bench/lib.sh: stock settings, fsync on) and one named run
# on loopback inside a private network namespace. Results:
# bench-results/reconcile-<size>-<timestamp>/{reconcile.json,reconcile.md}
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    # Install and build before leaving the network behind.
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
fi
enter_netns "$@"

SIZE=full; PARALLEL=4; HEAP=512m
while getopts "s:P:X:" o; do
    case $o in s) SIZE=$OPTARG;; P) PARALLEL=$OPTARG;; X) HEAP=$OPTARG;; *) sed -n '2,17p' "$0"; exit 2;; esac
done
ensure_java
DATA=${ANCHOR_DATA:-/tmp/anchors-data}/$SIZE
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-reconcile-$SIZE
RES=${BENCH_RESULTS:-$PWD/bench-results}/reconcile-$SIZE-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
NAMED_PID=""
cleanup() { stop_pid "$NAMED_PID" named; pg_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_data "$DATA" "$SIZE"
NZ=$(wc -l < "$DATA/zones.list")
NR=$(python3 -c "import json;print(json.load(open('$DATA/manifest.json'))['records'])")
log "data: $NZ zones, $NR records ($DATA)"
awk -F'\t' 'BEGIN{print "zone,owner,email"} {o="customer" (NR%500); print $1 "," o "," o "@example.net"}' "$DATA/zones.list" > "$WORK/owners.csv"
cut -f1 "$DATA/zones.list" > "$WORK/zone-names.list"

J="$RES/reconcile.json"
echo "{\"size\": \"$SIZE\", \"zones\": $NZ, \"records\": $NR, \"parallel\": $PARALLEL, \"heap\": \"$HEAP\", \"date\": \"$(date -Is)\"," > "$J"
rec() {  # rec NAME SECONDS [extra json]
    local zps rps
    zps=$(python3 -c "print('%.0f' % ($NZ / max(1e-9, float('$2'))))")
    rps=$(python3 -c "print('%.0f' % ($NR / max(1e-9, float('$2'))))")
    log "$1: $2 s ($zps zones/s, $rps records/s)"
    echo "\"$1\": {\"seconds\": $2, \"zones_per_s\": $zps, \"records_per_s\": $rps${3:+, $3}}," >> "$J"
}

# 0. the legacy named (the zones as files, transfers allowed with the key) and the store
tsig-keygen -a hmac-sha256 dnsmig-bench. > "$WORK/tsig.key"
write_named_zones "$DATA" "$WORK/zones.conf" primary
cat > "$WORK/named.conf" <<EOF
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
include "$WORK/zones.conf";
EOF
t0=$(now)
named -f -n 2 -c "$WORK/named.conf" > "$WORK/named.log" 2>&1 &
NAMED_PID=$!
LAST=$(tail -1 "$WORK/zone-names.list")
for _ in $(seq 1 600); do
    dig +time=1 +tries=1 +short @127.0.0.1 -p "$PORT_BIND" "$LAST" SOA 2>/dev/null | grep -q . && break
    kill -0 "$NAMED_PID" 2>/dev/null || { tail -20 "$WORK/named.log"; exit 1; }
    sleep 0.5
done
t1=$(now); log "named serves $NZ zones after $(elapsed "$t0" "$t1") s"
pg_start "$WORK"
PSQL -d postgres -c "CREATE DATABASE dnsmig"
DB=(--db-url "jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig" --db-user postgres)
"$ROOT/dnsmig" backfill --zones-dir "$DATA" --zone-list "$DATA/zones.list" --owners "$WORK/owners.csv" --progress never "${DB[@]}" \
    > "$WORK/backfill.out" 2>&1 || { tail -20 "$WORK/backfill.out"; exit 1; }
log "backfill: $(grep -m1 -o '[0-9,]* of [0-9,]*:.*' "$WORK/backfill.out" || true)"
PSQL -d postgres -c "CHECKPOINT"

# 1. anchor: dig AXFR of every zone
t0=$(now)
split -n r/"$PARALLEL" -d "$WORK/zone-names.list" "$WORK/axfr-batch."
sed -i "s/$/ AXFR/" "$WORK"/axfr-batch.??
DIGS=()
for b in "$WORK"/axfr-batch.??; do   # one dig per batch file (no process start per zone)
    dig +tcp +time=10 -k "$WORK/tsig.key" @127.0.0.1 -p "$PORT_BIND" -f "$b" > "$b.out" &
    DIGS+=($!)
done
for p in "${DIGS[@]}"; do wait "$p"; done
cat "$WORK"/axfr-batch.*.out > "$WORK/axfr.out"
t1=$(now)
rec dig_axfr "$(elapsed "$t0" "$t1")" "\"records_transferred\": $(grep -c -v -e '^;' -e '^$' "$WORK/axfr.out")"

# 2./3. dnsmig reconcile
# Untimed: rebuilds the jar first if sources changed meanwhile (others may work in the same checkout).
"$ROOT/dnsmig" reconcile --help > /dev/null
reconcile_run() {  # reconcile_run NAME PARALLEL
    local t0 t1 rc=0 out="$WORK/$1.csv"
    t0=$(now)
    DNSMIG_JAVA_OPTS="-Xmx$HEAP -Xlog:gc:file=$WORK/$1.gc.log ${RECONCILE_JAVA_OPTS:-}" /usr/bin/time -v -o "$WORK/$1.time" \
        "$ROOT/dnsmig" reconcile --all --zone-list "$WORK/zone-names.list" --server 127.0.0.1 --port "$PORT_BIND" \
        --tsig-key "$WORK/tsig.key" --parallel "$2" --format csv "${DB[@]}" > "$out" 2>"$WORK/$1.err" || rc=$?
    t1=$(now)
    local rss heap diffs
    rss=$(awk -F: '/Maximum resident set size/{gsub(/ /,"",$2); print $2}' "$WORK/$1.time")
    heap=$(grep -o '[0-9]*M->[0-9]*M' "$WORK/$1.gc.log" | awk -F'->' '{gsub(/M/,"",$1); if ($1>m) m=$1} END{print m+0}')
    diffs=$(($(wc -l < "$out") - 1))
    local job; job=$(sed -n 's/.*; in \([0-9.]*\) s$/\1/p' "$WORK/$1.err" | tail -1)
    rec "$1" "$(elapsed "$t0" "$t1")" "\"job_seconds\": ${job:-0}, \"job_records_per_s\": $(python3 -c "print('%.0f' % ($NR / max(1e-9, float('${job:-0}'))))"), \"parallel\": $2, \"exit\": $rc, \"difference_rows\": $diffs, \"max_rss_kb\": $rss, \"max_heap_before_gc_mb\": $heap"
    tail -1 "$WORK/$1.err" > "$RES/$1.summary.txt"
    log "$1: $(cat "$RES/$1.summary.txt")"
}
reconcile_run dnsmig_reconcile "$PARALLEL"
reconcile_run dnsmig_reconcile_parallel1 1

echo "\"pg\": \"$(postgres -V)\", \"named\": \"$(named -v)\", \"java\": \"$("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | tr -d '"')\", \"cpus\": $(nproc)}" >> "$J"
python3 -c "import json;json.load(open('$J'))" && log "wrote $J"
python3 - "$J" > "$RES/reconcile.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
a = d["dig_axfr"]["records_per_s"]
print(f"{d['size']}: {d['zones']:,} zones, {d['records']:,} records, {d['cpus']} CPUs, dnsmig -Xmx{d['heap']}\n")
print("| step | seconds | zones/s | records/s | vs dig AXFR | notes |\n|---|---|---|---|---|---|")
for k, v in d.items():
    if isinstance(v, dict) and "seconds" in v:
        notes = ", ".join("%s=%s" % (x, y) for x, y in v.items() if x not in ("seconds", "zones_per_s", "records_per_s"))
        print(f"| {k} | {v['seconds']} | {v['zones_per_s']:,} | {v['records_per_s']:,} | {v['records_per_s'] / a:.2f}x | {notes} |")
PY
cat "$RES/reconcile.md"
