#!/usr/bin/env bash
# Brook Streams (`brook bench streams`, a stateless map application) next to a hand-written
# librdkafka consume -> transform -> produce loop (bench/rdkafka_transform.cpp, through the Kafka
# listener) over the same records, in one run, alternating; then urgency under load.
#   RECORDS=1000000 ROUNDS=3 bench/compare_streams.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=${RECORDS:-1000000}
ROUNDS=${ROUNDS:-3}
. "$root/bench/start_brookd.sh" brook-streams-bench

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), $RECORDS records of 100 bytes, one partition"
"$BIN/brook" --bootstrap-server "$native" topic create map-in --partitions 1 >/dev/null
"$BIN/brook" --bootstrap-server "$native" bench produce --topic map-in --records "$RECORDS" --record-size 100 >/dev/null
for r in $(seq "$ROUNDS"); do
  "$BIN/brook" --bootstrap-server "$native" topic create "rdk-out-$r" --partitions 1 >/dev/null
  timeout 300 "$BIN/brook_rdkafka_transform_bench" "$kafka" map-in "rdk-out-$r" "$RECORDS"
  timeout 300 "$BIN/brook" --bootstrap-server "$native" bench streams --mode map --topic map-in \
    --records "$RECORDS" 2>/dev/null
done
echo "## urgency under load"
timeout 600 "$BIN/brook" --bootstrap-server "$native" bench streams --mode urgency 2>/dev/null
