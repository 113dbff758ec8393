#!/usr/bin/env bash
# How Brook's cost grows with partitions and producers: throughput and memory with 1, 10, 100
# and 1000 partitions and 1, 2, 4 and 8 producers, one fresh brookd per cell, one run.
#
# Usage: bench/partition_scaling.sh
# Env:   BIN=dir with brookd and brook (default <repo>/build/bin)
#        RECORDS=records per cell, split between the producers (default 1000000)
#        PARTITIONS="1 10 100 1000"   PRODUCERS="1 2 4 8"
#        STEP_TIMEOUT=seconds allowed per cell's producers (default 180)
#
# Each producer is `brook bench produce` (acks=1, 100-byte values, batch.size 16384 as Kafka
# Java's default, no key: the sticky partitioner moves to another partition with every batch,
# so the records spread over all partitions). Throughput is all records over the
# time from the first producer's start to the last one's end. Memory is brookd's resident set
# (VmRSS) once the topic's partitions are open, before anything is produced, and after the
# cell; "per partition" is the idle RSS above the same brookd with no topic, divided by the
# partition count. Every brookd is stopped by its pid.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$REPO/build/bin}
RECORDS=${RECORDS:-1000000}
PARTITIONS=${PARTITIONS:-1 10 100 1000}
PRODUCERS=${PRODUCERS:-1 2 4 8}
STEP_TIMEOUT=${STEP_TIMEOUT:-180}
BROOKD=$BIN/brookd
BROOK=$BIN/brook
for exe in "$BROOKD" "$BROOK"; do
  [[ -x $exe ]] || { echo "error: $exe not found (set BIN=...)" >&2; exit 1; }
done
# 1000 partitions hold 3000+ segment and index files open.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

TMP=$(mktemp -d "${TMPDIR:-/tmp}/brook-scaling.XXXXXX")
PID=""
cleanup() {
  local rc=$?
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
now_s() { date +%s.%N; }

# start <dir>: a fresh brookd; sets PID and PORT.
start() {
  local dir=$1
  PORT=$(free_port)
  "$BROOKD" --override "log.dirs=$dir/data" --override "native.listeners=127.0.0.1:$PORT" \
    --override "listeners=127.0.0.1:0" >"$dir/brookd.log" 2>&1 &
  PID=$!
  for _ in $(seq 300); do
    grep -q '\] started' "$dir/brookd.log" && return 0
    kill -0 "$PID" 2>/dev/null || { cat "$dir/brookd.log" >&2; return 1; }
    sleep 0.1
  done
  echo "error: brookd did not start" >&2
  return 1
}
stop() { kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }

# The baseline: a brookd with no topic.
dir=$(mktemp -d "$TMP/base.XXXX")
start "$dir"
sleep 1
BASE_KB=$(rss_kb "$PID")
stop

ROWS=()
for parts in $PARTITIONS; do
  for prods in $PRODUCERS; do
    dir=$(mktemp -d "$TMP/p$parts-c$prods.XXXX")
    start "$dir"
    timeout 60 "$BROOK" --bootstrap-server "127.0.0.1:$PORT" topic create bench \
      --partitions "$parts" >/dev/null
    # Wait until describe shows every partition led, then a second for the actors to open.
    for _ in $(seq 600); do
      led=$("$BROOK" --bootstrap-server "127.0.0.1:$PORT" topic describe bench 2>/dev/null |
        grep -c 'Leader: 0' || true)
      [[ $led -ge $parts ]] && break
      sleep 0.1
    done
    sleep 1
    idle_kb=$(rss_kb "$PID")
    each=$((RECORDS / prods))
    pids=()
    t0=$(now_s)
    for ((i = 0; i < prods; i++)); do
      timeout "$STEP_TIMEOUT" "$BROOK" --bootstrap-server "127.0.0.1:$PORT" bench produce \
        --topic bench --records "$each" --record-size 100 --acks 1 --batch-size 16384 \
        >"$dir/producer-$i.out" 2>&1 &
      pids+=($!)
    done
    failed=0
    for p in "${pids[@]}"; do wait "$p" || failed=1; done
    t1=$(now_s)
    busy_kb=$(rss_kb "$PID")
    stop
    if [[ $failed == 1 ]]; then
      cat "$dir"/producer-*.out >&2
      echo "error: a producer failed ($parts partitions, $prods producers)" >&2
      exit 1
    fi
    rps=$(awk -v n=$((each * prods)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    per=$(awk -v i="$idle_kb" -v b="$BASE_KB" -v p="$parts" 'BEGIN { printf "%.1f", (i - b) / p }')
    ROWS+=("| $parts | $prods | $rps | $((idle_kb / 1024)) | $((busy_kb / 1024)) | $per |")
    echo "  $parts partitions, $prods producers: $rps records/s, RSS idle $((idle_kb / 1024)) MiB, after $((busy_kb / 1024)) MiB" >&2
    rm -rf "$dir"
  done
done

cat <<EOF

## Brook: cost by partitions and producers

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- nproc: $(nproc), CPU: $(lscpu | grep 'Model name' | sed 's/^Model name:[[:space:]]*//')
- brook: HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
- records per cell: $RECORDS of 100 bytes, acks=1, batch.size 16384; brookd with no topic: RSS $((BASE_KB / 1024)) MiB

| partitions | producers | records/s | RSS idle MiB | RSS after MiB | idle KiB per partition |
|---:|---:|---:|---:|---:|---:|
EOF
printf '%s\n' "${ROWS[@]}"
