"""kafka-python 2.0.2 against brookd: KafkaProducer with acks 0/1/'all' and every codec it has, KafkaConsumer
with assign() + seek_to_beginning() reading back exactly (it verifies CRCs), KafkaAdminClient topics."""

import time
import unittest

from kafka import KafkaConsumer, KafkaProducer, TopicPartition, codec
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError, UnknownTopicOrPartitionError

from brook_harness import BrookTestCase, stored_batches, wait_until

BASE_TS = 1_700_000_000_000
CODECS = {"gzip": (1, codec.has_gzip), "snappy": (2, codec.has_snappy), "lz4": (3, codec.has_lz4),
          "zstd": (4, codec.has_zstd)}
DEBIAN_CODEC_PACKAGE = {"gzip": "python3 (zlib)", "snappy": "python3-snappy", "lz4": "python3-lz4",
                        "zstd": "python3-zstandard"}


def make_records(n, partitions, tag):
    records = []
    for i in range(n):
        headers = [("tag", tag.encode()), ("i", str(i).encode())]
        key = None if i % 6 == 5 else ("%s-key-%d" % (tag, i)).encode()
        value = (("%s value %d " % (tag, i)) * 8).encode() if i % 4 else bytes(range(256))
        records.append({"partition": i % partitions, "key": key, "value": value, "headers": headers,
                        "timestamp": BASE_TS + i})
    return records


