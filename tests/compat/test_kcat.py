"""kcat (librdkafka 2.0.2) against brookd's Kafka listener: metadata, produce with every codec,
keys and headers, consume from the beginning, and offsets for times (-Q)."""

import json
import time
import unittest

from brook_harness import BrookTestCase, bin_path, run, stored_batches

CODECS = {None: 0, "gzip": 1, "snappy": 2, "lz4": 3, "zstd": 4}
SEP = "|"  # field separator in kcat -f output; no test key/value/header contains it


def kcat(bootstrap, *args, input=None, timeout=60):
    return run(["kcat", "-b", bootstrap, "-X", "socket.timeout.ms=10000", *args], input=input, timeout=timeout)


def stored_batch_codecs(log_dirs, topic):
    return [b["codec"] for b in stored_batches(log_dirs, topic)]


class KcatTest(BrookTestCase):
    def create_topic(self, name, partitions):
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", "-p", str(partitions), name])

    def consume_all(self, topic, extra=()):
        """kcat -C from the beginning of every partition to the end: list of dicts, in output order."""
        fmt = SEP.join(["%p", "%o", "%T", "%k", "%s", "%h"]) + "\\n"
        out = kcat(self.bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-Z", "-f", fmt, *extra).stdout
        records = []
        for line in out.decode().splitlines():
            p, o, ts, k, v, h = line.split(SEP)
            headers = [tuple(kv.split("=", 1)) for kv in h.split(",")] if h else []
            records.append({"partition": int(p), "offset": int(o), "timestamp": int(ts), "key": k, "value": v,
                            "headers": headers})
        return records

    def test_metadata_lists_broker_and_topics(self):
        self.create_topic("kcat-meta-three", 3)
        self.create_topic("kcat-meta-one", 1)
        md = json.loads(kcat(self.bootstrap, "-L", "-J").stdout)
        self.assertEqual(md["brokers"], [{"id": 0, "name": self.bootstrap}])
        self.assertEqual(md["controllerid"], 0)
        topics = {t["topic"]: t for t in md["topics"]}
        for name, n in (("kcat-meta-three", 3), ("kcat-meta-one", 1)):
            self.assertIn(name, topics)
            parts = sorted(topics[name]["partitions"], key=lambda p: p["partition"])
            self.assertEqual([p["partition"] for p in parts], list(range(n)))
            for p in parts:
                self.assertEqual(p["leader"], 0)
                self.assertEqual(p["replicas"], [{"id": 0}])
                self.assertEqual(p["isrs"], [{"id": 0}])
                self.assertNotIn("error", p)
        # The plain-text listing names the broker as the controller.
        text = kcat(self.bootstrap, "-L", "-t", "kcat-meta-three").stdout.decode()
        self.assertIn("broker 0 at %s (controller)" % self.bootstrap, text)
        self.assertIn('topic "kcat-meta-three" with 3 partitions', text)

    def produce_codec_topic(self, codec):
        """Produces 49 records to a fresh 3-partition topic with kcat -z codec (once per class)."""
        cache = type(self).__dict__.get("_codec_topics")
        if cache is None:
            cache = type(self)._codec_topics = {}
        if codec in cache:
            return cache[codec]
        topic = "kcat-codec-" + (codec or "none")
        self.create_topic(topic, 3)
        # 8 keys, 6 records each, interleaved: a key's records must land in one partition in send
        # order. Values repeat a pattern so every codec actually shrinks the batch.
        sent = []
        for i in range(48):
            key = "key-%d" % (i % 8)
            sent.append((key, "value %03d of %s: %s" % (i, key, "abcdefgh" * 20)))
        sent.append(("tombstone-key", None))  # -Z: an empty value is sent as null
        lines = "".join("%s:%s\n" % (k, v or "") for k, v in sent)
        args = ["-P", "-t", topic, "-K:", "-Z", "-H", "origin=kcat", "-H", "codec=%s" % (codec or "none")]
        if codec:
            args += ["-z", codec]
        t0 = int(time.time() * 1000)
        kcat(self.bootstrap, *args, input=lines)
        t1 = int(time.time() * 1000)
        cache[codec] = (topic, sent, t0, t1)
        return cache[codec]

    def test_produce_and_consume_with_every_codec(self):
        for codec in CODECS:
            with self.subTest(codec=codec or "none"):
                topic, sent, t0, t1 = self.produce_codec_topic(codec)
                got = self.consume_all(topic)
                self.assertEqual(len(got), len(sent))
                by_partition = {}
                for r in got:
                    by_partition.setdefault(r["partition"], []).append(r)
                    self.assertEqual(r["headers"], [("origin", "kcat"), ("codec", codec or "none")])
                    self.assertTrue(t0 - 1000 <= r["timestamp"] <= t1 + 1000, r)
                self.assertTrue(set(by_partition) <= {0, 1, 2})
                received = []
                for p, recs in by_partition.items():
                    self.assertEqual([r["offset"] for r in recs], list(range(len(recs))), "partition %d" % p)
                    pairs = [(r["key"], None if r["value"] == "NULL" else r["value"]) for r in recs]
                    received += pairs
                    # Within a partition the records keep their send order.
                    idx = [sent.index(kv) for kv in pairs]
                    self.assertEqual(idx, sorted(idx), "partition %d out of order" % p)
                self.assertCountEqual(received, sent)
                key_partition = {}
                for r in got:
                    self.assertEqual(key_partition.setdefault(r["key"], r["partition"]), r["partition"])
                self.assertGreater(len(by_partition), 1, "keys should spread over partitions")

    def assert_stored_codec(self, codec):
        # Brook stores the producer's batches unchanged: they carry the codec that was asked for.
        topic = self.produce_codec_topic(codec)[0]
        codecs = stored_batch_codecs(self.brookd.log_dirs, topic)
        self.assertTrue(codecs)
        self.assertEqual(set(codecs), {CODECS[codec]})

    def test_stored_batches_uncompressed_without_codec(self):
        self.assert_stored_codec(None)

    def test_stored_batches_zstd(self):
        self.assert_stored_codec("zstd")

    def test_stored_batches_gzip_snappy_lz4(self):
        for codec in ("gzip", "snappy", "lz4"):
            with self.subTest(codec=codec):
                self.assert_stored_codec(codec)

    def produce_timestamps(self, topic, timestamps, one_batch):
        from confluent_kafka import Producer
        p = Producer({"bootstrap.servers": self.bootstrap, "linger.ms": 1000 if one_batch else 0})
        errors = []
        for i, ts in enumerate(timestamps):
            p.produce(topic, value=b"v%d" % i, partition=0, timestamp=ts,
                      on_delivery=lambda err, msg: err and errors.append(err))
            if not one_batch:
                self.assertEqual(p.flush(30), 0)
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [])

    def query(self, topic, ts):
        out = kcat(self.bootstrap, "-Q", "-t", "%s:0:%d" % (topic, ts)).stdout.decode().strip()
        prefix = "%s [0] offset " % topic
        self.assertTrue(out.startswith(prefix), out)
        return int(out[len(prefix):])

    def test_offsets_for_times_one_record_per_batch(self):
        topic = "kcat-times-batches"
        self.create_topic(topic, 1)
        base = 1_600_000_000_000
        stamps = [base + i * 1000 for i in range(5)]  # offsets 0..4
        self.produce_timestamps(topic, stamps, one_batch=False)
        self.assertEqual(len(stored_batch_codecs(self.brookd.log_dirs, topic)), 5)
        self.assertEqual(self.query(topic, 0), 0)
        self.assertEqual(self.query(topic, base), 0)
        self.assertEqual(self.query(topic, base + 1), 1)
        self.assertEqual(self.query(topic, base + 2000), 2)
        self.assertEqual(self.query(topic, base + 2500), 3)
        self.assertEqual(self.query(topic, base + 4000), 4)
        # After the last record: Kafka answers -1 (no such record), a log-end answer (5) means the same to
        # a consumer that then starts at the end.
        self.assertIn(self.query(topic, base + 4001), (-1, 5))
        # -1 and -2 are the special "latest" and "earliest" times.
        self.assertEqual(self.query(topic, -1), 5)
        self.assertEqual(self.query(topic, -2), 0)

    def test_offsets_for_times_inside_one_batch(self):
        topic = "kcat-times-one-batch"
        self.create_topic(topic, 1)
        base = 1_600_000_000_000
        self.produce_timestamps(topic, [base + i * 1000 for i in range(5)], one_batch=True)
        self.assertEqual(len(stored_batch_codecs(self.brookd.log_dirs, topic)), 1)
        self.assertEqual(self.query(topic, base), 0)
        self.assertEqual(self.query(topic, base + 500), 1)
        self.assertEqual(self.query(topic, base + 3000), 3)
        self.assertEqual(self.query(topic, base + 4000), 4)


if __name__ == "__main__":
    unittest.main(verbosity=2)
