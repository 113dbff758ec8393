#!/usr/bin/env bash
# Flame graphs of brookd (and the native consumer) while one producer and then one consumer
# run, 100-byte records, one partition: the SVGs kept in docs/.
#
# Usage: bench/profile.sh [OUT_DIR]      (default docs/)
# Env:   BIN=dir with brookd and brook (default <repo>/build/bin), RECORDS (default 4000000),
#        FREQ=perf sampling frequency (default 2999), CALL_GRAPH (default dwarf: the Release
#        build keeps no frame pointers)
# Writes flame-brookd-produce.svg, flame-brookd-consume.svg, flame-brook-consume.svg.
# Needs perf (linux-perf) and permission to profile (root, or kernel.perf_event_paranoid <= 1).
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$REPO/build/bin}
OUT=${1:-$REPO/docs}
RECORDS=${RECORDS:-4000000}
FREQ=${FREQ:-2999}
CALL_GRAPH=${CALL_GRAPH:-dwarf}
command -v perf >/dev/null || { echo "error: perf not found (apt-get install -y linux-perf)" >&2; exit 1; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/brook-profile.XXXXXX")
PID=""
cleanup() {
  local rc=$?
  if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then kill "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$BIN/brookd" --override "log.dirs=$TMP/data" --override "native.listeners=127.0.0.1:$port" \
  --override "listeners=127.0.0.1:0" >"$TMP/brookd.log" 2>&1 &
PID=$!
for _ in $(seq 300); do grep -q '\] started' "$TMP/brookd.log" && break; sleep 0.1; done
brook=("$BIN/brook" --bootstrap-server "127.0.0.1:$port")
"${brook[@]}" topic create bench --partitions 1 >/dev/null

# profile <name> <title> <pid to profile or "">  -- command...
profile() {
  local name=$1 title=$2 target=$3
  shift 4
  if [[ -n $target ]]; then
    perf record -F "$FREQ" --call-graph "$CALL_GRAPH" -p "$target" -o "$TMP/$name.data" 2>/dev/null &
    local rec=$!
    sleep 0.5
    "$@" | tail -1
    kill -INT "$rec"
    wait "$rec" || true
  else
    perf record -F "$FREQ" --call-graph "$CALL_GRAPH" -o "$TMP/$name.data" -- "$@" 2>/dev/null | tail -1
  fi
  perf script -i "$TMP/$name.data" 2>/dev/null |
    "$REPO/bench/flamegraph.py" --title "$title" --min-width 0.3 >"$OUT/$name.svg"
  echo "wrote $OUT/$name.svg" >&2
}

profile flame-brookd-produce "brookd while one producer writes $RECORDS records of 100 B (acks=1)" "$PID" -- \
  "${brook[@]}" bench produce --topic bench --records "$RECORDS" --record-size 100 --acks 1
profile flame-brookd-consume "brookd while one consumer reads $RECORDS records of 100 B" "$PID" -- \
  "${brook[@]}" bench consume --topic bench --records "$RECORDS"
profile flame-brook-consume "the native consumer (brook bench consume) reading $RECORDS records" "" -- \
  "${brook[@]}" bench consume --topic bench --records "$RECORDS"
