#!/usr/bin/env bash
# bench/serve.sh - queries/s, latency, memory and CPU per query of `dnsmig serve` against BIND9,
# NSD, Knot and PowerDNS serving the same generated provider, measured by dnsperf in one run;
# then propagation: how long a change committed through the record store takes to be answered.
#
# usage: bench/serve.sh [-s tiny|small|medium|full] [-p PEERS] [-l SECONDS] [-n REPEATS] [-r RATE]
#                       [-J JAVA_OPTS] [-A SERVE_ARGS] [-N CHANGES] [-L ROUNDS] [-P]
#   defaults: -s full (10,000 zones, ~975k records), -p "project bind nsd knot pdns-bind pdns-pg",
#             -l 20 (seconds per dnsperf run), -n 2 (max-rate runs per peer), -r 20000 (the fixed
#             partial load for latency), -J "" (the launcher's JVM options), -A "" (more
#             `dnsmig serve` options, e.g. "--cache-entries 0"), -N 200 (changes), -L 5 (paired rounds)
#   -P: propagation only (no peers, no paired rounds)
#
#   1. peers (../shared/bench/peers.sh): each server in turn loads the same zones and is measured
#      with dnsperf on loopback: maximum queries/s (REPEATS runs), then latency percentiles at the
#      fixed RATE, ready time, proportional memory (PSS) and server CPU per query. The peer
#      `project` is `dnsmig serve`, reading a record store that `dnsmig backfill` filled (untimed)
#      from the same zone files.
#   2. paired latency: `dnsmig serve` and BIND loaded side by side, each asked at the fixed RATE
#      in turn, ROUNDS rounds with the order alternating (after one warm-up maximum-rate run each).
#      Step 1 measures each server once, at a different moment; on a shared VM the moment decides
#      much of the tail (here: DAMON's kdamond takes one of the two CPUs for 2-7 ms every 0.5 s),
#      so the tails are compared round by round, under the same conditions.
#   3. propagation (bench/Propagation.java; on the server of step 2, so after its rounds: JIT warm,
#      answer cache full — with -P, or -L 0, on a fresh one): with `dnsmig serve` running, CHANGES changes are
#      committed one at a time through the record store (ReconcileStore.replaceRRsets: the zone
#      lock, the rows, the change-log row, one transaction; random gaps of 0-50 ms), each to a
#      different zone; after each commit the server is asked until it answers with the new data.
#      Once idle, once while dnsperf holds it at RATE.
#
# One private PostgreSQL (../shared/bench/lib.sh: stock settings, fsync on; port 15433) holds the
# record store; peers.sh starts its own for PowerDNS. Everything runs on loopback inside a private
# network namespace, every load run is bounded in time. Results:
# bench-results/serve-<size>-<timestamp>/{serve.md,paired.tsv,paired-*.txt (dnsperf),propagation*.json,peers/ (peers.sh's raw files)}
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SHARED=$(cd "$ROOT/../shared/bench" && pwd)
source "$SHARED/lib.sh"
source "$ROOT/scripts/lib.sh"
if [ -z "${ANCHORS_IN_NETNS:-}" ] && [ -z "${ANCHORS_NO_NETNS:-}" ]; then
    # Install and build before leaving the network behind.
    ensure_java; ensure_packages; ensure_pg_user; ensure_built
    for p in nsd knot pdns-server pdns-backend-bind pdns-backend-pgsql pdns-tools; do
        dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q "ok installed" || DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$p" >/dev/null
    done
    "$ROOT/dnsmig" serve --help > /dev/null
fi
enter_netns "$@"

SIZE=full; PEERS="project bind nsd knot pdns-bind pdns-pg"; DUR=20; REP=2; RATE=20000; JOPTS=""; SERVE_ARGS=""; CHANGES=200; ROUNDS=5; ONLY_PROP=""
while getopts "s:p:l:n:r:J:A:N:L:P" o; do
    case $o in
        s) SIZE=$OPTARG;; p) PEERS=$OPTARG;; l) DUR=$OPTARG;; n) REP=$OPTARG;; r) RATE=$OPTARG;; J) JOPTS=$OPTARG;;
        A) SERVE_ARGS=$OPTARG;; N) CHANGES=$OPTARG;; L) ROUNDS=$OPTARG;; P) ONLY_PROP=1;; *) sed -n '2,/^set -euo/p' "$0" | sed '$d'; exit 2;;
    esac
