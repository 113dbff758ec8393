#!/usr/bin/env bash
# Side-by-side throughput of Brook and Redis Streams, 100-byte values, same machine, one run:
#   produce  Brook (single producer, 1 partition, acks=1) vs pipelined XADD (redis-benchmark)
#   consume  Brook's native consumer and librdkafka through the Kafka listener, reading a
#            partition from the start, vs pipelined XREAD of 1000 entries per call
#   fsync    every write made durable before its ack: Brook with log.flush.interval.messages=1
#            (an fsync per batch, on the log flusher) vs Redis with appendfsync always
#
# Usage: bench/compare_redis.sh
# Env:   MODES=which comparisons to run (default "produce consume fsync")
#        BIN=dir with brookd and brook (and brook_rdkafka_consume_bench) (default <repo>/build/bin)
#        RECORDS=records per run (default 2000000)
#        STEP_TIMEOUT=seconds allowed per benchmark command (default 180)
#        REDIS_AOF=1 also run Redis with appendonly yes, appendfsync everysec (default 1)
#        BROOK_FSYNC=1 also run Brook with log.flush.interval.ms=$BROOK_FLUSH_MS, the counterpart
#                      of Redis' appendfsync everysec (default 1)
#        JEMALLOC=libjemalloc.so.2 to preload into a second librdkafka consume row (default: Debian's,
#                 if installed; empty: no such row)
#        BROOK_FLUSH_MS=fsync interval for that row (default 1000). Brook fsyncs once the oldest
#                      unflushed record is this old, so a run shorter than the interval does not
#                      fsync at all before its last ack; the report flags that.
#
# Every server is started fresh (empty data dir) for each row and stopped by its pid before
# the next one, so no two runs overlap (each client still shares the cores with its server).
# Nothing is installed; needs python3 (or ss) to pick free loopback ports.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${BIN:-$REPO/build/bin}
RECORDS=${RECORDS:-2000000}
STEP_TIMEOUT=${STEP_TIMEOUT:-180}
REDIS_AOF=${REDIS_AOF:-1}
BROOK_FSYNC=${BROOK_FSYNC:-1}
BROOK_FLUSH_MS=${BROOK_FLUSH_MS:-1000}
MODES=${MODES:-produce consume fsync}
RECORD_SIZE=100

