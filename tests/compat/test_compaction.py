"""Compacted topics (cleanup.policy=compact) through the Kafka clients people use: confluent-kafka's
AdminClient creates one and DescribeConfigs reports its settings, its producer's keyless record is refused
with INVALID_RECORD, and after brookd compacts the log, confluent-kafka and kafka-python consumers read
exactly the latest value of each key and reach the end offset across the gaps compaction left."""

import unittest

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic
from kafka import KafkaConsumer
from kafka import TopicPartition as KPTopicPartition

from brook_harness import BrookTestCase, wait_until

KEYS = 50
ROUNDS = 60


def expected():
    return {("k%d" % k).encode(): ("r%d-k%d" % (ROUNDS - 1, k)).encode() for k in range(KEYS)}


class CompactionTest(BrookTestCase):
    broker_overrides = ("log.cleaner.backoff.ms=100",)
    topic = "compat-compacted"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        admin = AdminClient({"bootstrap.servers": cls.bootstrap})
        configs = {"cleanup.policy": "compact", "segment.bytes": "4096", "min.cleanable.dirty.ratio": "0.1"}
        admin.create_topics([NewTopic(cls.topic, 1, 1, config=configs)])[cls.topic].result(15)
        # Small batches, so segments roll and close: the active segment is never compacted.
        p = Producer({"bootstrap.servers": cls.bootstrap, "acks": "all", "linger.ms": 1,
                      "batch.num.messages": 20})
        failures = []
        for r in range(ROUNDS):
            for k in range(KEYS):
                p.produce(cls.topic, key="k%d" % k, value="r%d-k%d" % (r, k), partition=0,
                          on_delivery=lambda err, msg: failures.append(err) if err else None)
            p.poll(0)
        assert p.flush(30) == 0 and not failures, failures
        cls.end = ROUNDS * KEYS

    def confluent_read(self):
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "compat-compaction-reader",
                      "enable.auto.commit": False})
        try:
            c.assign([TopicPartition(self.topic, 0, 0)])
            latest, count = {}, 0
            for _ in range(200):
                msgs = c.consume(1000, timeout=0.5)
                for m in msgs:
                    self.assertIsNone(m.error())
                    latest[m.key()] = m.value()
                    count += 1
                if c.position([TopicPartition(self.topic, 0)])[0].offset >= self.end:
                    break
            self.assertEqual(c.position([TopicPartition(self.topic, 0)])[0].offset, self.end)
            return latest, count
        finally:
            c.close()

    def test_1_describe_configs_reports_compaction(self):
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        res = ConfigResource(ConfigResource.Type.TOPIC, self.topic)
        configs = admin.describe_configs([res])[res].result(15)
        self.assertEqual(configs["cleanup.policy"].value, "compact")
        self.assertEqual(configs["min.cleanable.dirty.ratio"].value, "0.1")
        self.assertIn("delete.retention.ms", configs)
        self.assertIn("min.compaction.lag.ms", configs)

    def test_2_keyless_record_is_refused_with_invalid_record(self):
        errors = []
        p = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "retries": 0})
        p.produce(self.topic, value="no key", partition=0, on_delivery=lambda err, msg: errors.append(err))
        p.flush(15)
        self.assertEqual(len(errors), 1)
        self.assertIsNotNone(errors[0])
        self.assertEqual(errors[0].code(), KafkaError.INVALID_RECORD, errors[0])

    def test_3_consumers_read_the_latest_value_of_each_key_after_compaction(self):
        def compacted():
            latest, count = self.confluent_read()
            return count < self.end // 3 and latest == expected()
        self.assertTrue(wait_until(compacted, timeout=60, interval=0.5), "the log was not compacted")
        self.assertIn("[Partition %s-0] compacted" % self.topic, self.brookd.log())

        kc = KafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                           consumer_timeout_ms=5000)
        try:
            tp = KPTopicPartition(self.topic, 0)
            kc.assign([tp])
            kc.seek_to_beginning(tp)
            latest, offsets = {}, []
            for _ in range(100):
                if kc.position(tp) >= self.end:
                    break
                batch = kc.poll(timeout_ms=1000)
                for rec in batch.get(tp, []):
                    latest[rec.key] = rec.value
                    offsets.append(rec.offset)
            self.assertEqual(latest, expected())
            self.assertEqual(offsets, sorted(set(offsets)))
            self.assertLess(len(offsets), self.end // 3)
            self.assertEqual(kc.position(tp), self.end)
        finally:
            kc.close()


if __name__ == "__main__":
    unittest.main()