done
ensure_java
DATA=${ANCHOR_DATA:-/tmp/anchors-data}/$SIZE
WORK=${ANCHOR_WORK:-/tmp/anchors-work}/dnsmig-serve-$SIZE
RES=${BENCH_RESULTS:-$PWD/bench-results}/serve-$SIZE-$(date +%Y%m%d-%H%M%S)
mkdir -p "$RES"; rm -rf "$WORK"; mkdir -p "$WORK"; chmod 755 "$WORK"
SERVE_PID=""; LOAD_PID=""; BIND_PID=""
cleanup() { stop_pid "$LOAD_PID" dnsperf; stop_pid "$BIND_PID" named; stop_pid "$SERVE_PID" "dnsmig serve"; pg_stop; }
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_data "$DATA" "$SIZE"
NZ=$(wc -l < "$DATA/zones.list")
NR=$(python3 -c "import json;print(json.load(open('$DATA/manifest.json'))['records'])")
log "data: $NZ zones, $NR records ($DATA); results: $RES"
awk -F'\t' 'BEGIN{print "zone,owner,email"} {o="customer" (NR%500); print $1 "," o "," o "@example.net"}' "$DATA/zones.list" > "$WORK/owners.csv"

# The record store: its own PostgreSQL (peers.sh's, on 15432, is PowerDNS's and comes and goes).
PORT_PG=15433
pg_start "$WORK"
PSQL -d postgres -c "CREATE DATABASE dnsmig"
DB_URL="jdbc:postgresql://127.0.0.1:$PORT_PG/dnsmig"
# The two commands peers.sh runs for the peer `project`, as scripts (PORT comes from peers.sh).
cat > "$WORK/prepare.sh" <<EOF
set -e
# Untimed: the backfill, then the launcher once more so that a build (sources changed meanwhile:
# others work in the same checkout) never falls into the timed start.
$(printf %q "$ROOT/dnsmig") backfill --zones-dir $(printf %q "$DATA") --zone-list $(printf %q "$DATA/zones.list") \\
    --owners $(printf %q "$WORK/owners.csv") --progress never --db-url $DB_URL --db-user postgres
$(printf %q "$ROOT/dnsmig") serve --help > /dev/null
EOF
cat > "$WORK/serve.sh" <<EOF
${JOPTS:+export DNSMIG_JAVA_OPTS=$(printf %q "$JOPTS")}
exec $(printf %q "$ROOT/dnsmig") serve --nameserver ns1 --listen "127.0.0.1:\$PORT" --db-url $DB_URL --db-user postgres $SERVE_ARGS
EOF

# 1. the peers, dnsmig serve among them
if [ -z "$ONLY_PROP" ]; then
    export PROJECT_PREPARE="bash $WORK/prepare.sh" PROJECT_SERVE="bash $WORK/serve.sh"
    "$SHARED/peers.sh" -s "$SIZE" -p "$PEERS" -l "$DUR" -n "$REP" -r "$RATE" -o "$RES/peers" || log "peers.sh failed ($?)"
    cp "$RES/peers/summary.md" "$RES/peers.md" 2>/dev/null || true
else
    bash "$WORK/prepare.sh" > "$WORK/prepare.out" 2>&1 || { tail -20 "$WORK/prepare.out"; exit 1; }
fi

# 2. and 3. run against one `dnsmig serve`
PORT_PROP=15307
if [ "$(PSQL -d dnsmig -At -c 'select count(*) from dnsmig.zone' 2>/dev/null || echo 0)" -eq 0 ]; then
    log "the record store is empty (the backfill failed?); skipping propagation"
    exit 1
fi
t0=$(now)
PORT=$PORT_PROP bash "$WORK/serve.sh" > "$WORK/serve-propagation.log" 2>&1 &
SERVE_PID=$!
if ! $DNSQ wait "$PORT_PROP" "$DATA/zones.list" "$t0" 600 > /dev/null; then
    tail -20 "$WORK/serve-propagation.log"; exit 1
fi