BROOKD=$BIN/brookd
BROOK=$BIN/brook
RDKAFKA_CONSUME=$BIN/brook_rdkafka_consume_bench
# librdkafka's consumer is bound by malloc (its broker thread allocates a message object per
# record, the application thread frees it): with Debian's libjemalloc2 installed the same
# program also runs with jemalloc preloaded, a common way to deploy librdkafka.
JEMALLOC=${JEMALLOC-$(ls /usr/lib/*/libjemalloc.so.2 2>/dev/null | head -1)}
for exe in "$BROOKD" "$BROOK"; do
  [[ -x $exe ]] || { echo "error: $exe not found (set BIN=...)" >&2; exit 1; }
done
for exe in redis-server redis-benchmark redis-cli; do
  command -v "$exe" >/dev/null || {
    echo "error: $exe not found (apt-get install -y redis-server redis-tools)" >&2; exit 1; }
done

TMP=$(mktemp -d "${TMPDIR:-/tmp}/brook-vs-redis.XXXXXX")
PIDS=()          # servers started by this script and still running
COMMANDS=()      # every benchmark-relevant command, for the report
ROWS=()          # "mode|markdown table row"
MODE=produce     # the comparison the next rows belong to
RAW=()           # raw result lines
NOTES=()         # caveats found while running

cleanup() {
  local rc=$? pid
  for pid in "${PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      wait "$pid" 2>/dev/null || true
    fi
  done
  rm -rf "$TMP"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Records a command line (shell-quoted) for the report. Called in the main shell, not in a
# $(...) or background subshell, so the array update sticks; the caller then runs the command.
record() {
  local q
  q=$(printf '%q ' "$@")
  COMMANDS+=("${q% }")
}

# Stops one server started by this script, by pid, and forgets it.
stop_pid() {
  local pid=$1 p keep=()
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
  PIDS=("${keep[@]+"${keep[@]}"}")
}

free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local p
  for _ in $(seq 200); do
    p=$((20000 + RANDOM % 40000))
    if ! ss -Hltn "sport = :$p" | grep -q .; then echo "$p"; return; fi
  done
  echo "error: no free port found" >&2
  return 1
}

# Waits up to $2 seconds for $1 (a command string) to succeed while server pid $3 lives.
wait_until() {
  local check=$1 secs=$2 pid=$3 i
  for ((i = 0; i < secs * 10; i++)); do
    if eval "$check" >/dev/null 2>&1; then return 0; fi
    if ! kill -0 "$pid" 2>/dev/null; then echo "error: server pid $pid exited" >&2; return 1; fi
    sleep 0.1
  done
  echo "error: timed out after ${secs}s waiting for: $check" >&2
  return 1
}

mb_per_s() { awk -v r="$1" -v s="$RECORD_SIZE" 'BEGIN { printf "%.2f", r * s / 1e6 }'; }
fmt_int() { awk -v r="$1" 'BEGIN { printf "%.0f", r }'; }

VALUE=$(head -c "$RECORD_SIZE" /dev/zero | tr '\0' 'x')

# ---------------------------------------------------------------- Brook
# start_brookd <dir> [brookd args...]: a fresh brookd with topic "bench" (1 partition) on free
# loopback ports; sets BROOKD_PID, NATIVE_PORT and KAFKA_PORT.
start_brookd() {
  local dir=$1
  shift
  NATIVE_PORT=$(free_port)
  KAFKA_PORT=$(free_port)
  local log=$dir/brookd.log
  local cmd=("$BROOKD" --override "log.dirs=$dir/data" --override "native.listeners=127.0.0.1:$NATIVE_PORT"
    --override "listeners=127.0.0.1:$KAFKA_PORT" "$@")
  record "${cmd[@]}"
  "${cmd[@]}" >"$log" 2>&1 &
  BROOKD_PID=$!
  PIDS+=("$BROOKD_PID")
  if ! wait_until "grep -q '\] started' '$log'" 30 "$BROOKD_PID"; then cat "$log" >&2; return 1; fi
  record "$BROOK" --bootstrap-server "127.0.0.1:$NATIVE_PORT" topic create bench --partitions 1
  timeout 30 "$BROOK" --bootstrap-server "127.0.0.1:$NATIVE_PORT" topic create bench --partitions 1 >/dev/null
}

# brook_row <configuration label> [brookd args...] -- [extra bench produce args...]
brook_row() {
  local label=$1
  shift
  local server_args=()
  while [[ $# -gt 0 && $1 != -- ]]; do server_args+=("$1"); shift; done
  if [[ $# -gt 0 ]]; then shift; fi
  local dir pid out line rps p50 p99 p999 max port
  dir=$(mktemp -d "$TMP/brook.XXXX")
  start_brookd "$dir" "${server_args[@]+"${server_args[@]}"}" || return 1
  pid=$BROOKD_PID
  port=$NATIVE_PORT
  record "$BROOK" --bootstrap-server "127.0.0.1:$port" bench produce \
    --topic bench --records "$RECORDS" --record-size "$RECORD_SIZE" --acks 1 "$@"
  if ! out=$(timeout "$STEP_TIMEOUT" "$BROOK" --bootstrap-server "127.0.0.1:$port" bench produce \
      --topic bench --records "$RECORDS" --record-size "$RECORD_SIZE" --acks 1 "$@" 2>&1); then
    echo "error: brook bench produce failed or timed out: $out" >&2
    stop_pid "$pid"
    return 1
  fi
  stop_pid "$pid"
  line=$(grep '^produce:' <<<"$out" | tail -1)
  [[ -n $line ]] || { echo "error: no 'produce:' line in: $out" >&2; return 1; }
  RAW+=("Brook [$label]: $line")
  # produce: N records in S s: R records/s, M MB/s, latency ms p50 A p99 B p99.9 C max D
  local secs
  read -r secs rps p50 p99 p999 max < <(awk '{
      for (i = 1; i <= NF; i++) {
        if ($i == "in" && $(i+2) == "s:") t = $(i+1)
        if ($(i+1) == "records/s,") r = $i
        if ($i == "p50") a = $(i+1); if ($i == "p99") b = $(i+1)
        if ($i == "p99.9") c = $(i+1); if ($i == "max") d = $(i+1)
      }
      print t, r, a, b, c, d }' <<<"$line")
  local flush_ms
  for flush_ms in "${server_args[@]+"${server_args[@]}"}"; do
    [[ $flush_ms == log.flush.interval.ms=* ]] || continue
    flush_ms=${flush_ms#*=}
    if awk -v t="$secs" -v f="$flush_ms" 'BEGIN { exit !(t * 1000 < 2 * f) }'; then
      NOTES+=("Brook [$label] ran ${secs} s, less than twice log.flush.interval.ms=$flush_ms: at most one periodic fsync (possibly none) happened before its last ack, so the row barely measures fsync cost; raise RECORDS for a meaningful durable comparison.")
    fi
  done
  ROWS+=("$MODE|| Brook | $label | $(fmt_int "$rps") | $(mb_per_s "$rps") | $p50 | $p99 | $p999 | $max |")
  echo "  Brook  [$label]: $(fmt_int "$rps") records/s" >&2
}

# brook_consume_rows [brookd args...]: one brookd, RECORDS produced into "bench", then read from
# the start by Brook's native consumer and (if built) librdkafka through the Kafka listener.
brook_consume_rows() {
  local dir out line rps
  dir=$(mktemp -d "$TMP/brook.XXXX")
  start_brookd "$dir" "$@" || return 1
  local native=127.0.0.1:$NATIVE_PORT
  record "$BROOK" --bootstrap-server "$native" bench produce --topic bench --records "$RECORDS" \
    --record-size "$RECORD_SIZE" --acks 1
  if ! out=$(timeout "$STEP_TIMEOUT" "$BROOK" --bootstrap-server "$native" bench produce --topic bench \
      --records "$RECORDS" --record-size "$RECORD_SIZE" --acks 1 2>&1); then
    echo "error: filling the topic failed: $out" >&2; stop_pid "$BROOKD_PID"; return 1
  fi
  local -a clients=("native consumer (brook bench consume)")
  if [[ -x $RDKAFKA_CONSUME ]]; then
    clients+=("librdkafka through the Kafka listener")
    [[ -n $JEMALLOC ]] && clients+=("librdkafka through the Kafka listener, jemalloc")
  fi
  local client cmd
  for client in "${clients[@]}"; do
    if [[ $client == native* ]]; then
      cmd=("$BROOK" --bootstrap-server "$native" bench consume --topic bench --records "$RECORDS")
    elif [[ $client == *jemalloc ]]; then
      cmd=(env "LD_PRELOAD=$JEMALLOC" "$RDKAFKA_CONSUME" "127.0.0.1:$KAFKA_PORT" bench 0 "$RECORDS")
    else
      cmd=("$RDKAFKA_CONSUME" "127.0.0.1:$KAFKA_PORT" bench 0 "$RECORDS")
    fi
    record "${cmd[@]}"
    if ! out=$(timeout "$STEP_TIMEOUT" "${cmd[@]}" 2>&1); then
      echo "error: $client failed or timed out: $out" >&2; stop_pid "$BROOKD_PID"; return 1
    fi
    line=$(grep '^consume' <<<"$out" | tail -1)
    [[ -n $line ]] || { echo "error: no 'consume' line in: $out" >&2; stop_pid "$BROOKD_PID"; return 1; }
    RAW+=("Brook [$client]: $line")
    rps=$(awk '{ for (i = 1; i <= NF; i++) if ($(i+1) == "records/s,") print $i }' <<<"$line")
    ROWS+=("$MODE|| Brook | $client | $(fmt_int "$rps") | $(mb_per_s "$rps") |")
    echo "  Brook  [$client]: $(fmt_int "$rps") records/s" >&2
  done
  stop_pid "$BROOKD_PID"
}

# ---------------------------------------------------------------- Redis Streams
# start_redis <dir> [redis-server args...]: sets REDIS_PID and REDIS_PORT.
start_redis() {
  local dir=$1
  shift
  REDIS_PORT=$(free_port)
  record redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --save '' --daemonize no "$@"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$dir" --save '' --daemonize no \
    --logfile "$dir/redis.log" "$@" &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  if ! wait_until "[ \"\$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping)\" = PONG ]" 30 "$REDIS_PID"; then
    cat "$dir/redis.log" >&2; return 1
  fi
}

# redis_bench <label for errors> <redis-benchmark args...>: prints its last CSV line.
redis_bench() {
  local what=$1 out
  shift
  if ! out=$(timeout "$STEP_TIMEOUT" redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" "$@" 2>&1); then
    echo "error: redis-benchmark ($what) failed or timed out: $out" >&2
    return 1
  fi
  tail -1 <<<"$out"
}

# redis_row <configuration label> <clients> [extra redis-server args...]
redis_row() {
  local label=$1 clients=$2
  shift 2
  local dir out rps p50 p99 max
  dir=$(mktemp -d "$TMP/redis.XXXX")
  start_redis "$dir" "$@" || return 1
  record redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n "$RECORDS" -P 64 -c "$clients" --csv \
    XADD bench '*' v "$VALUE"
  if ! out=$(redis_bench "$label" -n "$RECORDS" -P 64 -c "$clients" --csv XADD bench '*' v "$VALUE"); then
    stop_pid "$REDIS_PID"; return 1
  fi
  local xlen
  xlen=$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" xlen bench)
  stop_pid "$REDIS_PID"
  # CSV: "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
  read -r rps p50 p99 max < <(tr -d '"' <<<"$out" | awk -F, '{ print $2, $5, $7, $8 }')
  [[ $rps =~ ^[0-9.]+$ ]] || { echo "error: cannot parse redis-benchmark output: $out" >&2; return 1; }
  RAW+=("Redis [$label]: $(fmt_int "$rps") requests/s, p50 $p50 p99 $p99 max $max ms, XLEN $xlen")
  ROWS+=("$MODE|| Redis Streams | $label | $(fmt_int "$rps") | $(mb_per_s "$rps") | ${p50}* | ${p99}* | n/a | ${max}* |")
  echo "  Redis  [$label]: $(fmt_int "$rps") requests/s" >&2
}

# redis_xread_row <clients>: RECORDS entries added, then RECORDS/1000 pipelined calls of
# XREAD COUNT 1000 (each returns 1000 entries of 100 bytes).
redis_xread_row() {
  local clients=$1 label dir out rps
  label="XREAD COUNT 1000 -P 16 -c $clients"
  dir=$(mktemp -d "$TMP/redis.XXXX")
  start_redis "$dir" --appendonly no || return 1
  if ! redis_bench "fill" -n "$RECORDS" -P 64 -c 4 --csv XADD bench '*' v "$VALUE" >/dev/null; then
    stop_pid "$REDIS_PID"; return 1
  fi
  record redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -n $((RECORDS / 1000)) -P 16 -c "$clients" \
    --csv XREAD COUNT 1000 STREAMS bench 0
  if ! out=$(redis_bench "$label" -n $((RECORDS / 1000)) -P 16 -c "$clients" --csv \
      XREAD COUNT 1000 STREAMS bench 0); then
    stop_pid "$REDIS_PID"; return 1
  fi
  stop_pid "$REDIS_PID"
  rps=$(tr -d '"' <<<"$out" | awk -F, '{ print $2 }')
  [[ $rps =~ ^[0-9.]+$ ]] || { echo "error: cannot parse redis-benchmark output: $out" >&2; return 1; }
  rps=$(awk -v r="$rps" 'BEGIN { printf "%.0f", r * 1000 }')
  RAW+=("Redis [$label]: $(fmt_int "$rps") entries/s")
  ROWS+=("$MODE|| Redis Streams | $label | $(fmt_int "$rps") | $(mb_per_s "$rps") |")
  echo "  Redis  [$label]: $(fmt_int "$rps") entries/s" >&2
}

echo "Running $MODES (RECORDS=$RECORDS, record size $RECORD_SIZE B, timeout ${STEP_TIMEOUT}s per step)..." >&2

for MODE in $MODES; do
  case $MODE in
    produce)
      brook_row "1 producer, acks=1, default batch.size" --
      brook_row "1 producer, acks=1, batch.size=262144" -- --batch-size 262144
      brook_row "1 producer, acks=1, batch.size=16384" -- --batch-size 16384
      if [[ $BROOK_FSYNC == 1 ]]; then
        brook_row "1 producer, acks=1, batch.size=262144, log.flush.interval.ms=$BROOK_FLUSH_MS" \
          --override "log.flush.interval.ms=$BROOK_FLUSH_MS" -- --batch-size 262144
      fi
      redis_row "XADD -P 64 -c 1, no persistence" 1 --appendonly no
      redis_row "XADD -P 64 -c 4, no persistence" 4 --appendonly no
      if [[ $REDIS_AOF == 1 ]]; then
        redis_row "XADD -P 64 -c 1, appendonly yes, appendfsync everysec" 1 --appendonly yes --appendfsync everysec
        redis_row "XADD -P 64 -c 4, appendonly yes, appendfsync everysec" 4 --appendonly yes --appendfsync everysec
      fi
      ;;
    consume)
      brook_consume_rows
      redis_xread_row 1
      redis_xread_row 4
      ;;
    fsync)
      brook_row "1 producer, acks=1, log.flush.interval.messages=1" \
        --override log.flush.interval.messages=1 --
      brook_row "1 producer, acks=1, batch.size=16384, log.flush.interval.messages=1" \
        --override log.flush.interval.messages=1 -- --batch-size 16384
      redis_row "XADD -P 64 -c 1, appendonly yes, appendfsync always" 1 --appendonly yes --appendfsync always
      redis_row "XADD -P 64 -c 4, appendonly yes, appendfsync always" 4 --appendonly yes --appendfsync always
      ;;
    *) echo "error: unknown mode '$MODE' (produce, consume, fsync)" >&2; exit 2 ;;
  esac
done

# ---------------------------------------------------------------- report
table() {  # table <mode>: its rows
  local row
  for row in "${ROWS[@]}"; do
    if [[ ${row%%|*} == "$1" ]]; then printf '%s\n' "${row#*|}"; fi
  done
}

cat <<EOF

## Brook vs Redis Streams

- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')
- nproc: $(nproc)
- CPU: $(lscpu | grep 'Model name' | sed 's/^Model name:[[:space:]]*//')
- brook: HEAD $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown), binaries in $BIN built $(date -u -r "$BROOKD" '+%Y-%m-%d %H:%M:%S UTC')
- redis: $(redis-server --version | awk '{ print $3 }' | sed 's/^v=//')
- records per run: $RECORDS, value size: $RECORD_SIZE bytes, MB/s = records/s x $RECORD_SIZE B / 10^6
EOF
for MODE in $MODES; do
  case $MODE in
    produce)
      printf '\n### Produce\n\n'
      echo '| system | configuration | records/s | MB/s | p50 ms | p99 ms | p99.9 ms | max ms |'
      echo '|---|---|---:|---:|---:|---:|---:|---:|'
      ;;
    fsync)
      printf '\n### Produce, every write durable before its ack\n\n'
      echo '| system | configuration | records/s | MB/s | p50 ms | p99 ms | p99.9 ms | max ms |'
      echo '|---|---|---:|---:|---:|---:|---:|---:|'
      ;;
    consume)
      printf '\n### Consume %s records from the start\n\n' "$RECORDS"
      echo '| system | reader | records/s | MB/s |'
      echo '|---|---|---:|---:|'
      ;;
  esac
  table "$MODE"
done
cat <<'EOF'

Brook latencies: per record, send to ack, as printed by `brook bench produce`.
\* Redis latencies are redis-benchmark's per-request latencies with 64 requests pipelined
per connection; they are not measured the same way as Brook's and are shown for reference only.
Brook without log.flush.interval.ms/messages writes to the page cache with no fsync (Kafka's
default); Redis without appendonly keeps the stream in memory only. With
log.flush.interval.messages=1 Brook acknowledges a batch only after an fsync that covers it
(batches arriving during an fsync share the next one); with appendfsync always Redis fsyncs
before answering each pipelined group of commands.
Consume: Brook reads every record once, in order, from offset 0 (the native consumer also
decodes each record into key, value and headers); each Redis XREAD returns the same first 1000
entries of the stream (redis-benchmark repeats one command), so Redis reads hot entries and
never walks the stream: a setting that favours Redis.

Raw results:
EOF
printf -- '- %s\n' "${RAW[@]}"
if [[ ${#NOTES[@]} -gt 0 ]]; then
  printf '\nNotes:\n'
  printf -- '- %s\n' "${NOTES[@]}"
fi
printf '\nCommands:\n'
printf -- '    %s\n' "${COMMANDS[@]}"
