"""confluent-kafka 1.7.0 (librdkafka 2.0.2) against brookd: Producer with acks 0/1/all (+idempotence) and
delivery reports, Consumer.assign() reading back keys/values/headers/timestamps exactly, AdminClient
create/list/describe_configs/delete."""

import time
import unittest

from confluent_kafka import OFFSET_BEGINNING, TIMESTAMP_CREATE_TIME, Consumer, KafkaError, KafkaException, \
    Producer, TopicPartition
from confluent_kafka.admin import ConfigResource, ConfigSource, NewTopic

from brook_harness import BrookTestCase, ConfluentAdminMixin, stored_batches, wait_until

BASE_TS = 1_650_000_000_000


def make_records(n, partitions, tag):
    """n records spread round-robin over partitions, with keys, headers and distinct explicit timestamps."""
    records = []
    for i in range(n):
        headers = [("tag", tag.encode()), ("i", str(i).encode()), ("dup", b"1"), ("dup", b"2")]
        if i % 5 == 0:
            headers.append(("null-header", None))
        key = None if i % 7 == 3 else ("key-%d" % i).encode()
        value = bytes(range(256)) if i % 4 == 0 else ("%s value %d" % (tag, i)).encode()
        if i % 11 == 10:
            value = None  # tombstone
        records.append({"partition": i % partitions, "key": key, "value": value, "headers": headers,
                        "timestamp": BASE_TS + i * 10})
    return records


