#!/usr/bin/env bash
# Throughput through the Kafka listener in plaintext next to SASL_SSL (TLS 1.3 + SCRAM-SHA-512),
# librdkafka producing (bench/rdkafka_produce.cpp) and consuming (bench/rdkafka_consume.cpp),
# two brookds side by side in one run, ROUNDS alternating rounds.
#   RECORDS=2000000 ROUNDS=3 bench/compare_tls.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RECORDS=${RECORDS:-2000000}
SIZE=${SIZE:-100}
ROUNDS=${ROUNDS:-3}
. "$root/bench/start_brookd.sh" brook-tls
plain_native=$native plain_kafka=$kafka plain_pid=$pid

# A throwaway CA and server certificate, and a second brookd with a SASL_SSL-only Kafka listener.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/ca.key" -out "$TMP/ca.pem" -days 1 \
  -subj "/CN=bench CA" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout "$TMP/server.key" -out "$TMP/server.csr" \
  -subj "/CN=localhost" 2>/dev/null
echo "subjectAltName=IP:127.0.0.1" >"$TMP/san.ext"
openssl x509 -req -in "$TMP/server.csr" -CA "$TMP/ca.pem" -CAkey "$TMP/ca.key" -CAcreateserial \
  -out "$TMP/server.crt" -days 1 -extfile "$TMP/san.ext" 2>/dev/null
cat "$TMP/server.crt" "$TMP/server.key" >"$TMP/server.pem"
"$BIN/brookd" --override log.dirs="$TMP/tls-logs" --override native.listeners=127.0.0.1:0 \
  --override listeners=SASL_SSL://127.0.0.1:0 --override ssl.keystore.location="$TMP/server.pem" \
  >"$TMP/tls.out" 2>&1 &
tls_pid=$!
trap 'kill $tls_pid 2>/dev/null; wait $tls_pid 2>/dev/null || true; cleanup' EXIT INT TERM
for _ in $(seq 300); do grep -q '] started' "$TMP/tls.out" && break; sleep 0.1; done
tls_native=$(sed -n 's/.*native protocol listening on \([0-9.]*:[0-9]*\).*/\1/p' "$TMP/tls.out")
tls_kafka=$(sed -n 's/.*Kafka protocol listening on \([0-9.]*:[0-9]*\)[ ,].*/\1/p' "$TMP/tls.out")
"$BIN/brook" --bootstrap-server "$tls_native" user create bench --password bench-secret \
  --mechanism SCRAM-SHA-512 >/dev/null
secure=(security.protocol=SASL_SSL sasl.mechanisms=SCRAM-SHA-512 sasl.username=bench
        sasl.password=bench-secret ssl.ca.location="$TMP/ca.pem")

echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(lscpu | sed -n 's/Model name: *//p'), $RECORDS records of $SIZE bytes, acks=1, one partition, librdkafka $(dpkg-query -W -f='${Version}' librdkafka1 2>/dev/null)"
for round in $(seq "$ROUNDS"); do
  for side in plain tls; do
    if [ $side = plain ]; then n=$plain_native; k=$plain_kafka; extra=(); else
      n=$tls_native; k=$tls_kafka; extra=("${secure[@]}"); fi
    topic="t$round"
    "$BIN/brook" --bootstrap-server "$n" topic create "$topic" --partitions 1 >/dev/null
    echo "## round $round, $side"
    timeout 300 "$BIN/brook_rdkafka_bench" "$k" "$topic" "$RECORDS" "$SIZE" 1 ${extra[@]+"${extra[@]}"}
    timeout 300 "$BIN/brook_rdkafka_consume_bench" "$k" "$topic" 0 "$RECORDS" \
      ${extra[@]+"${extra[@]}"}
  done
done
