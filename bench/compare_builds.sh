#!/usr/bin/env bash
# Two builds side by side in one run: two brookds (OLD_BIN's and BIN's) on free loopback ports,
# in alternating rounds.
#   consume  each holds the same RECORDS records of SIZE bytes in one partition, read from the
#            start by each build's own `brook bench consume` (native protocol) and by librdkafka
#            through the Kafka listener (bench/rdkafka_consume.cpp)
#   produce  BIN's `brook bench produce` (one client for both, so only the broker differs)
#            sends RECORDS records with batch.size=$BATCH to a fresh topic on each
# Prints each run's records/s and the CPU seconds its brookd spent on it (/proc/<pid>/stat).
#   OLD_BIN=/path/to/old/build/bin [BIN=build/bin] [MODES="consume produce"] [RECORDS=4000000]
#   [ROUNDS=4] [BATCH=16384] bench/compare_builds.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
OLD_BIN=${OLD_BIN:?set OLD_BIN to the bin directory of the other build}
RECORDS=${RECORDS:-4000000}
SIZE=${SIZE:-100}
ROUNDS=${ROUNDS:-4}
BATCH=${BATCH:-16384}
MODES=${MODES:-consume produce}
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
  if [[ $MODES == *consume* ]]; then
    "${bin[$side]}/brook" --bootstrap-server "${native[$side]}" topic create bench --partitions 1 >/dev/null
    "${bin[$side]}/brook" --bootstrap-server "${native[$side]}" bench produce --topic bench \
      --records "$RECORDS" --record-size "$SIZE" --acks 1 >/dev/null
  fi
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
ticks_per_s=$(getconf CLK_TCK)
start old
start new

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), $RECORDS records of $SIZE bytes, one partition"
echo "# old: $OLD_BIN, new: $BIN"
# run <side> <label> <command...>: one run, its rate and its brookd's CPU.
run() {
  local side=$1 label=$2 before after line rps
  shift 2
  before=$(cpu_ticks "${pid[$side]}")
  line=$("$@" | grep -E '^(consume|produce)')
  after=$(cpu_ticks "${pid[$side]}")
  rps=$(awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "records/s,") print $i }' <<<"$line")
  printf 'round %d  %-10s %-3s  %9.0f records/s  brookd cpu %.2f s\n' "$round" "$label" \
    "$side" "$rps" "$(echo "($after - $before) / $ticks_per_s" | bc -l)"
}

for round in $(seq "$ROUNDS"); do
  produce_sides=() readers=()
  [[ $MODES == *produce* ]] && produce_sides=(old new)
  [[ $MODES == *consume* ]] && readers=(native librdkafka)
  for side in "${produce_sides[@]}"; do
    "$BIN/brook" --bootstrap-server "${native[$side]}" topic create "p$round" --partitions 1 >/dev/null
    run "$side" produce "$BIN/brook" --bootstrap-server "${native[$side]}" bench produce \
      --topic "p$round" --records "$RECORDS" --record-size "$SIZE" --acks 1 --batch-size "$BATCH"
  done
  for reader in "${readers[@]}"; do
    for side in old new; do
      if [ $reader = native ]; then
        run "$side" native "${bin[$side]}/brook" --bootstrap-server "${native[$side]}" bench \
          consume --topic bench --records "$RECORDS"
      else
        run "$side" librdkafka "$RDKAFKA" "${kafka[$side]}" bench 0 "$RECORDS"
      fi
    done
  done
done