class KafkaPythonTest(BrookTestCase):
    def setUp(self):
        self.admin = KafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=15000)

    def tearDown(self):
        self.admin.close()

    def create_topic(self, name, partitions):
        self.admin.create_topics([NewTopic(name, partitions, 1)], timeout_ms=15000)

    def produce(self, topic, records, **conf):
        """Sends records in order; returns their RecordMetadata."""
        p = KafkaProducer(bootstrap_servers=self.bootstrap, linger_ms=5, **conf)
        try:
            futures = [p.send(topic, key=r["key"], value=r["value"], headers=r["headers"], partition=r["partition"],
                              timestamp_ms=r["timestamp"]) for r in records]
            p.flush(timeout=30)
            return [f.get(timeout=30) for f in futures]
        finally:
            p.close(timeout=10)

    def consume(self, topic, partitions, count, timeout=30):
        """assign() + seek_to_beginning(), no group; stops at count records, checks nothing follows."""
        c = KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                          check_crcs=True, request_timeout_ms=15000)
        try:
            tps = [TopicPartition(topic, p) for p in range(partitions)]
            c.assign(tps)
            c.seek_to_beginning()
            got = []
            deadline = time.monotonic() + timeout
            while len(got) < count and time.monotonic() < deadline:
                for recs in c.poll(timeout_ms=500).values():
                    got += recs
            self.assertEqual(c.poll(timeout_ms=1000), {}, "records beyond those produced")
            return got
        finally:
            c.close()

    def assert_read_back(self, records, got, offsets):
        self.assertEqual(len(got), len(records))
        for p in sorted({r["partition"] for r in records}):
            want = [(i, r) for i, r in enumerate(records) if r["partition"] == p]
            have = [g for g in got if g.partition == p]
            self.assertEqual(len(have), len(want), "partition %d" % p)
            for (i, r), g in zip(want, have):
                self.assertEqual(g.offset, offsets[i])
                self.assertEqual(g.key, r["key"])
                self.assertEqual(g.value, r["value"])
                self.assertEqual(g.headers, r["headers"])
                self.assertEqual(g.timestamp, r["timestamp"])
                self.assertEqual(g.timestamp_type, 0)  # CreateTime

    def offsets_per_partition(self, records):
        """Expected offsets: 0.. in send order within each partition of a fresh topic."""
        next_offset, out = {}, []
        for r in records:
            out.append(next_offset.get(r["partition"], 0))
            next_offset[r["partition"]] = out[-1] + 1
        return out

    def check_acks(self, acks):
        topic = "kp-acks-%s" % acks
        self.create_topic(topic, 3)
        records = make_records(36, 3, "acks%s" % acks)
        metas = self.produce(topic, records, acks=acks)
        expected = self.offsets_per_partition(records)
        self.assertEqual([m.partition for m in metas], [r["partition"] for r in records])
        self.assertEqual([m.timestamp for m in metas], [r["timestamp"] for r in records])
        if acks == 0:
            self.assertEqual({m.offset for m in metas}, {-1})  # no response, no offset
        else:
            self.assertEqual([m.offset for m in metas], expected)
        self.assert_read_back(records, self.consume(topic, 3, len(records)), expected)

    def test_acks_0(self):
        self.check_acks(0)

    def test_acks_1(self):
        self.check_acks(1)

    def test_acks_all(self):
        self.check_acks("all")

    def test_compression(self):
        for name, (bits, available) in CODECS.items():
            with self.subTest(codec=name):
                if not available():
                    self.skipTest("kafka-python lacks %s: install %s" % (name, DEBIAN_CODEC_PACKAGE[name]))
                topic = "kp-codec-" + name
                self.create_topic(topic, 2)
                records = make_records(40, 2, name)
                metas = self.produce(topic, records, acks=1, compression_type=name)
                expected = self.offsets_per_partition(records)
                self.assertEqual([m.offset for m in metas], expected)
                self.assert_read_back(records, self.consume(topic, 2, len(records)), expected)
                batches = stored_batches(self.brookd.log_dirs, topic)
                self.assertTrue(batches)
                self.assertEqual({b["codec"] for b in batches}, {bits})

    def produce_spaced_timestamps(self, topic):
        """4 records on partition 0, one batch each, at BASE_TS + 0, 1000, 2000, 3000 (offsets 0..3)."""
        self.create_topic(topic, 1)
        p = KafkaProducer(bootstrap_servers=self.bootstrap, acks=1)
        try:
            for i in range(4):
                p.send(topic, value=b"t%d" % i, partition=0, timestamp_ms=BASE_TS + i * 1000).get(timeout=30)
        finally:
            p.close(timeout=10)
        return TopicPartition(topic, 0)

    def lookup_consumer(self):
        return KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                             request_timeout_ms=15000)

    def test_offset_lookups(self):
        tp = self.produce_spaced_timestamps("kp-offset-lookups")
        c = self.lookup_consumer()
        try:
            self.assertEqual(c.beginning_offsets([tp]), {tp: 0})
            self.assertEqual(c.end_offsets([tp]), {tp: 4})
            for ts, offset in ((BASE_TS - 1, 0), (BASE_TS, 0), (BASE_TS + 1, 1), (BASE_TS + 2000, 2),
                               (BASE_TS + 2999, 3)):
                self.assertEqual(c.offsets_for_times({tp: ts})[tp].offset, offset, "time %d" % ts)
        finally:
            c.close()

    def test_offsets_for_times_record_timestamp_and_none_past_end(self):
        tp = self.produce_spaced_timestamps("kp-offsets-for-times")
        c = self.lookup_consumer()
        try:
            found = c.offsets_for_times({tp: BASE_TS + 500})[tp]
            self.assertEqual((found.offset, found.timestamp), (1, BASE_TS + 1000))
            self.assertIsNone(c.offsets_for_times({tp: BASE_TS + 3001})[tp])
        finally:
            c.close()

    def test_admin_create_list_describe_delete(self):
        self.admin.create_topics([NewTopic("kp-admin-a", 5, 1, topic_configs={"retention.ms": "7654321"}),
                                  NewTopic("kp-admin-b", 1, 1)], timeout_ms=15000)
        topics = self.admin.list_topics()
        self.assertIn("kp-admin-a", topics)
        self.assertIn("kp-admin-b", topics)
        described = {t["topic"]: t for t in self.admin.describe_topics(["kp-admin-a", "kp-admin-b"])}
        self.assertEqual(sorted(p["partition"] for p in described["kp-admin-a"]["partitions"]), [0, 1, 2, 3, 4])
        self.assertEqual(len(described["kp-admin-b"]["partitions"]), 1)
        for p in described["kp-admin-a"]["partitions"]:
            self.assertEqual((p["error_code"], p["leader"], p["replicas"], p["isr"]), (0, 0, [0], [0]))

        with self.assertRaises(TopicAlreadyExistsError):
            self.admin.create_topics([NewTopic("kp-admin-a", 2, 1)], timeout_ms=15000)

        resp = self.admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, "kp-admin-a")])
        self.assertEqual(len(resp), 1)
        (resource,) = resp[0].resources
        error_code, _, _, name, entries = resource[:5]
        self.assertEqual((error_code, name), (0, "kp-admin-a"))
        values = {e[0]: e[1] for e in entries}
        self.assertEqual(values.get("retention.ms"), "7654321")

        self.admin.delete_topics(["kp-admin-a"], timeout_ms=15000)
        self.assertTrue(wait_until(lambda: "kp-admin-a" not in self.admin.list_topics(), timeout=15))
        self.assertIn("kp-admin-b", self.admin.list_topics())
        with self.assertRaises(UnknownTopicOrPartitionError):
            self.admin.delete_topics(["kp-admin-a"], timeout_ms=15000)


if __name__ == "__main__":
    unittest.main(verbosity=2)
