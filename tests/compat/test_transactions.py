"""Kafka transactions with confluent-kafka (librdkafka) against brookd: a transactional Producer commits and
aborts; a read_committed Consumer sees exactly the committed records (a read_uncommitted one sees all of them);
consume-transform-produce commits the group's offsets inside the transaction (send_offsets_to_transaction);
a second producer with the same transactional.id fences the first (zombie fencing) and aborts what it left
open. TransactionsClusterTest does it on a 3-broker `brook cluster` while the leader of the data partition is
SIGKILLed and restarted between transactions and inside one, and while the transaction coordinator itself is
SIGKILLed inside a transaction (the broker taking its partition over reads the transaction back).
"""

import os
import time
import unittest
import uuid

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, Producer, TopicPartition

from brook_harness import BrookTestCase, bin_path, run, wait_until
from cluster_harness import ClusterTestCase

TIMEOUT = 30


def txn_producer(bootstrap, txn_id, **extra):
    conf = {"bootstrap.servers": bootstrap, "transactional.id": txn_id, "transaction.timeout.ms": 20000,
            "linger.ms": 5}
    conf.update(extra)
    p = Producer(conf)
    p.init_transactions(TIMEOUT)
    return p


def read_all(bootstrap, topic, partitions, isolation, expect_at_least=0, timeout=20):
    """Every record value of topic from the beginning, as a list, with the given isolation.level."""
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": "reader-" + uuid.uuid4().hex,
                  "isolation.level": isolation, "enable.auto.commit": False, "enable.partition.eof": True,
                  "auto.offset.reset": "earliest"})
    c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    values, eof = [], set()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            m = c.poll(0.2)
            if m is None:
                continue
            if m.error():
                if m.error().code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                    if len(eof) == partitions and len(values) >= expect_at_least:
                        break
                continue
            eof.discard(m.partition())
            values.append(m.value().decode())
    finally:
        c.close()
    return values


class TransactionsTest(BrookTestCase):
    def brook(self, *args):
        return run([bin_path("brook"), "--bootstrap-server", self.native, *args], timeout=30)

    def test_commit_and_abort_seen_by_read_committed_only_as_committed(self):
        self.brook("topic", "create", "txn-basic", "--partitions", "2")
        p = txn_producer(self.bootstrap, "txn-basic-producer")
        p.begin_transaction()
        for i in range(10):
            p.produce("txn-basic", value=("committed-%d" % i).encode(), partition=i % 2)
        p.commit_transaction(TIMEOUT)
        p.begin_transaction()
        for i in range(7):
            p.produce("txn-basic", value=("aborted-%d" % i).encode(), partition=i % 2)
        p.flush(TIMEOUT)  # the aborted records are in the log
        p.abort_transaction(TIMEOUT)
        p.begin_transaction()
        for i in range(5):
            p.produce("txn-basic", value=("later-%d" % i).encode(), partition=i % 2)
        p.commit_transaction(TIMEOUT)
        committed = sorted(read_all(self.bootstrap, "txn-basic", 2, "read_committed", 15))
        self.assertEqual(committed, sorted(["committed-%d" % i for i in range(10)] + ["later-%d" % i for i in range(5)]))
        everything = read_all(self.bootstrap, "txn-basic", 2, "read_uncommitted", 22)
        self.assertEqual(len(everything), 22)
        self.assertEqual(len([v for v in everything if v.startswith("aborted-")]), 7)

    def test_an_open_transaction_holds_read_committed_readers_back(self):
        self.brook("topic", "create", "txn-open", "--partitions", "1")
        p = txn_producer(self.bootstrap, "txn-open-producer")
        p.begin_transaction()
        p.produce("txn-open", value=b"pending")
        p.flush(TIMEOUT)
        self.assertEqual(read_all(self.bootstrap, "txn-open", 1, "read_committed", timeout=3), [])
        self.assertEqual(read_all(self.bootstrap, "txn-open", 1, "read_uncommitted", 1), ["pending"])
        p.commit_transaction(TIMEOUT)
        self.assertEqual(read_all(self.bootstrap, "txn-open", 1, "read_committed", 1), ["pending"])

    def test_consume_transform_produce_commits_offsets_in_the_transaction(self):
        self.brook("topic", "create", "txn-in", "--partitions", "1")
        self.brook("topic", "create", "txn-out", "--partitions", "1")
        plain = Producer({"bootstrap.servers": self.bootstrap})
        for i in range(20):
            plain.produce("txn-in", value=("in-%d" % i).encode())
        plain.flush(TIMEOUT)
        group = "txn-ctp"

        def consumer():
            return Consumer({"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False,
                             "auto.offset.reset": "earliest", "isolation.level": "read_committed"})

        c = consumer()
        c.subscribe(["txn-in"])
        p = txn_producer(self.bootstrap, "txn-ctp-producer")
        got = []
        deadline = time.monotonic() + TIMEOUT
        while len(got) < 10 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                got.append(m)
        self.assertEqual(len(got), 10)
        p.begin_transaction()
        for m in got:
            p.produce("txn-out", value=m.value().upper())
        p.send_offsets_to_transaction([TopicPartition("txn-in", 0, got[-1].offset() + 1)],
                                      c.consumer_group_metadata(), TIMEOUT)
        p.commit_transaction(TIMEOUT)
        # The next ten go into a transaction that aborts: neither the output nor the offsets stay.
        more = []
        while len(more) < 10 and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and not m.error():
                more.append(m)
        p.begin_transaction()
        for m in more:
            p.produce("txn-out", value=m.value().upper())
        p.send_offsets_to_transaction([TopicPartition("txn-in", 0, more[-1].offset() + 1)],
                                      c.consumer_group_metadata(), TIMEOUT)
        p.abort_transaction(TIMEOUT)
        c.close()
        committed = consumer().committed([TopicPartition("txn-in", 0)], timeout=TIMEOUT)
        self.assertEqual(committed[0].offset, 10)
        self.assertEqual(sorted(read_all(self.bootstrap, "txn-out", 1, "read_committed", 10)),
                         sorted("IN-%d" % i for i in range(10)))

    def test_a_new_instance_fences_the_old_one_and_aborts_its_transaction(self):
        self.brook("topic", "create", "txn-zombie", "--partitions", "1")
        old = txn_producer(self.bootstrap, "txn-zombie-producer")
        old.begin_transaction()
        old.produce("txn-zombie", value=b"from-the-zombie")
        old.flush(TIMEOUT)
        new = txn_producer(self.bootstrap, "txn-zombie-producer")  # aborts the old one's transaction
        new.begin_transaction()
        new.produce("txn-zombie", value=b"from-the-new-instance")
        new.commit_transaction(TIMEOUT)
        with self.assertRaises(KafkaException) as cm:
            old.produce("txn-zombie", value=b"late")
            old.commit_transaction(TIMEOUT)
        self.assertTrue(cm.exception.args[0].fatal() or cm.exception.args[0].txn_requires_abort(),
                        cm.exception.args[0])
        self.assertEqual(read_all(self.bootstrap, "txn-zombie", 1, "read_committed", 1), ["from-the-new-instance"])


