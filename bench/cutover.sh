#!/usr/bin/env bash
# bench/cutover.sh - what the serving modes cost: dnsperf against BIND alone (the legacy server),
# and against `dnsmig serve --legacy` forwarding to it (legacy), answering half the names itself
# (canary:50) and answering everything itself (new), in one run on the same generated provider.
#
# usage: bench/cutover.sh [-s tiny|small|medium|full] [-l SECONDS] [-c CLIENTS]
#   defaults: -s small, -l 20 (seconds per dnsperf run), -c 4 (dnsperf clients)
#
# Untimed first: the data set (../shared/bench/gen_zones.py), BIND loading it, a private
# PostgreSQL (../shared/bench/lib.sh, port 15434) and `dnsmig backfill` of the same zone files.
# Then one `dnsmig serve --nameserver ns1 --legacy 127.0.0.1:<BIND>` is measured in each mode,
# switched with `dnsmig cutover advance --force` between runs (maximum queries/s: dnsperf with
# -c CLIENTS and 200 queries in flight, the data set's query file). Loopback inside a private
# network namespace; every run bounded in time. Results:
# bench-results/cutover-<size>-<timestamp>/cutover.md (+ the dnsperf outputs).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
    "$ROOT/dnsmig" serve --help > /dev/null
fi
enter_netns "$@"

SIZE=small; DUR=20; CLIENTS=4
while getopts "s:l:c:" o; do
    case $o in s) SIZE=$OPTARG;; l) DUR=$OPTARG;; c) CLIENTS=$OPTARG;; *) sed -n '2,16p' "$0"; exit 2;; esac
done
ensure_java
DATA=${ANCHOR_DATA:-/tmp/anchors-data}/$SIZE
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-cutover-$SIZE
RES=${BENCH_RESULTS:-$PWD/bench-results}/cutover-$SIZE-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK/bind"; chmod 755 "$WORK"
BIND_PID=""; SERVE_PID=""
cleanup() { stop_pid "$SERVE_PID" "dnsmig serve"; stop_pid "$BIND_PID" named; pg_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_data "$DATA" "$SIZE"
log "data: $(wc -l < "$DATA/zones.list") zones ($DATA); results: $RES"
awk -F'\t' 'BEGIN{print "zone,owner,email"} {o="customer" (NR%500); print $1 "," o "," o "@example.net"}' "$DATA/zones.list" > "$WORK/owners.csv"

# the legacy server
PORT_BIND=15363
cat > "$WORK/bind/named.conf" <<EOF
options {
    directory "$WORK/bind";
    pid-file "$WORK/bind/named.pid";
    session-keyfile "$WORK/bind/session.key";
    managed-keys-directory "$WORK/bind";
    listen-on port $PORT_BIND { 127.0.0.1; };
    listen-on-v6 { none; };
    recursion no;
    notify no;
    allow-transfer { none; };
    dnssec-validation no;
};
controls { };
include "$WORK/bind/zones.conf";
EOF
write_named_zones "$DATA" "$WORK/bind/zones.conf" primary
named -g -c "$WORK/bind/named.conf" > "$WORK/bind/named.log" 2>&1 &
BIND_PID=$!
t0=$(now)
$DNSQ wait "$PORT_BIND" "$DATA/zones.list" "$t0" 600 > /dev/null || { tail -20 "$WORK/bind/named.log"; exit 1; }

# the record store
PORT_PG=15434
pg_start "$WORK"
PSQL -d postgres -c "CREATE DATABASE dnsmig" > /dev/null
DB=(--db-url "jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig" --db-user postgres)
"$ROOT/dnsmig" backfill --zones-dir "$DATA" --zone-list "$DATA/zones.list" --owners "$WORK/owners.csv" --progress never "${DB[@]}" \
    > "$WORK/backfill.out" 2>&1 || { tail -20 "$WORK/backfill.out"; exit 1; }

PORT_NS=15364
"$ROOT/dnsmig" serve --nameserver ns1 --listen "127.0.0.1:$PORT_NS" --legacy "127.0.0.1:$PORT_BIND" "${DB[@]}" > "$WORK/serve.log" 2>&1 &
SERVE_PID=$!
t0=$(now)
$DNSQ wait "$PORT_NS" "$DATA/zones.list" "$t0" 600 > /dev/null || { tail -20 "$WORK/serve.log"; exit 1; }

measure() {  # measure LABEL PORT
    timeout -k 5 $((DUR + 30)) dnsperf -s 127.0.0.1 -p "$2" -d "$DATA/queries.txt" -l "$DUR" -c "$CLIENTS" -q 200 > "$RES/$1.dnsperf" 2>&1 || true
    local qps lat lost
    qps=$(awk '/Queries per second/{print $4}' "$RES/$1.dnsperf")
    lat=$(awk '/Average Latency/{print $4}' "$RES/$1.dnsperf")
    lost=$(awk '/Queries lost/{print $3}' "$RES/$1.dnsperf")
    log "$1: $qps q/s, average latency $lat s, lost $lost"
    printf '| %s | %s | %s | %s |\n' "$1" "$qps" "$lat" "$lost" >> "$RES/cutover.md"
}
mode() {  # mode TARGET
    "$ROOT/dnsmig" cutover advance ns1 --to "$1" --force --reason bench --no-auto-rollback "${DB[@]}" > /dev/null
    sleep 2
}
{
    echo "# bench/cutover.sh -s $SIZE -l $DUR -c $CLIENTS ($(date -u +%FT%TZ), $(nproc) CPUs)"
    echo
    echo "| target | queries/s | average latency (s) | lost |"
    echo "|---|---|---|---|"
} > "$RES/cutover.md"
measure "named alone" "$PORT_BIND"
measure "dnsmig serve, legacy (forwarding to named)" "$PORT_NS"
mode canary:50
measure "dnsmig serve, canary:50" "$PORT_NS"
mode new
measure "dnsmig serve, new" "$PORT_NS"
cat "$RES/cutover.md"
