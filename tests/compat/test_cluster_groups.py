"""A consumer group across a 3-broker `brook cluster`: two confluent-kafka members and a `kcat -G` member
consume a topic while records keep coming, and the broker coordinating the group (the leader of the group's
partition of __consumer_offsets) is killed with SIGKILL three times, each time restarted once its groups
have moved. Checked: FindCoordinator names the leader of that partition; a committed offset never goes
back; after every kill the members consume again; at the end every record produced was consumed by some
member (none skipped), and the members committed up to the end.
"""

import subprocess
import sys
import threading
import unittest

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from brook_harness import bin_path, run, wait_until
from cluster_harness import ClusterTestCase

TOPIC = "grouped"
GROUP = "cluster-group"
PARTITIONS = 6
KILLS = 3
OFFSETS_PARTITIONS = 50  # offsets.topic.num.partitions


def java_hash(s):
    h = 0
    for c in s.encode():
        h = (h * 31 + c) & 0xFFFFFFFF
    return h - (1 << 32) if h & 0x80000000 else h


def offsets_partition(group):
    """Kafka's placement of a group: abs(hashCode) modulo the partitions of __consumer_offsets."""
    h = java_hash(group)
    return (0 if h == -(1 << 31) else abs(h)) % OFFSETS_PARTITIONS


class ClusterGroupsTest(ClusterTestCase):
    CONFIGS = ("default.replication.factor=3", "min.insync.replicas=2",
               "group.initial.rebalance.delay.ms=200")

    def setUp(self):
        super().setUp()
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", TOPIC,
             "--partitions", str(PARTITIONS), "--replication-factor", "3"], timeout=30)
        self.admin = AdminClient({"bootstrap.servers": self.bootstrap})
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.consumed = {}     # (partition, offset) -> value, over all members
        self.errors = []
        self.kcat = None

    def coordinator(self):
        """Leader of the group's __consumer_offsets partition, from the metadata; None if unknown."""
        try:
            md = self.admin.list_topics("__consumer_offsets", timeout=5)
        except KafkaException:
            return None
        t = md.topics.get("__consumer_offsets")
        if t is None or t.error is not None:
            return None
        p = t.partitions.get(offsets_partition(GROUP))
        return p.leader if p is not None and p.error is None and p.leader >= 1 else None

    def committed(self):
        """The group's committed offsets per partition (-1001 when none), asked as a client does."""
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": GROUP, "enable.auto.commit": False})
        try:
            tps = c.committed([TopicPartition(TOPIC, p) for p in range(PARTITIONS)], timeout=20)
            return {tp.partition: tp.offset for tp in tps}
        finally:
            c.close()

    def produce(self, start, count):
        p = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "enable.idempotence": True,
                      "linger.ms": 5})
        for i in range(start, start + count):
            p.produce(TOPIC, value=("r%d" % i).encode(), partition=i % PARTITIONS)
        self.assertEqual(p.flush(60), 0)
        return {"r%d" % i for i in range(start, start + count)}

    def member(self, name):
        """A confluent-kafka member: polls, records what it reads, commits synchronously every batch."""
        c = Consumer({"bootstrap.servers": self.bootstrap, "group.id": GROUP, "client.id": name,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "session.timeout.ms": 10000, "heartbeat.interval.ms": 500})
        c.subscribe([TOPIC])
        try:
            while not self.stop.is_set():
                msgs = c.consume(500, 0.2)
                for m in msgs:
                    if m.error():
                        continue
                    with self.lock:
                        self.consumed[(m.partition(), m.offset())] = m.value().decode()
                if msgs:
                    try:
                        c.commit(asynchronous=False)
                    except KafkaException:
                        pass  # the coordinator moved or the group rebalances: the next batch commits
        except Exception as e:  # reported by the test thread
            self.errors.append(repr(e))
        finally:
            c.close()

    def read_kcat(self):
        for line in self.kcat.stdout:
            part, off, value = line.decode().rstrip("\n").split(" ", 2)
            with self.lock:
                self.consumed[(int(part), int(off))] = value

    def consumed_values(self):
        with self.lock:
            return set(self.consumed.values())

    def test_group_survives_killing_its_coordinator(self):
        produced = self.produce(0, 600)
        members = [threading.Thread(target=self.member, args=("member-%d" % i,), daemon=True) for i in (1, 2)]
        for t in members:
            t.start()
        self.kcat = subprocess.Popen(
            ["/usr/bin/kcat", "-b", self.bootstrap, "-G", GROUP, "-q", "-u", "-f", "%p %o %s\\n",
             "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=200",
             "-X", "session.timeout.ms=10000", "-X", "heartbeat.interval.ms=500", TOPIC],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        reader = threading.Thread(target=self.read_kcat, daemon=True)
        reader.start()
        try:
            self.assertTrue(wait_until(lambda: produced <= self.consumed_values(), 60),
                            "the group did not read the first records: %d of %d, member errors %s" % (
                                len(produced & self.consumed_values()), len(produced), self.errors))
            next_record = 600
            for k in range(KILLS):
                coordinator = wait_until(self.coordinator, 30)
                self.assertTrue(coordinator, "no coordinator for %s before kill %d" % (GROUP, k + 1))
                before = wait_until(lambda: (lambda c: c if all(o >= 0 for o in c.values()) else None)(
                    self.committed()), 30)
                self.assertTrue(before, "the group committed nothing before kill %d" % (k + 1))
                self.restart_broker(coordinator, lambda timeout: None)
                moved = self.coordinator()
                sys.stderr.write("kill %d: broker %d coordinated %s (committed %s); now broker %s\n" % (
                    k + 1, coordinator, GROUP, before, moved))
                # Committed offsets survive the move: none goes back.
                after = self.committed()
                back = {p: (before[p], after.get(p)) for p in before if after.get(p, -1) < before[p]}
                self.assertEqual(back, {}, "committed offsets went back after kill %d" % (k + 1))
                # The members consume again: new records arrive and are read.
                fresh = self.produce(next_record, 120)
                next_record += 120
                produced |= fresh
                self.assertTrue(wait_until(lambda: fresh <= self.consumed_values(), 60),
                                "records produced after kill %d were not consumed: %d missing" % (
                                    k + 1, len(fresh - self.consumed_values())))
            # Nothing skipped, and the group commits up to the end.
            self.assertEqual(sorted(produced - self.consumed_values())[:20], [])
            ends = {p: len([v for (q, _), v in self.consumed.items() if q == p]) for p in range(PARTITIONS)}
            settled = wait_until(lambda: (lambda c: c if all(c[p] >= ends[p] for p in ends) else None)(
                self.committed()), 30)
            self.assertTrue(settled, "committed %s, ends %s" % (self.committed(), ends))
            self.assertEqual(self.errors, [])
        finally:
            self.stop.set()
            for t in members:
                t.join(timeout=30)
            self.kcat.terminate()
            try:
                self.kcat.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kcat.kill()
                self.kcat.wait()
            reader.join(timeout=5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
