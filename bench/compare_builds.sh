#!/usr/bin/env bash
# The consume paths of two builds side by side in one run: two brookds (OLD_BIN's and BIN's),
# each holding the same RECORDS records of SIZE bytes in one partition, read from the start in
# alternating rounds by each build's own `brook bench consume` (native protocol) and by
# librdkafka through the Kafka listener (bench/rdkafka_consume.cpp). Prints each read's
# records/s and the CPU seconds its brookd spent serving it (from /proc/<pid>/stat).
#   OLD_BIN=/path/to/old/build/bin [BIN=build/bin] [RECORDS=4000000] [ROUNDS=4] bench/compare_builds.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
OLD_BIN=${OLD_BIN:?set OLD_BIN to the bin directory of the other build}
RECORDS=${RECORDS:-4000000}
SIZE=${SIZE:-100}
ROUNDS=${ROUNDS:-4}
RDKAFKA=$BIN/brook_rdkafka_consume_bench
[[ -x $OLD_BIN/brookd && -x $OLD_BIN/brook ]] || { echo "error: no brookd/brook in $OLD_BIN" >&2; exit 1; }

TMP=$(mktemp -d "/tmp/brook-builds-XXXXXX")
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

declare -A bin pid native kafka
bin[old]=$OLD_BIN
bin[new]=$BIN

# start <side>: that build's brookd on free loopback ports.
start() {
  local side=$1 out=$TMP/$1.out
  "${bin[$side]}/brookd" --override log.dirs="$TMP/$side-logs" \
    --override native.listeners=127.0.0.1:0 --override listeners=PLAINTEXT://127.0.0.1:0 \
    >"$out" 2>&1 &
  pid[$side]=$!
  PIDS+=("${pid[$side]}")
  for _ in $(seq 300); do grep -q '] started' "$out" && break; sleep 0.1; done
  grep -q '] started' "$out" || { cat "$out" >&2; exit 1; }
  native[$side]=$(sed -n 's/.*native protocol listening on \([0-9.]*:[0-9]*\).*/\1/p' "$out")
  kafka[$side]=$(sed -n 's/.*Kafka protocol listening on \([0-9.]*:[0-9]*\)[ ,].*/\1/p' "$out")
  "${bin[$side]}/brook" --bootstrap-server "${native[$side]}" topic create bench --partitions 1 >/dev/null
  "${bin[$side]}/brook" --bootstrap-server "${native[$side]}" bench produce --topic bench \
    --records "$RECORDS" --record-size "$SIZE" --acks 1 >/dev/null
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_s=$(getconf CLK_TCK)
start old
start new

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), $RECORDS records of $SIZE bytes, one partition"
echo "# old: $OLD_BIN, new: $BIN"
for round in $(seq "$ROUNDS"); do
  for reader in native librdkafka; do
    for side in old new; do
      before=$(cpu_ticks "${pid[$side]}")
      if [ $reader = native ]; then
        line=$("${bin[$side]}/brook" --bootstrap-server "${native[$side]}" bench consume \
          --topic bench --records "$RECORDS" | grep '^consume')
      else
        line=$("$RDKAFKA" "${kafka[$side]}" bench 0 "$RECORDS" | grep '^consume')
      fi
      after=$(cpu_ticks "${pid[$side]}")
      rps=$(awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "records/s,") print $i }' <<<"$line")
      printf 'round %d  %-10s %-3s  %9.0f records/s  brookd cpu %.2f s\n' "$round" "$reader" \
        "$side" "$rps" "$(echo "($after - $before) / $ticks_per_s" | bc -l)"
    done
  done
done
