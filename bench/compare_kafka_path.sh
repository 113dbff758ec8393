#!/usr/bin/env bash
# Produce throughput through the Kafka protocol (librdkafka, bench/rdkafka_produce.cpp) next to
# Brook's native producer (`brook bench produce`), against one brookd, in one run.
#   RECORDS=2000000 bench/compare_kafka_path.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=${RECORDS:-2000000}
SIZE=${SIZE:-100}
. "$root/bench/start_brookd.sh" brook-kafka-path

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
