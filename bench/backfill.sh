#!/usr/bin/env bash
# bench/backfill.sh - records/s from BIND zone files to committed rows in PostgreSQL:
# `dnsmig backfill` against its peers, in the same run, on the same data and the same server.
#
# usage: bench/backfill.sh [-s tiny|small|medium|full] [-T THREADS] [-X HEAP]
#   defaults: -s full (10,000 zones, ~975k records), -T $(nproc), -X 256m
#
#   1. zone2sql --gpgsql --transactions | psql   (PowerDNS's importer into its stock schema)
#   2. COPY of the same rows, pre-flattened, into a bare table and into a table shaped and
#      indexed like dnsmig's own dnsmig.rr (the physical limit for that table)
#   3. dnsmig backfill (zone files -> converted, validated, written, rejects, change log,
#      Spring Batch job repository), end to end including JVM start, with -Xmx HEAP
#   4. dnsmig backfill again (nothing changed: the idempotent re-run)
#
# One private PostgreSQL (../shared/bench/lib.sh: stock settings, fsync on) serves all of
# them; everything runs on loopback inside a private network namespace. Results:
# bench-results/backfill-<size>-<timestamp>/{backfill.json,backfill.md}
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    # Install and build before leaving the network behind.
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
    for p in pdns-tools pdns-backend-pgsql; do
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
    done
fi
enter_netns "$@"

SIZE=full; THREADS=$(nproc); HEAP=256m
while getopts "s:T:X:" o; do
    case $o in s) SIZE=$OPTARG;; T) THREADS=$OPTARG;; X) HEAP=$OPTARG;; *) sed -n '2,20p' "$0"; exit 2;; esac
done
ensure_java
DATA=${ANCHOR_DATA:-/tmp/anchors-data}/$SIZE
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-backfill-$SIZE
RES=${BENCH_RESULTS:-$PWD/bench-results}/backfill-$SIZE-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
trap 'pg_stop' EXIT
trap 'exit 130' INT TERM

ensure_data "$DATA" "$SIZE" --flat
NZ=$(wc -l < "$DATA/zones.list")
NR=$(python3 -c "import json;print(json.load(open('$DATA/manifest.json'))['records'])")
log "data: $NZ zones, $NR records ($DATA)"
# Owners: 500 customers; every 100th zone has no line (the 'unassigned' path is exercised too).
awk -F'\t' 'BEGIN{print "zone,owner,email"} NR%100!=0 {o="customer" (NR%500); print $1 "," o "," o "@example.net"}' \
    "$DATA/zones.list" > "$WORK/owners.csv"
