"""confluent-kafka against a 3-broker `brook cluster`: an idempotent acks=all Producer keeps writing while
the leader of partition 0 is SIGKILLed and restarted twice; every acknowledged record is then read back
exactly once, in order, at the offset its delivery report gave.

The cluster, its restarts and its cleanup: cluster_harness.py.
"""

import re
import sys
import threading
import time
import unittest

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from brook_harness import bin_path, run, wait_until
from cluster_harness import ClusterTestCase

TOPIC = "failover"
PARTITIONS = 6
PRODUCE_SECONDS = 8.0
KILLS = 2
ISR_TIMEOUT = 30.0
FLUSH_TIMEOUT = 20.0
CONSUME_TIMEOUT = 20.0


class ClusterFailoverTest(ClusterTestCase):
    def setUp(self):
        super().setUp()
        self.admins = []     # AdminClients kept for the test's lifetime (futures of a destroyed one fail)
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", TOPIC,
             "--partitions", str(PARTITIONS), "--replication-factor", "3"], timeout=30)

    def admin(self):
        a = AdminClient({"bootstrap.servers": self.bootstrap})
        self.admins.append(a)
        return a

    @staticmethod
    def partition0(admin, timeout=5.0):
        """(leader, isr) of partition 0, or None if the metadata does not say within timeout."""
        try:
            md = admin.list_topics(TOPIC, timeout=timeout)
        except Exception:
            return None
        t = md.topics.get(TOPIC)
        if t is None or t.error is not None or 0 not in t.partitions:
            return None
        p = t.partitions[0]
        return (p.leader, sorted(p.isrs)) if p.error is None else None

    def chaos(self, events):
        """Twice: restart the leader of partition 0, then wait for a full ISR. Runs beside the producer."""
        admin = self.admin()
        time.sleep(1.5)
        for round_ in range(KILLS):
            state = wait_until(lambda: (lambda s: s if s and s[0] >= 1 else None)(self.partition0(admin)), 10)
            self.assertTrue(state, "partition 0 has no leader before kill %d" % (round_ + 1))
            leader = state[0]
            t0 = time.monotonic()
            pid = self.restart_broker(leader, lambda timeout: self.partition0(admin, timeout))
            events.append("kill %d: broker %d (leader of partition 0, ISR %s) restarted as pid %d; "
                          "partition 0 while it was down: %s" % (round_ + 1, leader, state[1], pid, self.while_down))
            full = wait_until(lambda: (lambda s: s if s and s[0] >= 1 and len(s[1]) == 3 else None)(
                self.partition0(admin)), ISR_TIMEOUT, 0.2)
            if not full:
                status = run([bin_path("brook"), "cluster", "status", "--dir", self.dir], timeout=20, check=False)
                self.fail("partition 0 ISR not back to 3 within %.0f s of restarting broker %d (last: %s)\n%s%s" % (
                    ISR_TIMEOUT, leader, self.partition0(admin), status.stdout.decode(errors="replace"),
                    status.stderr.decode(errors="replace")))
            events.append("kill %d: partition 0 leader %d ISR %s after %.1f s" % (
                round_ + 1, full[0], full[1], time.monotonic() - t0))
            time.sleep(1.0)

    def test_idempotent_producer_survives_leader_restarts(self):
        # Metadata: three brokers and a controller among them.
        md = self.admin().list_topics(timeout=10)
        self.assertEqual(sorted(md.brokers), [1, 2, 3])
        self.assertIn(md.controller_id, md.brokers)

        acked = {p: [] for p in range(PARTITIONS)}  # partition -> [(seq, offset)] in delivery order
        errors = []

        def on_delivery(err, msg):
            if err is not None:
                errors.append((msg.value(), err))
                return
            p, seq = msg.value().decode().split(":")
            self.assertEqual(int(p), msg.partition())
            acked[msg.partition()].append((int(seq), msg.offset()))

        events, chaos_error = [], []

        def chaos_main():
            try:
                self.chaos(events)
            except BaseException as e:  # reported by the main thread
                chaos_error.append(e)
        chaos_thread = threading.Thread(target=chaos_main, daemon=True)

        producer = Producer({"bootstrap.servers": self.bootstrap, "enable.idempotence": True, "acks": "all",
                             "linger.ms": 5, "message.timeout.ms": 60000})
        sent = [0] * PARTITIONS
        start = time.monotonic()
        chaos_thread.start()
        # At least PRODUCE_SECONDS, and on until both restarts are done (the chaos thread bounds itself).
        while (time.monotonic() - start < PRODUCE_SECONDS or chaos_thread.is_alive()) and not chaos_error:
            for p in range(PARTITIONS):
                while True:
                    try:
                        producer.produce(TOPIC, value=("%d:%d" % (p, sent[p])).encode(), partition=p,
                                         on_delivery=on_delivery)
                        break
                    except BufferError:
                        producer.poll(0.05)
                sent[p] += 1
            producer.poll(0.002)
        produce_seconds = time.monotonic() - start
        left = producer.flush(FLUSH_TIMEOUT)
        chaos_thread.join(timeout=5)
        for e in events:
            sys.stderr.write(e + "\n")
        sys.stderr.write("produced %d records in %.1f s, %d acknowledged, %d delivery errors, %d unflushed\n" % (
            sum(sent), produce_seconds, sum(len(v) for v in acked.values()), len(errors), left))
        if chaos_error:
            raise chaos_error[0]
        self.assertEqual(len(events), 2 * KILLS, events)
        self.assertEqual(left, 0, "records still queued %.0f s after the last produce" % FLUSH_TIMEOUT)
        self.assertEqual(errors[:10], [], "%d delivery errors" % len(errors))

        # Every acknowledged record: delivered once, in produce order, offsets increasing.
        for p in range(PARTITIONS):
            seqs = [s for s, _ in acked[p]]
            self.assertEqual(sorted(seqs), list(range(sent[p])), "partition %d: acknowledged sequences" % p)
            self.assertEqual(seqs, sorted(seqs), "partition %d: delivery reports out of produce order" % p)
            offsets = [o for _, o in acked[p]]
            self.assertTrue(all(a < b for a, b in zip(offsets, offsets[1:])),
                            "partition %d: acknowledged offsets not strictly increasing" % p)

        got = self.consume_all()
        for p in range(PARTITIONS):
            have = got[p]
            offsets = [o for o, _ in have]
            self.assertTrue(all(a < b for a, b in zip(offsets, offsets[1:])),
                            "partition %d: consumed offsets not strictly increasing" % p)
            values = [v for _, v in have]
            wrong = [v for v in values if not v.startswith("%d:" % p)]
            self.assertEqual(wrong[:10], [], "partition %d holds records of other partitions" % p)
            seqs = [int(v.split(":")[1]) for v in values]
            dups = sorted({s for s in seqs if seqs.count(s) > 1}) if len(set(seqs)) != len(seqs) else []
            self.assertEqual(dups[:20], [], "partition %d: %d sequences stored more than once" % (p, len(dups)))
            missing = sorted(set(s for s, _ in acked[p]) - set(seqs))
            self.assertEqual(missing[:20], [], "partition %d: %d acknowledged records missing" % (p, len(missing)))
            self.assertEqual(seqs, sorted(seqs), "partition %d: records stored out of produce order" % p)
            at = {int(v.split(":")[1]): o for o, v in have}
            moved = [(s, o, at[s]) for s, o in acked[p] if at[s] != o]
            self.assertEqual(moved[:10], [], "partition %d: (seq, acknowledged offset, stored offset) differ" % p)

        # cluster.state names the restarted brokers: status finds all four processes alive.
        status = run([bin_path("brook"), "cluster", "status", "--dir", self.dir], timeout=20).stdout.decode()
        alive = re.findall(r"^\s+(?:coordinator|broker)\s+\d+\s+\d+\s+alive\b", status, re.M)
        self.assertEqual(len(alive), 4, status)

    def consume_all(self):
        """partition -> [(offset, value)] from the beginning up to each partition's high watermark."""
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "failover-check",
                      "enable.auto.commit": False, "enable.partition.eof": False})
        try:
            high = {}
            for p in range(PARTITIONS):
                low, high[p] = c.get_watermark_offsets(TopicPartition(TOPIC, p), timeout=10)
                self.assertEqual(low, 0, "partition %d" % p)
            c.assign([TopicPartition(TOPIC, p, OFFSET_BEGINNING) for p in range(PARTITIONS)])
            got = {p: [] for p in range(PARTITIONS)}
            done = {p for p in range(PARTITIONS) if high[p] == 0}
            deadline = time.monotonic() + CONSUME_TIMEOUT
            while len(done) < PARTITIONS and time.monotonic() < deadline:
                for m in c.consume(1000, 0.5):
                    self.assertIsNone(m.error(), m.error())
                    got[m.partition()].append((m.offset(), m.value().decode()))
                    if m.offset() + 1 >= high[m.partition()]:
                        done.add(m.partition())
            self.assertEqual(len(done), PARTITIONS, "high watermarks %s not reached within %.0f s; read %s" % (
                high, CONSUME_TIMEOUT, {p: len(v) for p, v in got.items()}))
            return got
        finally:
            c.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
