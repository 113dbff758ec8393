#!/usr/bin/env bash
# Produce throughput through the Kafka protocol (librdkafka, bench/rdkafka_produce.cpp) next to
# Brook's native producer (`brook bench produce`), against one brookd, in one run.
#   RECORDS=2000000 bench/compare_kafka_path.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
RECORDS=${RECORDS:-2000000}
SIZE=${SIZE:-100}
TMP=$(mktemp -d /tmp/brook-kafka-path-XXXXXX)
pid=""
cleanup() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill "$pid"; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

"$BIN/brookd" --override log.dirs="$TMP/logs" --override native.listeners=127.0.0.1:0 \
  --override listeners=PLAINTEXT://127.0.0.1:0 >"$TMP/brookd.out" 2>&1 &
pid=$!
for _ in $(seq 300); do grep -q '] started' "$TMP/brookd.out" && break; sleep 0.1; done
grep -q '] started' "$TMP/brookd.out" || { cat "$TMP/brookd.out"; exit 1; }
native=$(sed -n 's/.*native protocol listening on \([0-9.]*:[0-9]*\).*/\1/p' "$TMP/brookd.out")
kafka=$(sed -n 's/.*Kafka protocol listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$TMP/brookd.out")

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), $RECORDS records of $SIZE bytes, acks=1, one partition"
n=0
for batch in 16384 1000000; do
  n=$((n + 1))
  "$BIN/brook" --bootstrap-server "$native" topic create "native$n" --partitions 1 >/dev/null
  "$BIN/brook" --bootstrap-server "$native" topic create "kafka$n" --partitions 1 >/dev/null
  echo "## batch.size=$batch"
  timeout 300 "$BIN/brook_rdkafka_bench" "$kafka" "kafka$n" "$RECORDS" "$SIZE" 1 "batch.size=$batch"
  timeout 300 "$BIN/brook" --bootstrap-server "$native" bench produce --topic "native$n" \
    --records "$RECORDS" --record-size "$SIZE" --acks 1 --batch-size "$batch"
done