# 2. paired latency: dnsmig serve and BIND side by side, asked in turn at RATE
if [ -z "$ONLY_PROP" ] && [ "$ROUNDS" -gt 0 ]; then
    PORT_BIND_PAIRED=15308; W=$WORK/bind; mkdir -p "$W"
    cat > "$W/named.conf" <<EOF
options {
    directory "$W"; pid-file "$W/named.pid"; session-keyfile "$W/session.key"; managed-keys-directory "$W";
    listen-on port $PORT_BIND_PAIRED { 127.0.0.1; }; listen-on-v6 { none; };
    recursion no; notify no; allow-transfer { none; }; dnssec-validation no;
};
controls { };
include "$W/zones.conf";
EOF
    write_named_zones "$DATA" "$W/zones.conf" primary
    t0=$(now)
    named -g -c "$W/named.conf" > "$W/named.log" 2>&1 &
    BIND_PID=$!
    paired_run() {  # paired_run NAME PORT ROUND: a line of paired.tsv (round, server, latency JSON, queries lost)
        timeout -k 5 $((DUR + 60)) dnsperf -s 127.0.0.1 -p "$2" -d "$DATA/queries.txt" -l "$DUR" -e -c 4 -T 1 -q 200 -Q "$RATE" -v \
            > "$WORK/paired.verbose" 2>&1 || true
        # The percentiles are over the answered queries: the lost ones are counted beside them.
        grep -v '^> ' "$WORK/paired.verbose" > "$RES/paired-$1-$3.txt" || true
        local lost; lost=$(awk '/Queries lost:/{print $3; exit}' "$RES/paired-$1-$3.txt")
        printf '%s\t%s\t%s\t%s\n' "$3" "$1" "$($DNSQ lat "$WORK/paired.verbose" || echo '{}')" "${lost:-?}" >> "$RES/paired.tsv"
        rm -f "$WORK/paired.verbose"
        log "paired round $3, $1 at $RATE q/s: $(tail -1 "$RES/paired.tsv" | cut -f3-)"
    }
    if ! $DNSQ wait "$PORT_BIND_PAIRED" "$DATA/zones.list" "$t0" 1200 > /dev/null; then
        tail -20 "$W/named.log"; log "BIND did not load the zones; no paired rounds"
    else
        for port in "$PORT_PROP" "$PORT_BIND_PAIRED"; do   # warm-up: one maximum-rate run each
            timeout -k 5 $((DUR + 60)) dnsperf -s 127.0.0.1 -p "$port" -d "$DATA/queries.txt" -l "$DUR" -e -c 4 -T 1 -q 200 > /dev/null 2>&1 || true
        done
        for r in $(seq 1 "$ROUNDS"); do
            if [ $((r % 2)) = 1 ]; then
                paired_run project "$PORT_PROP" "$r"; paired_run bind "$PORT_BIND_PAIRED" "$r"
            else
                paired_run bind "$PORT_BIND_PAIRED" "$r"; paired_run project "$PORT_PROP" "$r"
            fi
        done
    fi
    stop_pid "$BIND_PID" named; BIND_PID=""
fi

# 3. propagation: commit -> answered
APP=$(readlink -f "$ROOT/orchestrator/target/app")
CP=$(find "$APP/lib" -name '*.jar' ! -name 'logback-*' | sort | tr '\n' ':')   # no logback: slf4j stays silent
propagation() {  # propagation LABEL
    "$JAVA_HOME/bin/java" -Xmx256m -Dorg.jooq.no-logo=true -Dorg.jooq.no-tips=true -cp "$CP" "$HERE/Propagation.java" \
        "$DB_URL" postgres "$PORT_PROP" "$DATA/zones.list" "$CHANGES" "$1" "$WORK/propagation-$1.csv" > "$RES/propagation-$1.json" \
        2> "$WORK/propagation-$1.err" || { tail -5 "$WORK/propagation-$1.err"; return 1; }
    log "propagation ($1): $(cat "$RES/propagation-$1.json")"
}
propagation idle
timeout -k 5 $((DUR * 6 + 60)) dnsperf -s 127.0.0.1 -p "$PORT_PROP" -d "$DATA/queries.txt" -l $((DUR * 6)) -e -c 4 -q 200 -Q "$RATE" \
    > "$WORK/propagation-load.dnsperf" 2>&1 &
