"""Kafka's admin APIs beyond create/describe/delete, through the clients' own admin calls against brookd:
CreatePartitions with confluent-kafka's AdminClient and kafka-python's KafkaAdminClient (a producer and a
consumer group that were running before the change see the new partitions after a metadata refresh);
AlterConfigs of topics and brokers (confluent-kafka, kafka-python) seen by DescribeConfigs with its source; every
Kafka topic config accepted and described; Kafka's errors for illegal topic names and commits of partitions
that do not exist; kafka-python listing, describing and deleting groups."""

import time
import unittest

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import ConfigResource, ConfigSource, NewPartitions, NewTopic
from kafka import TopicPartition as KpTopicPartition
from kafka.admin import KafkaAdminClient
from kafka.admin import NewPartitions as KpNewPartitions
from kafka.errors import InvalidPartitionsError

from brook_harness import BrookTestCase, ConfluentAdminMixin, wait_until

# librdkafka refreshes a known topic's metadata this often (default 5 minutes).
REFRESH = {"topic.metadata.refresh.interval.ms": 500}


class AdminApisTest(ConfluentAdminMixin, BrookTestCase):
    def create_topic(self, name, partitions):
        self.admin().create_topics([NewTopic(name, partitions, 1)], request_timeout=15)[name].result(timeout=30)

    def partitions_of(self, name):
        return sorted(self.admin().list_topics(name, timeout=15).topics[name].partitions)

    def grow(self, name, count, **kwargs):
        """AdminClient.create_partitions; returns the KafkaError code, or None on success."""
        f = self.admin().create_partitions([NewPartitions(name, count, **kwargs)], request_timeout=15)
        try:
            f[name].result(timeout=30)
            return None
        except KafkaException as e:
            return e.args[0].code()

    def test_confluent_create_partitions_and_its_errors(self):
        self.create_topic("cf-grow", 2)
        self.assertIsNone(self.grow("cf-grow", 5))
        self.assertEqual(self.partitions_of("cf-grow"), [0, 1, 2, 3, 4])
        for pm in self.admin().list_topics("cf-grow", timeout=15).topics["cf-grow"].partitions.values():
            self.assertEqual((pm.leader, pm.replicas, pm.isrs), (0, [0], [0]))

        # validate_only changes nothing; not growing, an unknown topic and bad assignments are refused.
        f = self.admin().create_partitions([NewPartitions("cf-grow", 8)], validate_only=True, request_timeout=15)
        self.assertIsNone(f["cf-grow"].result(timeout=30))
        self.assertEqual(len(self.partitions_of("cf-grow")), 5)
        self.assertEqual(self.grow("cf-grow", 5), KafkaError.INVALID_PARTITIONS)
        self.assertEqual(self.grow("cf-grow", 3), KafkaError.INVALID_PARTITIONS)
        self.assertEqual(self.grow("cf-grow-missing", 3), KafkaError.UNKNOWN_TOPIC_OR_PART)
        self.assertEqual(self.grow("cf-grow", 6, replica_assignment=[[7]]), KafkaError.INVALID_REPLICA_ASSIGNMENT)
        self.assertEqual(self.grow("cf-grow", 7, replica_assignment=[[0]]), KafkaError.INVALID_REPLICA_ASSIGNMENT)
        self.assertEqual(len(self.partitions_of("cf-grow")), 5)
        # An explicit assignment on the only broker is fine.
        self.assertIsNone(self.grow("cf-grow", 6, replica_assignment=[[0]]))
        self.assertEqual(len(self.partitions_of("cf-grow")), 6)

    def test_a_running_producer_and_group_see_the_new_partitions(self):
        self.create_topic("cf-grow-live", 2)
        p = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5, **REFRESH})
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "cf-grow-live-group",
                      "auto.offset.reset": "earliest", "enable.auto.commit": False, **REFRESH})
        try:
            c.subscribe(["cf-grow-live"])
            self.assertTrue(wait_until(lambda: (c.poll(0.2), len(c.assignment()) == 2)[1], timeout=30),
                            "the group never got the topic's 2 partitions")
            for part in (0, 1):
                p.produce("cf-grow-live", value=b"before-%d" % part, partition=part)
            self.assertEqual(p.flush(30), 0)

            self.assertIsNone(self.grow("cf-grow-live", 4))
            # The producer learns the new count on its next refresh, then writes to partition 3.
            self.assertTrue(wait_until(
                lambda: len(p.list_topics("cf-grow-live", timeout=5).topics["cf-grow-live"].partitions) == 4,
                timeout=30))
            reports = []
            p.produce("cf-grow-live", value=b"after-3", partition=3, on_delivery=lambda e, m: reports.append(e))
            self.assertEqual(p.flush(30), 0)
            self.assertEqual(reports, [None])

            # The group rebalances onto all four partitions and reads every record.
            got = {}
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and (len(got) < 3 or len(c.assignment()) < 4):
                m = c.poll(0.2)
                if m is not None and m.error() is None:
                    got[m.value()] = (m.partition(), m.offset())
            self.assertEqual(sorted(tp.partition for tp in c.assignment()), [0, 1, 2, 3])
            self.assertEqual(got, {b"before-0": (0, 0), b"before-1": (1, 0), b"after-3": (3, 0)})
        finally:
            c.close()

    def test_every_kafka_topic_config_is_accepted_and_described(self):
        configs = {"compression.type": "lz4", "message.timestamp.type": "LogAppendTime", "preallocate": "true",
                   "delete.retention.ms": "1000", "segment.jitter.ms": "5", "message.downconversion.enable": "false",
                   "max.compaction.lag.ms": "600000", "follower.replication.throttled.replicas": "*"}
        f = self.admin().create_topics([NewTopic("cf-all-configs", 1, 1, config=configs)], request_timeout=15)
        self.assertIsNone(f["cf-all-configs"].result(timeout=30))
        res = ConfigResource("topic", "cf-all-configs")
        described = self.admin().describe_configs([res], request_timeout=15)[res].result(timeout=30)
        for k, v in configs.items():
            self.assertEqual(described[k].value, v, k)
            self.assertEqual(described[k].source, ConfigSource.DYNAMIC_TOPIC_CONFIG.value, k)
        self.assertEqual(described["segment.index.bytes"].value, "10485760")
        self.assertTrue(described["segment.index.bytes"].is_default)
        # A bad value and an unknown key are still refused, naming the key.
        for bad in ({"compression.type": "brotli"}, {"no.such.key": "1"}):
            f = self.admin().create_topics([NewTopic("cf-bad-config", 1, 1, config=bad)], request_timeout=15)
            with self.assertRaises(KafkaException) as cm:
                f["cf-bad-config"].result(timeout=30)
            self.assertEqual(cm.exception.args[0].code(), KafkaError.INVALID_CONFIG)
            self.assertIn(list(bad)[0], cm.exception.args[0].str())

    def test_confluent_alter_configs_of_a_topic_and_a_broker(self):
        self.create_topic("cf-alter", 1)
        topic = ConfigResource("topic", "cf-alter", set_config={"retention.ms": "3600000", "cleanup.policy": "compact"})
        self.assertIsNone(self.admin().alter_configs([topic], request_timeout=15)[topic].result(timeout=30))
        res = ConfigResource("topic", "cf-alter")
        described = self.admin().describe_configs([res], request_timeout=15)[res].result(timeout=30)
        self.assertEqual(described["retention.ms"].value, "3600000")
        self.assertEqual(described["retention.ms"].source, ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        self.assertEqual(described["cleanup.policy"].value, "compact")
        # AlterConfigs replaces the whole set: a key not named is back to its default.
        topic = ConfigResource("topic", "cf-alter", set_config={"retention.ms": "7200000"})
        self.admin().alter_configs([topic], request_timeout=15)[topic].result(timeout=30)
        described = self.admin().describe_configs([res], request_timeout=15)[res].result(timeout=30)
        self.assertEqual(described["retention.ms"].value, "7200000")
        self.assertEqual(described["cleanup.policy"].value, "delete")
        self.assertTrue(described["cleanup.policy"].is_default)
        # validate_only changes nothing; a bad value is refused per resource, naming the key.
        topic = ConfigResource("topic", "cf-alter", set_config={"retention.ms": "1"})
        self.admin().alter_configs([topic], validate_only=True, request_timeout=15)[topic].result(timeout=30)
        described = self.admin().describe_configs([res], request_timeout=15)[res].result(timeout=30)
        self.assertEqual(described["retention.ms"].value, "7200000")
        bad = ConfigResource("topic", "cf-alter", set_config={"retention.ms": "soon"})
        with self.assertRaises(KafkaException) as cm:
            self.admin().alter_configs([bad], request_timeout=15)[bad].result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.INVALID_CONFIG)
        self.assertIn("retention.ms", cm.exception.args[0].str())
        # A broker's topic defaults change at run time (DYNAMIC_BROKER_CONFIG), and topics follow.
        broker = ConfigResource("broker", "0", set_config={"log.retention.ms": "86400000"})
        self.assertIsNone(self.admin().alter_configs([broker], request_timeout=15)[broker].result(timeout=30))
        b = ConfigResource("broker", "0")
        described = self.admin().describe_configs([b], request_timeout=15)[b].result(timeout=30)
        self.assertEqual(described["log.retention.ms"].value, "86400000")
        self.assertEqual(described["log.retention.ms"].source, ConfigSource.DYNAMIC_BROKER_CONFIG.value)
        self.create_topic("cf-alter-later", 1)
        t = ConfigResource("topic", "cf-alter-later")
        self.assertEqual(self.admin().describe_configs([t], request_timeout=15)[t].result(timeout=30)
                         ["retention.ms"].value, "86400000")
        broker = ConfigResource("broker", "0", set_config={})
        self.admin().alter_configs([broker], request_timeout=15)[broker].result(timeout=30)
        described = self.admin().describe_configs([b], request_timeout=15)[b].result(timeout=30)
        self.assertEqual(described["log.retention.ms"].value, "604800000")
        fixed = ConfigResource("broker", "0", set_config={"num.partitions": "3"})
        with self.assertRaises(KafkaException) as cm:
            self.admin().alter_configs([fixed], request_timeout=15)[fixed].result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.INVALID_REQUEST)

    def test_kafka_python_alter_configs(self):
        from kafka.admin import ConfigResource as KpConfigResource, ConfigResourceType
        self.create_topic("kp-alter", 1)
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=15000)
        try:
            resp = admin.alter_configs([KpConfigResource(ConfigResourceType.TOPIC, "kp-alter",
                                                         configs={"segment.bytes": "1048576"})])
            self.assertEqual([(r[0], r[3]) for r in resp.resources], [(0, "kp-alter")])
            (described,) = admin.describe_configs([KpConfigResource(ConfigResourceType.TOPIC, "kp-alter")])
            entries = {e[0]: e[1] for e in described.resources[0][4]}
            self.assertEqual(entries["segment.bytes"], "1048576")
            resp = admin.alter_configs([KpConfigResource(ConfigResourceType.TOPIC, "kp-alter",
                                                         configs={"segment.bytes": "1"})])
            self.assertEqual(resp.resources[0][0], KafkaError.INVALID_CONFIG)
        finally:
            admin.close()

    def test_illegal_topic_names_get_invalid_topic_exception(self):
        for name in ("bad name", "..", "x" * 250):
            f = self.admin().create_topics([NewTopic(name, 1, 1)], request_timeout=15)
            with self.assertRaises(KafkaException) as cm:
                f[name].result(timeout=30)
            self.assertEqual(cm.exception.args[0].code(), KafkaError.TOPIC_EXCEPTION, name)
            self.assertIn("Topic name is invalid", cm.exception.args[0].str())
        # Metadata answers INVALID_TOPIC_EXCEPTION for an illegal name (the client fails fast), not
        # UNKNOWN_TOPIC_OR_PARTITION, and never auto-creates it.
        md = self.admin().list_topics("bad$name", timeout=15)
        self.assertEqual(md.topics["bad$name"].error.code(), KafkaError.TOPIC_EXCEPTION)
        # Names equal but for '.' and '_' collide.
        self.create_topic("cf.twin", 1)
        f = self.admin().create_topics([NewTopic("cf_twin", 1, 1)], request_timeout=15)
        with self.assertRaises(KafkaException) as cm:
            f["cf_twin"].result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.TOPIC_EXCEPTION)

    def test_a_commit_for_a_missing_partition_gets_unknown_topic_or_partition(self):
        self.create_topic("cf-commit-known", 1)
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "cf-commit-unknown",
                      "enable.auto.commit": False})
        try:
            offsets = [TopicPartition("cf-commit-known", 0, 3), TopicPartition("cf-commit-missing", 0, 5),
                       TopicPartition("cf-commit-known", 7, 5)]
            try:
                result = c.commit(offsets=offsets, asynchronous=False)
            except KafkaException as e:  # librdkafka raises when any partition failed
                result = None
                self.assertEqual(e.args[0].code(), KafkaError.UNKNOWN_TOPIC_OR_PART)
            if result is not None:
                self.assertEqual([tp.error.code() if tp.error else None for tp in result],
                                 [None, KafkaError.UNKNOWN_TOPIC_OR_PART, KafkaError.UNKNOWN_TOPIC_OR_PART])
            committed = c.committed(offsets, timeout=15)
            self.assertEqual([tp.offset for tp in committed], [3, -1001, -1001])  # only the real one stored
        finally:
            c.close()

    def test_kafka_python_create_partitions(self):
        self.create_topic("kp-grow", 1)
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=15000)
        try:
            resp = admin.create_partitions({"kp-grow": KpNewPartitions(total_count=3)}, timeout_ms=15000)
            self.assertEqual([(t[0], t[1]) for t in resp.topic_errors], [("kp-grow", 0)])
            self.assertEqual(self.partitions_of("kp-grow"), [0, 1, 2])
            with self.assertRaises(InvalidPartitionsError) as cm:
                admin.create_partitions({"kp-grow": KpNewPartitions(total_count=2)}, timeout_ms=15000)
            self.assertIn("Topic currently has 3 partitions, which is higher than the requested 2.", str(cm.exception))
            self.assertEqual(self.partitions_of("kp-grow"), [0, 1, 2])
        finally:
            admin.close()


    def test_kafka_python_lists_describes_and_deletes_groups(self):
        self.create_topic("kp-groups-t", 1)
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=15000)
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "kp-del", "enable.auto.commit": False})
        try:
            c.commit(offsets=[TopicPartition("kp-groups-t", 0, 4)], asynchronous=False)
            c.close()
            self.assertIn(("kp-del", ""), admin.list_consumer_groups())  # offsets only: no protocol type, as Kafka
            (described,) = admin.describe_consumer_groups(["kp-del"])
            self.assertEqual((described.group, described.state), ("kp-del", "Empty"))
            self.assertEqual(admin.list_consumer_group_offsets("kp-del")[KpTopicPartition("kp-groups-t", 0)].offset, 4)
            results = admin.delete_consumer_groups(["kp-del", "kp-never-existed"])
            self.assertEqual([(g, e.__name__) for g, e in results],  # error classes
                             [("kp-del", "NoError"), ("kp-never-existed", "GroupIdNotFoundError")])
            self.assertEqual(admin.list_consumer_group_offsets("kp-del"), {})
            self.assertNotIn("kp-del", [g for g, _ in admin.list_consumer_groups()])
        finally:
            admin.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