class TransactionsClusterTest(ClusterTestCase):
    CONFIGS = ("default.replication.factor=3", "min.insync.replicas=2", "offsets.topic.replication.factor=3")

    def leader_of(self, topic, partition):
        from confluent_kafka.admin import AdminClient
        a = AdminClient({"bootstrap.servers": self.bootstrap})
        md = a.list_topics(topic, timeout=10)
        return md.topics[topic].partitions[partition].leader

    def test_commits_and_aborts_survive_killing_the_partition_leader(self):
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", "txn-cluster",
             "--partitions", "1", "--replication-factor", "3"], timeout=30)
        p = txn_producer(self.bootstrap, "txn-cluster-producer", **{"transaction.timeout.ms": 60000})
        expected = []
        for round_ in range(3):
            p.begin_transaction()
            for i in range(20):
                p.produce("txn-cluster", value=("c%d-%d" % (round_, i)).encode())
            if round_ == 1:  # the leader dies inside this transaction
                p.flush(TIMEOUT)
                self.restart_broker(self.leader_of("txn-cluster", 0), lambda t: None)
            p.commit_transaction(60)
            expected += ["c%d-%d" % (round_, i) for i in range(20)]
            p.begin_transaction()
            for i in range(5):
                p.produce("txn-cluster", value=("a%d-%d" % (round_, i)).encode())
            p.flush(TIMEOUT)
            p.abort_transaction(60)
            if round_ == 0:  # and between transactions
                self.restart_broker(self.leader_of("txn-cluster", 0), lambda t: None)
        got = read_all(self.bootstrap, "txn-cluster", 1, "read_committed", len(expected), timeout=40)
        self.assertEqual(got, expected)

    def coordinator_of(self, transactional_id):
        """The broker leading the __consumer_offsets partition the id hashes to (Java's hashCode)."""
        from confluent_kafka.admin import AdminClient
        h = 0
        for ch in transactional_id:
            h = (31 * h + ord(ch)) & 0xFFFFFFFF
        h = h - (1 << 32) if h >= (1 << 31) else h
        md = AdminClient({"bootstrap.servers": self.bootstrap}).list_topics("__consumer_offsets", timeout=10)
        parts = md.topics["__consumer_offsets"].partitions
        p = (0 if h == -(1 << 31) else abs(h)) % len(parts)
        return parts[p].leader

    def test_a_transaction_survives_killing_its_coordinator(self):
        """The coordinator broker is killed -9 inside a transaction: the broker that takes its partition over
        reads the transaction back, and the producer commits it there; the next one aborts there."""
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", "txn-coord",
             "--partitions", "2", "--replication-factor", "3"], timeout=30)
        txn_id = "txn-coord-producer"
        p = txn_producer(self.bootstrap, txn_id, **{"transaction.timeout.ms": 60000})
        p.begin_transaction()
        for i in range(20):
            p.produce("txn-coord", value=("kept-%d" % i).encode(), partition=i % 2)
        p.flush(TIMEOUT)
        coordinator = self.coordinator_of(txn_id)
        self.assertGreaterEqual(coordinator, 1)
        self.restart_broker(coordinator, lambda t: None)
        p.commit_transaction(60)
        p.begin_transaction()
        for i in range(5):
            p.produce("txn-coord", value=("dropped-%d" % i).encode(), partition=i % 2)
        p.flush(TIMEOUT)
        p.abort_transaction(60)
        got = read_all(self.bootstrap, "txn-coord", 2, "read_committed", 20, timeout=40)
        self.assertEqual(sorted(got), sorted("kept-%d" % i for i in range(20)))


if __name__ == "__main__":
    unittest.main(verbosity=2)
