#!/bin/sh
# What each service of compose/docker-compose.yml runs. The compose test
# (tests/integration/compose_test.cpp) runs this same script as plain processes on 127.0.0.1,
# with the variables below pointing at its own ports and directories.
#
#   brook-entrypoint.sh zookeeper    a Brook coordinator (the cluster's metadata), logging
#                                    "binding to port" as ZooKeeper does
#   brook-entrypoint.sh kafka ID     broker ID, logging "started" once it serves
#
# Variables (defaults are the compose network's):
#   BROOKD                 the brookd binary (brookd on PATH)
#   BROOK_DATA             data directory (/var/lib/brook, a named volume)
#   COORDINATOR_LISTENER   where the coordinator listens (0.0.0.0:2181)
#   COORDINATOR            where brokers find it (zookeeper:2181)
#   NATIVE_LISTENER        a broker's native listener, used by the other brokers to replicate
#                          ($(hostname):9093, the container's name on the compose network)
#   KAFKA_LISTENER         a broker's Kafka listener (0.0.0.0:9092)
#   KAFKA_ADVERTISED       what Metadata tells Kafka clients (localhost:9092: the port published
#                          on the host)
set -eu
brookd=${BROOKD:-brookd}
data=${BROOK_DATA:-/var/lib/brook}
case "${1:-}" in
  zookeeper)
    exec "$brookd" --override process.roles=coordinator \
      --override "coordinator.listeners=${COORDINATOR_LISTENER:-0.0.0.0:2181}" \
      --override "log.dirs=$data"
    ;;
  kafka)
    id=${2:?usage: brook-entrypoint.sh kafka BROKER_ID}
    exec "$brookd" --override "broker.id=$id" --override process.roles=broker \
      --override "coordinator.connect=${COORDINATOR:-zookeeper:2181}" \
      --override "native.listeners=${NATIVE_LISTENER:-$(hostname):9093}" \
      --override "listeners=PLAINTEXT://${KAFKA_LISTENER:-0.0.0.0:9092}" \
      --override "advertised.listeners=PLAINTEXT://${KAFKA_ADVERTISED:-localhost:9092}" \
      --override "log.dirs=$data" \
      --override default.replication.factor=3 --override min.insync.replicas=2
    ;;
  *)
    echo "usage: brook-entrypoint.sh zookeeper | kafka BROKER_ID" >&2
    exit 2
    ;;
esac