LOAD_PID=$!
sleep 2
propagation "load-$RATE"
stop_pid "$LOAD_PID" dnsperf; LOAD_PID=""
stop_pid "$SERVE_PID" "dnsmig serve"; SERVE_PID=""
pg_stop

# 4. the table
python3 - "$RES" "$NR" "$RATE" > "$RES/serve.md" <<'PY'
import csv, glob, json, os, sys
res, nr, rate = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = {}
tsv = os.path.join(res, "peers", "summary.tsv")
if os.path.exists(tsv):
    for r in csv.DictReader(open(tsv), delimiter="\t"):
        rows[r["peer"]] = r
def js(f):
    try:
        return json.load(open(f))
    except Exception:
        return {}
def f(x, fmt="{:,.0f}"):
    try:
        return fmt.format(float(x))
    except (TypeError, ValueError):
        return "?"
if rows:
    env = open(os.path.join(res, "peers", "env.txt")).read().strip()
    print("```\n%s\n```\n" % env)
    ref = {p: float(rows[p]["max_qps"]) for p in ("bind", "nsd", "knot") if p in rows and rows[p]["max_qps"] not in ("", "0")}
    print("| server | max q/s | vs BIND | vs NSD | vs Knot | CPU µs/query @max | p50 / p99 ms @%s q/s | PSS MB per 1M records, loaded / after load | ready s | answers == BIND |" % f(rate))
    print("|---|---|---|---|---|---|---|---|---|---|")
    for p, r in rows.items():
        q = float(r["max_qps"] or 0)
        ratio = lambda k: ("%.2f×" % (q / ref[k])) if k in ref else "–"
        end = js(os.path.join(res, "peers", p + ".stats_end.json")).get("pss_mb")
        per = lambda mb: f(float(mb) * 1e6 / nr) if mb not in (None, "", "?") else "?"
        cpu = [float(c) for c in r["cpu_us_per_q"].split(";") if c]
        print("| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s | %s |" % (
            p, f(q), ratio("bind"), ratio("nsd"), ratio("knot"), "%.1f" % min(cpu) if cpu else "?",
            r["rate_p50_ms"], r["rate_p99_ms"], per(r["pss_loaded_mb"]), per(end), r["ready_s"], r["answers_eq_bind"]))
    print()
paired = {}
if os.path.exists(os.path.join(res, "paired.tsv")):
    for line in open(os.path.join(res, "paired.tsv")):
        try:
            r, peer, j, lost = line.rstrip("\n").split("\t")
            paired.setdefault(int(r), {})[peer] = (json.loads(j)["p99_ms"], lost)
        except (ValueError, KeyError):
            pass
both = [paired[r] for r in sorted(paired) if "project" in paired[r] and "bind" in paired[r]]
if both:
    med = lambda xs: (sorted(xs)[len(xs) // 2] + sorted(xs)[(len(xs) - 1) // 2]) / 2
    d, b = [x["project"][0] for x in both], [x["bind"][0] for x in both]
    lost = lambda peer: ", ".join(x[peer][1] for x in both)
    print("paired latency at %s q/s, %d rounds (dnsmig serve and BIND loaded side by side, asked in turn): "
          "p99 median %.2f ms (dnsmig) vs %.2f ms (BIND); dnsmig's p99 lower in %d of %d rounds; per round (dnsmig / BIND): %s; "
          "queries lost per round: dnsmig %s, BIND %s\n" % (
          f(rate), len(both), med(d), med(b), sum(x < y for x, y in zip(d, b)), len(both),
          ", ".join("%.2f / %.2f" % (x, y) for x, y in zip(d, b)), lost("project"), lost("bind")))
for f_ in sorted(glob.glob(os.path.join(res, "propagation-*.json"))):
    d = js(f_)
    if d:
        print("propagation %s: %d changes, %d not answered within 5 s; commit -> answered p50 %s ms, p99 %s ms, max %s ms; "
              "write (lock, rows, change log, commit) p50 %s ms" % (d.get("label"), d.get("changes", 0), d.get("failed", 0),
              d.get("answered_p50_ms"), d.get("answered_p99_ms"), d.get("answered_max_ms"), d.get("write_p50_ms")))
PY
cat "$RES/serve.md"
log "done: $RES"
