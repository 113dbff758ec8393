"""Records cross between Brook's native protocol (the brook CLI) and Kafka clients (kcat, confluent-kafka)
in both directions, unchanged."""

import time
import unittest

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

from brook_harness import BrookTestCase, bin_path, run, stored_batches

CODEC_BITS = {"none": 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
SEP = "|"


def sample(tag, n=40, keys=5):
    """(key, value) pairs: keys repeat so per-key order is checkable; no empty keys or values (kcat shows
    both empty and null as NULL), no ':' in keys, no tab/newline/'|' anywhere."""
    return [("%s-k%d" % (tag, i % keys), "%s value %d %s" % (tag, i, "xyz" * (i % 9))) for i in range(n)]


class InteropTest(BrookTestCase):
    def brook(self, *args, input=None, timeout=60):
        return run([bin_path("brook"), "--bootstrap-server", self.native, *args], input=input, timeout=timeout)

    def create_topic(self, name, partitions):
        self.brook("topic", "create", "-p", str(partitions), name)

    def kcat(self, *args, input=None):
        return run(["kcat", "-b", self.bootstrap, *args], input=input, timeout=60)

    def brook_consume(self, topic, count):
        out = self.brook("consume", topic, "--from-beginning", "--print-key", "-n", str(count),
                         "--timeout-ms", "10000").stdout.decode()
        return [tuple(line.split("\t", 1)) for line in out.splitlines()]

    def kcat_consume(self, topic):
        fmt = SEP.join(["%p", "%o", "%k", "%s", "%h"]) + "\\n"
        out = self.kcat("-C", "-t", topic, "-o", "beginning", "-e", "-f", fmt).stdout.decode()
        return [line.split(SEP) for line in out.splitlines()]

    def assert_same_records(self, sent, got):
        """Same multiset of (key, value), and each key's values in send order (one key, one partition)."""
        self.assertEqual(len(got), len(sent))
        self.assertCountEqual(got, sent)
        for key in {k for k, _ in sent}:
            self.assertEqual([v for k, v in got if k == key], [v for k, v in sent if k == key], key)

    def test_kcat_produce_brook_consume(self):
        for codec in ("none", "zstd"):
            with self.subTest(codec=codec):
                topic = "interop-kcat-to-brook-" + codec
                self.create_topic(topic, 3)
                sent = sample("kcat" + codec)
                self.kcat("-P", "-t", topic, "-K:", "-z", codec, input="".join("%s:%s\n" % kv for kv in sent))
                self.assertEqual({b["codec"] for b in stored_batches(self.brookd.log_dirs, topic)},
                                 {CODEC_BITS[codec]})
                self.assert_same_records(sent, self.brook_consume(topic, len(sent)))

    def test_brook_produce_kcat_consume(self):
        for codec in ("none", "gzip", "snappy", "lz4", "zstd"):
            with self.subTest(codec=codec):
                topic = "interop-brook-to-kcat-" + codec
                self.create_topic(topic, 3)
                sent = sample("brook" + codec)
                self.brook("produce", topic, "--key-separator", ":", "--acks", "all", "--compression-type", codec,
                           input="".join("%s:%s\n" % kv for kv in sent))
                self.assertEqual({b["codec"] for b in stored_batches(self.brookd.log_dirs, topic)},
                                 {CODEC_BITS[codec]})
                rows = self.kcat_consume(topic)
                self.assert_same_records(sent, [(k, v) for _, _, k, v, _ in rows])
                for p in {r[0] for r in rows}:
                    offsets = [int(r[1]) for r in rows if r[0] == p]
                    self.assertEqual(offsets, list(range(len(offsets))))
                self.assertEqual({r[4] for r in rows}, {""})  # no headers

    def test_confluent_produce_brook_consume(self):
        topic = "interop-confluent-to-brook"
        self.create_topic(topic, 2)
        sent = sample("cf")
        p = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "compression.type": "zstd"})
        errors = []
        for k, v in sent:
            p.produce(topic, key=k.encode(), value=v.encode(), on_delivery=lambda e, m: e and errors.append(e))
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [])
        self.assert_same_records(sent, self.brook_consume(topic, len(sent)))

    def test_brook_produce_confluent_consume(self):
        topic = "interop-brook-to-confluent"
        self.create_topic(topic, 2)
        sent = sample("native")
        t0 = int(time.time() * 1000)
        self.brook("produce", topic, "--key-separator", ":", input="".join("%s:%s\n" % kv for kv in sent))
        t1 = int(time.time() * 1000)
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "compat-unused", "enable.auto.commit": False})
        got = []
        try:
            c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(2)])
            deadline = time.monotonic() + 30
            while len(got) < len(sent) and time.monotonic() < deadline:
                m = c.poll(0.5)
                if m is None:
                    continue
                self.assertIsNone(m.error(), m.error())
                got.append(m)
            self.assertIsNone(c.poll(1.0))
        finally:
            c.close()
        self.assert_same_records(sent, [(m.key().decode(), m.value().decode()) for m in got])
        for m in got:
            self.assertIsNone(m.headers())
            self.assertTrue(t0 - 1000 <= m.timestamp()[1] <= t1 + 1000)
        for p in (0, 1):
            offsets = [m.offset() for m in got if m.partition() == p]
            self.assertEqual(offsets, list(range(len(offsets))))


if __name__ == "__main__":
    unittest.main(verbosity=2)
