#!/usr/bin/env bash
# Brook Streams (`brook bench streams`, a stateless map application) next to a hand-written
# librdkafka consume -> transform -> produce loop (bench/rdkafka_transform.cpp, through the Kafka
# listener) over the same records, in one run, alternating; then urgency under load.
#   RECORDS=1000000 ROUNDS=3 bench/compare_streams.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$root/build/bin}
RECORDS=${RECORDS:-1000000}
ROUNDS=${ROUNDS:-3}
TMP=$(mktemp -d /tmp/brook-streams-bench-XXXXXX)
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