class ConfluentKafkaTest(ConfluentAdminMixin, BrookTestCase):
    def create_topic(self, name, partitions, config=None):
        fs = self.admin().create_topics([NewTopic(name, partitions, 1, config=config or {})], request_timeout=15)
        fs[name].result(timeout=30)

    def produce(self, topic, records, conf):
        """Produces records in order; returns the delivery reports in callback order."""
        p = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 5, **conf})
        reports = []

        def on_delivery(err, msg):
            reports.append({"error": err, "partition": msg.partition(), "offset": msg.offset(), "key": msg.key(),
                            "value": msg.value(), "timestamp": msg.timestamp()})

        for r in records:
            p.produce(topic, value=r["value"], key=r["key"], partition=r["partition"], headers=r["headers"],
                      timestamp=r["timestamp"], on_delivery=on_delivery)
            p.poll(0)
        self.assertEqual(p.flush(30), 0, "records still queued after flush")
        return reports

    def consume(self, topic, partitions, count, timeout=30):
        """Consumer.assign() from the beginning of each partition until count records (or timeout)."""
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "compat-unused",
                      "enable.auto.commit": False, "enable.partition.eof": False})
        try:
            c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
            got = []
            deadline = time.monotonic() + timeout
            while len(got) < count and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                self.assertIsNone(m.error(), m.error())
                got.append({"partition": m.partition(), "offset": m.offset(), "key": m.key(), "value": m.value(),
                            "headers": m.headers() or [], "timestamp": m.timestamp()})
            # Nothing beyond what was produced.
            extra = c.poll(1.0)
            self.assertIsNone(extra, "unexpected extra record")
            return got
        finally:
            c.close()

    def assert_read_back(self, records, got, offsets=None):
        """got holds exactly records, per partition in produce order, at offsets 0.. (or offsets[i])."""
        self.assertEqual(len(got), len(records))
        partitions = sorted({r["partition"] for r in records})
        for p in partitions:
            want = [(i, r) for i, r in enumerate(records) if r["partition"] == p]
            have = [g for g in got if g["partition"] == p]
            self.assertEqual(len(have), len(want), "partition %d" % p)
            for n, ((i, r), g) in enumerate(zip(want, have)):
                self.assertEqual(g["offset"], offsets[i] if offsets else n)
                self.assertEqual(g["key"], r["key"])
                self.assertEqual(g["value"], r["value"])
                self.assertEqual(g["headers"], r["headers"])
                self.assertEqual(g["timestamp"], (TIMESTAMP_CREATE_TIME, r["timestamp"]))

    def assert_reports(self, records, reports, with_offsets=True):
        """Every record reported once, without error; offsets 0.. in produce order per partition."""
        self.assertEqual(len(reports), len(records))
        for rep in reports:
            self.assertIsNone(rep["error"])
        by_value = {}
        for p in {r["partition"] for r in records}:
            sent = [r for r in records if r["partition"] == p]
            reps = [x for x in reports if x["partition"] == p]
            self.assertEqual([(x["key"], x["value"]) for x in reps], [(r["key"], r["value"]) for r in sent])
            self.assertEqual([x["timestamp"] for x in reps], [(TIMESTAMP_CREATE_TIME, r["timestamp"]) for r in sent])
            if with_offsets:
                self.assertEqual([x["offset"] for x in reps], list(range(len(sent))))
            for r, x in zip(sent, reps):
                by_value[id(r)] = x["offset"]
        return [by_value[id(r)] for r in records]

    def test_acks_1_delivery_reports_and_read_back(self):
        topic = "cf-acks-1"
        self.create_topic(topic, 3)
        records = make_records(45, 3, "acks1")
        reports = self.produce(topic, records, {"acks": "1"})
        offsets = self.assert_reports(records, reports)
        self.assert_read_back(records, self.consume(topic, 3, len(records)), offsets)

    def test_acks_0_reports_no_offsets_and_records_arrive(self):
        topic = "cf-acks-0"
        self.create_topic(topic, 2)
        records = make_records(30, 2, "acks0")
        reports = self.produce(topic, records, {"acks": "0"})
        self.assert_reports(records, reports, with_offsets=False)
        # Without a response there is no offset: librdkafka reports OFFSET_INVALID (None in Python).
        self.assertEqual({x["offset"] for x in reports}, {None})
        self.assert_read_back(records, self.consume(topic, 2, len(records)))

    def test_acks_all_idempotent(self):
        topic = "cf-acks-all-idem"
        self.create_topic(topic, 3)
        records = make_records(60, 3, "idem")
        reports = self.produce(topic, records, {"acks": "all", "enable.idempotence": True,
                                                "max.in.flight.requests.per.connection": 5})
        offsets = self.assert_reports(records, reports)
        self.assert_read_back(records, self.consume(topic, 3, len(records)), offsets)
        # The batches carry the producer id from InitProducerId and gap-free sequences from 0.
        batches = stored_batches(self.brookd.log_dirs, topic)
        self.assertEqual({b["partition"] for b in batches}, {0, 1, 2})
        self.assertEqual(len({b["producer_id"] for b in batches}), 1)
        self.assertGreaterEqual(batches[0]["producer_id"], 0)
        for p in range(3):
            seq = 0
            for b in [b for b in batches if b["partition"] == p]:
                self.assertEqual(b["base_sequence"], seq)
                self.assertEqual(b["base_offset"], seq)  # one producer from offset 0: offsets follow sequences
                seq += b["count"]
            self.assertEqual(seq, 20)

    def test_large_records_small_fetch_limits_and_too_large(self):
        topic = "cf-large"
        self.create_topic(topic, 1)
        p = Producer({"bootstrap.servers": self.bootstrap, "message.max.bytes": 5_000_000, "linger.ms": 0})
        reports = []
        sizes = [300_000, 300_000, 2_000_000, 10]  # the broker's message.max.bytes is 1048588
        for i, n in enumerate(sizes):
            p.produce(topic, value=bytes([65 + i]) * n, partition=0,
                      on_delivery=lambda err, msg: reports.append((err and err.code(), msg.offset(), len(msg.value()))))
            self.assertEqual(p.flush(30), 0)
        self.assertEqual(reports, [(None, 0, 300_000), (None, 1, 300_000),
                                   (KafkaError.MSG_SIZE_TOO_LARGE, None, 2_000_000), (None, 2, 10)])

        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "compat-unused", "enable.auto.commit": False,
                      "fetch.max.bytes": 1024, "max.partition.fetch.bytes": 1024, "message.max.bytes": 1000})
        try:
            self.assertEqual(c.get_watermark_offsets(TopicPartition(topic, 0), timeout=15), (0, 3))
            # Fetch limits far below one record: the broker still returns whole batches, so nothing stalls.
            for start in (OFFSET_BEGINNING, 1):
                c.assign([TopicPartition(topic, 0, start)])
                got = []
                deadline = time.monotonic() + 30
                while len(got) < (3 if start == OFFSET_BEGINNING else 2) and time.monotonic() < deadline:
                    m = c.poll(0.5)
                    if m is not None:
                        self.assertIsNone(m.error(), m.error())
                        got.append((m.offset(), m.value()))
                want = [(0, b"A" * 300_000), (1, b"B" * 300_000), (2, b"D" * 10)]
                self.assertEqual(got, want if start == OFFSET_BEGINNING else want[1:])
        finally:
            c.close()

    def test_admin_create_list_describe_delete(self):
        admin = self.admin()
        fs = admin.create_topics([NewTopic("cf-admin-a", 4, 1, config={"retention.ms": "123456"}),
                                  NewTopic("cf-admin-b", 2, 1)], request_timeout=15)
        for f in fs.values():
            self.assertIsNone(f.result(timeout=30))

        md = admin.list_topics(timeout=15)
        self.assertEqual([b.id for b in md.brokers.values()], [0])
        self.assertEqual(md.controller_id, 0)
        self.assertEqual(sorted(md.topics["cf-admin-a"].partitions), [0, 1, 2, 3])
        self.assertEqual(sorted(md.topics["cf-admin-b"].partitions), [0, 1])
        for pm in md.topics["cf-admin-a"].partitions.values():
            self.assertEqual((pm.leader, pm.replicas, pm.isrs), (0, [0], [0]))

        # A second create of the same name fails with TOPIC_ALREADY_EXISTS and changes nothing.
        again = admin.create_topics([NewTopic("cf-admin-a", 1, 1)], request_timeout=15)["cf-admin-a"]
        with self.assertRaises(KafkaException) as cm:
            again.result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.TOPIC_ALREADY_EXISTS)
        self.assertEqual(len(admin.list_topics("cf-admin-a", timeout=15).topics["cf-admin-a"].partitions), 4)

        # validate_only creates nothing.
        admin.create_topics([NewTopic("cf-admin-validate", 2, 1)], validate_only=True,
                            request_timeout=15)["cf-admin-validate"].result(timeout=30)
        self.assertNotIn("cf-admin-validate", admin.list_topics(timeout=15).topics)

        # More replicas than brokers is refused.
        bad = admin.create_topics([NewTopic("cf-admin-rf3", 1, 3)], request_timeout=15)["cf-admin-rf3"]
        with self.assertRaises(KafkaException) as cm:
            bad.result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.INVALID_REPLICATION_FACTOR)

        res = ConfigResource("topic", "cf-admin-a")
        configs = admin.describe_configs([res], request_timeout=15)[res].result(timeout=30)
        self.assertEqual(configs["retention.ms"].value, "123456")
        res_b = ConfigResource("topic", "cf-admin-b")
        configs_b = admin.describe_configs([res_b], request_timeout=15)[res_b].result(timeout=30)
        self.assertNotEqual(configs_b["retention.ms"].value, "123456")
        missing = ConfigResource("topic", "cf-admin-missing")
        with self.assertRaises(KafkaException) as cm:
            admin.describe_configs([missing], request_timeout=15)[missing].result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.UNKNOWN_TOPIC_OR_PART)

        for f in admin.delete_topics(["cf-admin-a"], request_timeout=15).values():
            self.assertIsNone(f.result(timeout=30))
        gone = wait_until(lambda: "cf-admin-a" not in admin.list_topics(timeout=15).topics, timeout=15)
        self.assertTrue(gone, "deleted topic still listed")
        self.assertIn("cf-admin-b", admin.list_topics(timeout=15).topics)
        with self.assertRaises(KafkaException) as cm:
            admin.delete_topics(["cf-admin-a"], request_timeout=15)["cf-admin-a"].result(timeout=30)
        self.assertEqual(cm.exception.args[0].code(), KafkaError.UNKNOWN_TOPIC_OR_PART)

    def test_describe_configs_source_of_a_set_config(self):
        self.create_topic("cf-config-source", 1, {"retention.ms": "654321"})
        res = ConfigResource("topic", "cf-config-source")
        configs = self.admin().describe_configs([res], request_timeout=15)[res].result(timeout=30)
        self.assertEqual(configs["retention.ms"].value, "654321")
        self.assertEqual(configs["retention.ms"].source, ConfigSource.DYNAMIC_TOPIC_CONFIG.value)
        self.assertFalse(configs["retention.ms"].is_default)
        self.assertTrue(configs["segment.bytes"].is_default)


if __name__ == "__main__":
    unittest.main(verbosity=2)
