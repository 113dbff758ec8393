# Sourced by the bench scripts: starts one brookd on free loopback ports with its data in a
# fresh temp dir, stops it and removes the dir on exit. Sets TMP, pid, native, kafka.
#   root=<the repository> ; . "$root/bench/start_brookd.sh" <temp dir prefix>
# BIN (default <repo>/build/bin) holds brookd and brook.
BIN=${BIN:-$root/build/bin}
TMP=$(mktemp -d "/tmp/$1-XXXXXX")
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
kafka=$(sed -n 's/.*Kafka protocol listening on \([0-9.]*:[0-9]*\)[ ,].*/\1/p' "$TMP/brookd.out")