# The flattened rows with dnsmig's zone ids (1..N in zone-list order), for the COPY anchor.
awk -F'\t' 'NR==FNR{id[$1 "."]=NR; next} {print id[$1 "."] "\t" $2 "\t" $4 "\t" $3 "\t" $5}' "$DATA/zones.list" "$DATA/records.tsv" > "$WORK/rr.tsv"
cat "$DATA"/zones/* "$DATA/records.tsv" "$WORK/rr.tsv" > /dev/null   # warm the page cache for everyone

J="$RES/backfill.json"
echo "{\"size\": \"$SIZE\", \"zones\": $NZ, \"records\": $NR, \"threads\": $THREADS, \"heap\": \"$HEAP\", \"date\": \"$(date -Is)\"," > "$J"
rec() {  # rec NAME SECONDS [extra json]
    local rps; rps=$(python3 -c "print('%.0f' % ($NR / max(1e-9, float('$2'))))")
    log "$1: $2 s ($rps records/s)"
    echo "\"$1\": {\"seconds\": $2, \"records_per_s\": $rps${3:+, $3}}," >> "$J"
}

pg_start "$WORK"

# 1. zone2sql | psql
write_named_zones "$DATA" "$WORK/zones.named.conf" master
pdns_db_create
t0=$(now)
zone2sql --gpgsql --transactions --named-conf="$WORK/zones.named.conf" 2>"$WORK/zone2sql.err" | PSQL -d pdns > /dev/null
t1=$(now); rec zone2sql_psql "$(elapsed "$t0" "$t1")" "\"rows\": $(PSQL -d pdns -At -c 'select count(*) from records')"
PSQL -d postgres -c "DROP DATABASE pdns"

# 2. COPY anchors
PSQL -d postgres -c "CREATE DATABASE flat"
copy_run() {  # copy_run NAME DDL
    PSQL -d flat -c "DROP TABLE IF EXISTS rr" -c "$2" -c "CHECKPOINT"
    local t0 t1
    t0=$(now)
    PSQL -d flat -c "COPY rr (zone_id, name, type, ttl, rdata) FROM STDIN" < "$WORK/rr.tsv"
    t1=$(now)
    rec "$1" "$(elapsed "$t0" "$t1")" "\"rows\": $(PSQL -d flat -At -c 'select count(*) from rr')"
}
COLS="zone_id bigint not null, name varchar not null, type varchar not null, ttl integer not null, rdata varchar not null"
copy_run copy_bare_table "CREATE TABLE rr ($COLS)"
copy_run copy_dnsmig_rr_shape "CREATE TABLE rr ($COLS); CREATE INDEX rr_zone_name_type_idx ON rr (zone_id, name, type)"
PSQL -d postgres -c "DROP DATABASE flat"

# 3./4. dnsmig backfill, twice
# Untimed: the first backfill after a build writes the JVM's class-data-sharing archive (as an
# operator's first command does once); prime it on the sample provider in a scratch database.
PSQL -d postgres -c "CREATE DATABASE prime"
"$ROOT/dnsmig" backfill --named-conf "$ROOT/samples/named.conf" --owners "$ROOT/samples/owners.csv" --progress never \
    --db-url "jdbc:postgresql://127.0.0.1:$PORT_PG/prime" --db-user postgres > "$WORK/prime.out" 2>&1
PSQL -d postgres -c "DROP DATABASE prime"
PSQL -d postgres -c "CREATE DATABASE dnsmig"
PSQL -d postgres -c "CHECKPOINT"
dnsmig_run() {  # dnsmig_run NAME
    local t0 t1 out="$WORK/$1.out"
    t0=$(now)
    DNSMIG_JAVA_OPTS="-Xmx$HEAP -Xlog:gc:file=$WORK/$1.gc.log" /usr/bin/time -v -o "$WORK/$1.time" \
        "$ROOT/dnsmig" backfill --zones-dir "$DATA" --zone-list "$DATA/zones.list" --owners "$WORK/owners.csv" \
        --threads "$THREADS" --progress never --db-url "jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig" --db-user postgres > "$out" 2>"$WORK/$1.err"
    t1=$(now)
    local job rss heap
    job=$(sed -n 's/.* finished in \([0-9.]*\) s.*/\1/p' "$out")
    rss=$(awk -F: '/Maximum resident set size/{gsub(/ /,"",$2); print $2}' "$WORK/$1.time")
    heap=$(grep -o '[0-9]*M->[0-9]*M' "$WORK/$1.gc.log" | awk -F'->' '{gsub(/M/,"",$1); if ($1>m) m=$1} END{print m+0}')
    rec "$1" "$(elapsed "$t0" "$t1")" "\"job_seconds\": $job, \"job_records_per_s\": $(python3 -c "print('%.0f' % ($NR / float('$job')))"), \"max_rss_kb\": $rss, \"max_heap_before_gc_mb\": $heap"
    cp "$out" "$RES/$1.summary.txt"
}
dnsmig_run dnsmig_backfill
echo "\"dnsmig_rows\": $(PSQL -d dnsmig -At -c 'select count(*) from dnsmig.rr'), \"dnsmig_rejects\": $(PSQL -d dnsmig -At -c 'select count(*) from dnsmig.reject')," >> "$J"
dnsmig_run dnsmig_backfill_rerun

echo "\"pg\": \"$(postgres -V)\", \"pdns\": \"$(dpkg-query -W -f '${Version}' pdns-tools)\", \"java\": \"$("$JAVA_HOME/bin/java" -version 2>&1 | head -1 | tr -d '"')\", \"cpus\": $(nproc)}" >> "$J"
python3 -c "import json;json.load(open('$J'))" && log "wrote $J"
pg_stop
python3 - "$J" > "$RES/backfill.md" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
z2s = d["zone2sql_psql"]["records_per_s"]
cp = d["copy_dnsmig_rr_shape"]["records_per_s"]
print(f"{d['size']}: {d['zones']:,} zones, {d['records']:,} records, {d['cpus']} CPUs, dnsmig -Xmx{d['heap']} --threads {d['threads']}\n")
print("| step | seconds | records/s | vs zone2sql+psql | vs COPY into dnsmig.rr shape | notes |\n|---|---|---|---|---|---|")
for k, v in d.items():
    if isinstance(v, dict) and "seconds" in v:
        r = v["records_per_s"]
        notes = ", ".join("%s=%s" % (a, b) for a, b in v.items() if a not in ("seconds", "records_per_s"))
        print(f"| {k} | {v['seconds']} | {r:,} | {r / z2s:.1f}x | {r / cp:.2f}x | {notes} |")
PY
cat "$RES/backfill.md"
