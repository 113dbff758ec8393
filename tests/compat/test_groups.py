"""Consumer groups with real clients against brookd: kcat -G, confluent-kafka Consumer.subscribe, kafka-python
KafkaConsumer(group_id=...), KafkaJS consumer.run (kafkajs/test_kafkajs_group.js) and the native consumer
(`brook consume --group`).

For each client, three member processes join one group over a 6-partition topic:
- steady state: each member owns two partitions, disjoint, covering all six (as the client reports it and as
  `brook group describe` shows it), and 600 keyed records are consumed exactly once by the group;
- one member is killed (SIGKILL): after its session timeout (brookd logs "session timeout") the two others own
  all six partitions and consume the rest; they resume the dead member's partitions exactly at its last
  committed offsets, so nothing is skipped and only records after its last commit are delivered twice;
- one survivor stops cleanly (SIGTERM: close/disconnect, LeaveGroup): brookd rebalances because it left (not
  because its session expired), the last member owns all six partitions and consumes new records exactly once.
Also: a static confluent-kafka member (group.instance.id, KIP-345) restarts without a rebalance and keeps its
partitions; a cooperative-sticky confluent-kafka group (KIP-429) goes through a join and a leave with incremental
rebalances and no record lost; confluent-kafka, kafka-python and `brook consume` share one group (all offer "range"); KafkaJS beside
librdkafka is refused with INCONSISTENT_GROUP_PROTOCOL and the group goes on; a member paused (SIGSTOP) past its
session loses its partitions and, resumed, rejoins. GroupOffsetsRestartTest restarts brookd (SIGTERM, then SIGKILL)
on the same data dir: confluent-kafka's and kafka-python's committed() and `brook group describe` return the same
offsets, and a new member resumes where the group committed.

brookd runs with group.initial.rebalance.delay.ms=200 and group.min.session.timeout.ms=1000; members use
session.timeout.ms=2000 and heartbeat.interval.ms=500.

This file is also the Python member program (`test_groups.py member CLIENT ...`, see member_main).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

from brook_harness import Brookd, BrookTestCase, _die_with_parent, bin_path, run, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "kafkajs")
PARTITIONS = 6
SESSION_MS = 2000
HEARTBEAT_MS = 500
BROKER_OVERRIDES = ("group.initial.rebalance.delay.ms=200", "group.min.session.timeout.ms=1000")
_DESCRIBE_HEAD = re.compile(r"^Group (\S+): state (\S+), generation (-?\d+), protocol (\S+), (\d+) member\(s\)$")


# ---- member programs (run in a child process) -----------------------------------------------------------

def _emit(ev):
    sys.stdout.write(json.dumps(ev) + "\n")
    sys.stdout.flush()


def _member_confluent(bootstrap, group, topic, client_id, session_ms, delay_ms, stop):
    from confluent_kafka import Consumer, KafkaException, TopicPartition

    # BROOK_MEMBER_STRATEGY (cooperative-sticky: incremental rebalancing, KIP-429) and
    # BROOK_MEMBER_INSTANCE (group.instance.id: a static member, KIP-345) come from the test.
    strategy = os.environ.get("BROOK_MEMBER_STRATEGY", "range")
    conf = {"bootstrap.servers": bootstrap, "group.id": group, "client.id": client_id,
            "session.timeout.ms": session_ms, "heartbeat.interval.ms": HEARTBEAT_MS,
            "enable.auto.commit": False, "auto.offset.reset": "earliest",
            "partition.assignment.strategy": strategy, "enable.partition.eof": False}
    if os.environ.get("BROOK_MEMBER_INSTANCE"):
        conf["group.instance.id"] = os.environ["BROOK_MEMBER_INSTANCE"]
    c = Consumer(conf)
    incremental = strategy == "cooperative-sticky"

    def commit(pending):
        try:
            res = c.commit(offsets=[TopicPartition(topic, p, o) for p, o in pending.items()], asynchronous=False)
            bad = [str(tp.error) for tp in res or [] if tp.error is not None]
            _emit({"ev": "commit_failed", "error": bad} if bad else {"ev": "commit", "offsets": pending})
        except KafkaException as e:
            _emit({"ev": "commit_failed", "error": str(e)})

    done = 0

    def on_assign(_, ps):
        if incremental:  # ps is what is added: report the whole assignment after it
            c.incremental_assign(ps)
            ps = c.assignment()
        _emit({"ev": "assigned", "parts": sorted(p.partition for p in ps)})

    def on_revoke(_, ps):
        if incremental:  # only ps goes; the rest is kept and consumed on through the rebalance
            c.incremental_unassign(ps)
            _emit({"ev": "assigned", "parts": sorted(p.partition for p in c.assignment()),
                   "revoked": sorted(p.partition for p in ps)})
        else:
            _emit({"ev": "revoked", "parts": sorted(p.partition for p in ps)})

    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    while not stop.is_set():
        pending = {}
        for m in c.consume(num_messages=100, timeout=0.2):
            if m.error():
                _emit({"ev": "error", "error": str(m.error())})
                continue
            if delay_ms:
                time.sleep(delay_ms / 1000.0)
            _emit({"ev": "rec", "p": m.partition(), "o": m.offset(), "v": m.value().decode()})
            pending[m.partition()] = m.offset() + 1
            done += 1
            if delay_ms and done % 5 == 0:  # a slow member commits every 5 records: a SIGKILL leaves some uncommitted
                commit(pending)
                pending = {}
        if pending:
            commit(pending)
    c.close()  # LeaveGroup
    _emit({"ev": "closed"})


def _member_kafka_python(bootstrap, group, topic, client_id, session_ms, delay_ms, stop):
    from kafka import ConsumerRebalanceListener, KafkaConsumer, OffsetAndMetadata, TopicPartition

    class Listener(ConsumerRebalanceListener):
        def on_partitions_revoked(self, revoked):
            _emit({"ev": "revoked", "parts": sorted(tp.partition for tp in revoked)})

        def on_partitions_assigned(self, assigned):
            _emit({"ev": "assigned", "parts": sorted(tp.partition for tp in assigned)})

    c = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, client_id=client_id,
                      session_timeout_ms=session_ms, heartbeat_interval_ms=HEARTBEAT_MS, enable_auto_commit=False,
                      auto_offset_reset="earliest")
    c.subscribe([topic], listener=Listener())
    done = 0

    def commit(pending):
        try:
            c.commit({TopicPartition(topic, p): OffsetAndMetadata(o, None) for p, o in pending.items()})
            _emit({"ev": "commit", "offsets": pending})
        except Exception as e:  # CommitFailedError and friends while the group rebalances
            _emit({"ev": "commit_failed", "error": repr(e)})

    while not stop.is_set():
        pending = {}
        for tp, msgs in c.poll(timeout_ms=200, max_records=100).items():
            for m in msgs:
                if delay_ms:
                    time.sleep(delay_ms / 1000.0)
                _emit({"ev": "rec", "p": tp.partition, "o": m.offset, "v": m.value.decode()})
                pending[tp.partition] = m.offset + 1
                done += 1
                if delay_ms and done % 5 == 0:
                    commit(pending)
                    pending = {}
        if pending:
            commit(pending)
    c.close()  # LeaveGroup
    _emit({"ev": "closed"})


def member_main(argv):
    """test_groups.py member confluent|kafka-python BOOTSTRAP GROUP TOPIC CLIENT_ID SESSION_MS DELAY_MS"""
    client, bootstrap, group, topic, client_id, session_ms, delay_ms = argv
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    fn = {"confluent": _member_confluent, "kafka-python": _member_kafka_python}[client]
    fn(bootstrap, group, topic, client_id, int(session_ms), int(delay_ms), stop)


# ---- the test side -----------------------------------------------------------------------------------------

class Member:
    """One member process; its output parsed into events (assigned / rec / commit ...) as it arrives."""

    def __init__(self, client, argv, client_id, env=None, cwd=None):
        self.client, self.client_id = client, client_id
        self.events = []
        self.stderr_lines = []
        self.lock = threading.Lock()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                     env=env, cwd=cwd, preexec_fn=_die_with_parent)
        self.readers = [threading.Thread(target=self._read, args=(self.proc.stdout, self._on_out), daemon=True),
                        threading.Thread(target=self._read, args=(self.proc.stderr, self._on_err), daemon=True)]
        for t in self.readers:
            t.start()

    def _read(self, stream, fn):
        for raw in iter(stream.readline, b""):
            line = raw.decode(errors="replace").rstrip("\n")
            with self.lock:
                fn(line)

    def _add(self, ev):
        ev["t"] = time.monotonic()
        self.events.append(ev)

    def _on_out(self, line):
        if self.client == "kcat":  # -f '%p %o %s\n'
            p, o, v = line.split(" ", 2)
            self._add({"ev": "rec", "p": int(p), "o": int(o), "v": v})
        elif self.client == "brook":  # --print-key: key<TAB>value; partition and offset from the producer
            self._add({"ev": "rec", "p": None, "o": None, "v": line.split("\t", 1)[1]})
        elif line.startswith("{"):
            self._add(json.loads(line))

    def _on_err(self, line):
        self.stderr_lines.append(line)
        # kcat: "% Group g rebalanced (memberid m): assigned: t [0], t [1]" (or "revoked: ...")
        m = re.match(r"% Group \S+ rebalanced \(memberid \S+\): (assigned|revoked): (.*)$", line)
        if self.client == "kcat" and m:
            parts = sorted(int(x) for x in re.findall(r"\[(\d+)\]", m.group(2)))
            self._add({"ev": m.group(1), "parts": parts})

    def snapshot(self, kind=None):
        with self.lock:
            return [e for e in self.events if kind is None or e["ev"] == kind]

    def records(self):
        return self.snapshot("rec")

    @property
    def reports_assignment(self):
        return self.client != "brook"

    def assignment(self):
        """The partitions the client says it owns now (None before its first assignment)."""
        parts = None
        for e in self.snapshot():
            if e["ev"] == "assigned":
                parts = e["parts"]
            elif e["ev"] == "revoked":
                parts = []
        return parts

    def kill(self):
        self.proc.kill()
        self.proc.wait(timeout=20)

    def terminate(self, timeout=30):
        """SIGTERM by pid; the exit code (or None if it had to be killed)."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            code = None
        self._close_pipes()
        return code

    def _close_pipes(self):
        for t in self.readers:
            t.join(timeout=5)
        self.proc.stdout.close()
        self.proc.stderr.close()

    def stop_quietly(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=20)
        if not self.proc.stdout.closed:
            self._close_pipes()

    def describe(self):
        tail = "\n".join(json.dumps({k: v for k, v in e.items() if k != "t"}) for e in self.snapshot()[-8:])
        return "%s %s (exit %s)\n  last events: %s\n  stderr: %s" % (
            self.client, self.client_id, self.proc.poll(), tail, "\n".join(self.stderr_lines[-10:]))


class GroupTestBase(BrookTestCase):
    broker_overrides = BROKER_OVERRIDES

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from confluent_kafka import Producer
        cls.producer = Producer({"bootstrap.servers": cls.bootstrap, "acks": "all", "linger.ms": 5,
                                 "enable.idempotence": True})

    @classmethod
    def tearDownClass(cls):
        del cls.producer  # before brookd stops, or librdkafka logs the disconnect
        super().tearDownClass()

    def setUp(self):
        self.members = []
        self.probe = None

    def tearDown(self):
        for m in self.members:
            m.stop_quietly()
        if self.probe is not None:
            self.probe.close()

    # -- tools
    def brook(self, *args, check=True):
        return run([bin_path("brook"), "--bootstrap-server", self.native, *args], timeout=30, check=check)

    def create_topic(self, topic):
        self.brook("topic", "create", topic, "--partitions", str(PARTITIONS))

    def produce(self, topic, tag, n):
        """n keyed records (default partitioner); {value: (partition, offset)} from the delivery reports."""
        placed, errors = {}, []

        def on_delivery(err, msg):
            if err is not None:
                errors.append(err)
            else:
                placed[msg.value().decode()] = (msg.partition(), msg.offset())

        for i in range(n):
            self.producer.produce(topic, key=("%s-key-%d" % (tag, i)).encode(), value=("%s-%d" % (tag, i)).encode(),
                                  on_delivery=on_delivery)
            self.producer.poll(0)
        self.assertEqual(self.producer.flush(30), 0)
        self.assertEqual(errors, [])
        self.assertEqual(len(placed), n)
        return placed

    def describe_group(self, group):
        """`brook group describe`: (state, generation, member count, {partition: (client id, member id)},
        {partition: (current offset or None, end offset, lag or None)})."""
        r = self.brook("group", "describe", group, check=False)
        if r.returncode != 0 and r.stderr.decode() == "brook: group '%s' does not exist\n" % group:
            return "Dead", -1, 0, {}, {}
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout.decode().splitlines()
        head = _DESCRIBE_HEAD.match(out[0])
        self.assertTrue(head, out)
        self.assertEqual(out[1].split()[:5], ["TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG"])
        owners, offsets = {}, {}
        for line in out[2:]:
            f = line.split()
            p = int(f[1])
            if f[5:] != ["-"]:
                # member id, host, client id (the native client sends no host: then just two)
                self.assertIn(len(f), (7, 8), line)
                owners[p] = (f[-1], f[5])
            offsets[p] = (None if f[2] == "-" else int(f[2]), int(f[3]), None if f[4] == "-" else int(f[4]))
        return head.group(2), int(head.group(3)), int(head.group(5)), owners, offsets

    def wait_assignment(self, group, members, timeout):
        """Waits until the group is Stable with exactly `members`, each owning PARTITIONS/len(members)
        partitions, disjoint and covering all, in `brook group describe` and as each client reports it.
        Returns ({client id: partitions}, {client id: member id}, generation)."""
        want = {m.client_id for m in members}
        last = {}

        def settled():
            # What the clients report first: a member reports its assignment after its join is done, so the
            # description read next already shows it (the other order raced a static member's rejoin, whose
            # old member id the description could still show beside the new process's report).
            reported = {m.client_id: m.assignment() for m in members if m.reports_assignment}
            state, gen, count, owners, _ = self.describe_group(group)
            by = {}
            for p, (cid, _) in owners.items():
                by.setdefault(cid, []).append(p)
            last.update(state=state, generation=gen, members=count, owners=by, reported=reported)
            if state != "Stable" or count != len(members) or set(by) != want:
                return None
            if sorted(owners) != list(range(PARTITIONS)):
                return None
            if any(len(ps) != PARTITIONS // len(members) for ps in by.values()):
                return None
            if any(reported[cid] != sorted(by[cid]) for cid in reported):
                return None
            return {cid: sorted(ps) for cid, ps in by.items()}, {cid: owners[ps[0]][1] for cid, ps in by.items()}, gen

        got = wait_until(settled, timeout=timeout, interval=0.2)
        self.assertTrue(got, "group %s did not settle on %s; last seen %s\n%s" % (
            group, sorted(want), last, "\n".join(m.describe() for m in members)))
        return got

    def committed(self, group, topic):
        """{partition: committed offset} by OffsetFetch (confluent-kafka committed(), not a group member)."""
        from confluent_kafka import Consumer, TopicPartition
        if self.probe is None:
            self.probe = Consumer({"bootstrap.servers": self.bootstrap, "group.id": group, "enable.auto.commit": False})
        tps = self.probe.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=15)
        return {tp.partition: tp.offset for tp in tps}

    def wait_consumed(self, members, values, timeout):
        """Waits until the members together consumed every value in `values`."""
        def done():
            seen = set()
            for m in members:
                seen.update(r["v"] for r in m.records())
            return values <= seen
        ok = wait_until(done, timeout=timeout, interval=0.1)
        if not ok:
            seen = set()
            for m in members:
                seen.update(r["v"] for r in m.records())
            self.fail("%d of %d records never consumed, e.g. %s\n%s" % (
                len(values - seen), len(values), sorted(values - seen)[:5], "\n".join(m.describe() for m in members)))

    def log_lines(self, pattern):
        return [l for l in self.brookd.log().splitlines() if re.search(pattern, l)]

    # -- the scenario
    def start_member(self, client, group, topic, client_id, delay_ms=0, session_ms=SESSION_MS, strategy=None,
                     instance=None):
        base = [self.bootstrap, group, topic, client_id, str(session_ms), str(delay_ms)]
        if client in ("confluent", "kafka-python"):
            env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
            if strategy:
                env["BROOK_MEMBER_STRATEGY"] = strategy
            if instance:
                env["BROOK_MEMBER_INSTANCE"] = instance
            m = Member(client, [sys.executable, os.path.abspath(__file__), "member", client, *base], client_id,
                       env=env)
        elif client == "kafkajs":
            m = Member(client, [shutil.which("node"), "test_kafkajs_group.js", *base], client_id, cwd=JS_DIR,
                       env=dict(os.environ, KAFKAJS_NO_PARTITIONER_WARNING="1"))
        elif client == "kcat":
            m = Member(client, ["kcat", "-b", self.bootstrap, "-G", group, "-X", "client.id=" + client_id,
                                "-X", "session.timeout.ms=%d" % SESSION_MS, "-X", "heartbeat.interval.ms=%d" % HEARTBEAT_MS,
                                "-X", "auto.commit.interval.ms=100", "-X", "auto.offset.reset=earliest",
                                "-f", "%p %o %s\\n", "-u", topic], client_id)
        elif client == "brook":
            m = Member(client, [bin_path("brook"), "--bootstrap-server", self.native, "consume", topic, "--group", group,
                                "--from-beginning", "--print-key", "-X", "client.id=" + client_id,
                                "-X", "session.timeout.ms=%d" % SESSION_MS, "-X", "heartbeat.interval.ms=%d" % HEARTBEAT_MS],
                       client_id)
        else:
            raise ValueError(client)
        self.members.append(m)
        return m

    def run_scenario(self, client, slow_victim):
        """Three members; steady state; SIGKILL one; SIGTERM another; the last one consumes alone."""
        topic, group = "grp-" + client, "g-" + client
        self.create_topic(topic)
        t0 = time.monotonic()
        # The victim is slow (if the client program can be) so that the kill lands while it consumes.
        victim = self.start_member(client, group, topic, client + "-m0", delay_ms=10 if slow_victim else 0)
        leaver = self.start_member(client, group, topic, client + "-m1")
        stayer = self.start_member(client, group, topic, client + "-m2")
        members = [victim, leaver, stayer]
        log = {}

        # 1. Steady state: disjoint assignments covering all six; 600 records consumed exactly once.
        owned, member_ids, gen = self.wait_assignment(group, members, timeout=60)
        log["joined"] = time.monotonic() - t0
        placed = self.produce(topic, client + "-a", 600)
        log["produced"] = time.monotonic() - t0
        self.assertEqual({p for p, _ in placed.values()}, set(range(PARTITIONS)), "keys did not spread")
        self.wait_consumed(members, set(placed), timeout=60)
        log["consumed"] = time.monotonic() - t0
        for m in members:
            got = self.records_of(m, placed)
            self.assertTrue(got, "%s consumed nothing" % m.client_id)
            self.assertEqual({p for p, _ in got} - set(owned[m.client_id]), set(),
                             "%s consumed partitions it does not own" % m.client_id)
        self.assertEqual(self.check_records(members, placed), {}, "records consumed twice in steady state")
        ends = {}
        for p, o in placed.values():
            ends[p] = max(ends.get(p, 0), o + 1)
        self.assertTrue(wait_until(lambda: self.committed(group, topic) == ends, timeout=30),
                        "committed %s, end offsets %s" % (self.committed(group, topic), ends))
        log["steady"] = time.monotonic() - t0

        # 2. SIGKILL the victim: after its session timeout the two others own everything and go on
        # from its committed offsets.
        victim_parts = owned[victim.client_id]
        if slow_victim:
            placed2 = self.produce(topic, client + "-b", 300)
            share = [v for v, (p, _) in placed2.items() if p in victim_parts]
            self.assertTrue(wait_until(lambda: sum(r["v"] in placed2 for r in victim.records()) >= min(10, len(share)),
                                       timeout=30), victim.describe())
            victim.kill()
        else:
            victim.kill()
            placed2 = self.produce(topic, client + "-b", 300)
        t_kill = time.monotonic()
        time.sleep(0.3)  # a commit the victim sent just before dying is stored by now
        at_kill = self.committed(group, topic)
        survivors = [leaver, stayer]
        owned2, member_ids2, gen2 = self.wait_assignment(group, survivors, timeout=SESSION_MS / 1000.0 + 30)
        log["kill->reassigned"] = time.monotonic() - t_kill
        self.assertGreater(gen2, gen)
        self.assertTrue(self.log_lines(r"member %s left group %s \(session timeout\)" % (
            re.escape(member_ids[victim.client_id]), re.escape(group))), "no session timeout logged for the victim")
        all2 = dict(placed, **placed2)
        self.wait_consumed(members, set(all2), timeout=60)
        twice = self.check_records(members, all2)
        ends2 = dict(ends)
        for p, o in placed2.values():
            ends2[p] = max(ends2.get(p, 0), o + 1)
        for p in victim_parts:
            # Survivors start each of the victim's partitions exactly at its committed offset: nothing
            # below it again, nothing skipped.
            after = sorted(o for m in survivors for (q, o) in self.records_of(m, all2) if q == p)
            self.assertEqual(after, list(range(at_kill[p], ends2[p])),
                             "partition %d: committed %d at the kill, end %d" % (p, at_kill[p], ends2[p]))
        for v, who in twice.items():
            p, o = all2[v]
            # Delivered twice only: a record of the victim's, after its last commit, then to a survivor.
            self.assertIn(p, victim_parts, "%s delivered to %s" % (v, who))
            self.assertGreaterEqual(o, at_kill[p], "%s delivered to %s" % (v, who))
            self.assertEqual(sorted(who), sorted([victim.client_id, who[-1]]), "%s delivered to %s" % (v, who))
        log["redelivered"] = len(twice)
        taken_over = [o for m in survivors for (q, o) in self.records_of(m, all2) if q in victim_parts]
        self.assertTrue(taken_over, "the survivors consumed nothing of the victim's partitions")
        log["taken over"] = len(taken_over)
        self.assertTrue(wait_until(lambda: self.committed(group, topic) == ends2, timeout=30))

        # 3. The leaver closes cleanly: LeaveGroup rebalances at once, the stayer owns all six.
        leaver_id = member_ids2[leaver.client_id]
        t_leave = time.monotonic()
        self.assertEqual(leaver.terminate(), 0, leaver.describe())
        owned3, _, gen3 = self.wait_assignment(group, [stayer], timeout=30)
        log["leave->reassigned"] = time.monotonic() - t_leave
        self.assertEqual(owned3[stayer.client_id], list(range(PARTITIONS)))
        self.assertGreater(gen3, gen2)
        left = self.log_lines(r"member %s left group %s " % (re.escape(leaver_id), re.escape(group)))
        self.assertEqual(len(left), 1, left)
        self.assertIn("(left the group)", left[0], "the leaver's partitions moved by session expiry, not LeaveGroup")
        # ... and brookd rebalanced because of it: the next generation follows the leave.
        lines = self.brookd.log().splitlines()
        i_left = lines.index(left[0])
        following = [l for l in lines[i_left + 1:] if "group %s " % group in l]
        self.assertTrue(following, "nothing logged for %s after the leave" % group)
        self.assertIn("preparing to rebalance group %s (left the group)" % group, following[0])
        self.assertTrue(any("group %s generation %d with 1 member(s)" % (group, gen3) in l for l in lines[i_left:]))
        placed3 = self.produce(topic, client + "-c", 60)
        all3 = dict(all2, **placed3)
        self.wait_consumed([stayer], set(placed3), timeout=30)
        self.assertEqual(self.check_records(members, all3), twice, "records delivered twice after a clean leave")
        self.assertEqual(self.terminate_member(stayer), 0)
        state, _, count, owners, offsets = self.describe_group(group)
        self.assertEqual((state, count, owners), ("Empty", 0, {}))
        ends3 = dict(ends2)
        for p, o in placed3.values():
            ends3[p] = max(ends3.get(p, 0), o + 1)
        self.assertEqual({p: o[0] for p, o in offsets.items()}, ends3, "committed offsets in brook group describe")
        self.assertEqual({p: o[2] for p, o in offsets.items()}, {p: 0 for p in range(PARTITIONS)}, "lag")
        sys.stderr.write("%s: %s\n" % (client, ", ".join("%s %.1fs" % (k, v) if isinstance(v, float) else "%s %d" % (k, v)
                                                       for k, v in log.items())))

    def terminate_member(self, m):
        return m.terminate()

    def records_of(self, m, placed, among=None):
        """(partition, offset) of each record m consumed (of those in `among` if given); checks what the client
        reported against the producer's delivery reports `placed`."""
        out = []
        for r in m.records():
            if among is not None and r["v"] not in among:
                continue
            self.assertIn(r["v"], placed, "%s consumed a record nobody produced: %s" % (m.client_id, r))
            p, o = placed[r["v"]]
            if r["p"] is not None:
                self.assertEqual((r["p"], r["o"]), (p, o), "%s: %s" % (m.client_id, r))
            out.append((p, o))
        return out

    def check_records(self, members, placed):
        """Every record in `placed` consumed; nothing twice by one member. Returns {value: [client ids]} of the
        records more than one member consumed."""
        who = {}
        for m in members:
            mine = [r["v"] for r in m.records() if r["v"] in placed]
            self.assertEqual(len(mine), len(set(mine)), "%s consumed records twice" % m.client_id)
            for v in mine:
                who.setdefault(v, []).append(m.client_id)
            self.records_of(m, placed)
        self.assertEqual(set(placed) - set(who), set(), "records never consumed")
        return {v: ids for v, ids in who.items() if len(ids) > 1}


class GroupMembersTest(GroupTestBase):
    def test_kcat_balanced_consumer(self):
        self.run_scenario("kcat", slow_victim=False)

    def test_confluent_kafka_subscribe(self):
        self.run_scenario("confluent", slow_victim=True)

    def test_kafka_python_group_id(self):
        self.run_scenario("kafka-python", slow_victim=True)

    def test_kafkajs_consumer_run(self):
        if shutil.which("node") is None:
            self.skipTest("node is not installed (.ci/install-deps installs nodejs)")
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")),
                        "kafkajs is not installed: run .ci/install-deps (npm ci in tests/compat/kafkajs)")
        self.run_scenario("kafkajs", slow_victim=True)

    def test_brook_consume_group(self):
        self.run_scenario("brook", slow_victim=False)

    def run_pause_scenario(self, client):
        """A member paused (SIGSTOP) past its session timeout loses its partitions; resumed (SIGCONT), its stale
        commits are refused, it rejoins and shares the partitions again, and new records are consumed once."""
        topic, group = "grp-pause-" + client, "g-pause-" + client
        self.create_topic(topic)
        paused = self.start_member(client, group, topic, client + "-paused")
        other = self.start_member(client, group, topic, client + "-other")
        members = [paused, other]
        _, member_ids, gen = self.wait_assignment(group, members, timeout=60)
        placed = self.produce(topic, client + "-p1", 120)
        self.wait_consumed(members, set(placed), timeout=30)
        paused.proc.send_signal(signal.SIGSTOP)
        try:
            self.wait_assignment(group, [other], timeout=SESSION_MS / 1000.0 + 30)
            self.assertTrue(self.log_lines(r"member %s left group %s \(session timeout\)" % (
                re.escape(member_ids[paused.client_id]), re.escape(group))))
            placed2 = self.produce(topic, client + "-p2", 120)
            self.wait_consumed([other], set(placed2), timeout=30)
        finally:
            paused.proc.send_signal(signal.SIGCONT)
        _, _, gen3 = self.wait_assignment(group, members, timeout=30)
        self.assertGreater(gen3, gen)
        self.assertIsNone(paused.proc.poll(), "the resumed member exited: " + paused.describe())
        placed3 = self.produce(topic, client + "-p3", 120)
        self.wait_consumed(members, set(placed3), timeout=30)
        everything = dict(placed, **placed2, **placed3)
        twice = self.check_records(members, everything)
        self.assertEqual({v for v in twice if v in placed3}, set(), "new records consumed twice")
        ends = {}
        for p, o in everything.values():
            ends[p] = max(ends.get(p, 0), o + 1)
        self.assertTrue(wait_until(lambda: self.committed(group, topic) == ends, timeout=30),
                        "committed %s, end offsets %s" % (self.committed(group, topic), ends))

    def test_confluent_kafka_paused_member_rejoins(self):
        self.run_pause_scenario("confluent")

    # Regression: brook consume --group used to exit on the commit that failed after the pause.
    def test_brook_consume_paused_member_rejoins(self):
        self.run_pause_scenario("brook")

    def test_mixed_clients_share_one_group(self):
        """confluent-kafka, kafka-python and `brook consume` (native protocol) in one group: all offer "range", so
        they share the partitions, whoever leads; the native member leaves and the others take its partitions."""
        topic, group = "grp-mixed", "g-mixed"
        self.create_topic(topic)
        members = [self.start_member("confluent", group, topic, "mixed-confluent"),
                   self.start_member("kafka-python", group, topic, "mixed-kafka-python"),
                   self.start_member("brook", group, topic, "mixed-brook")]
        owned, _, gen = self.wait_assignment(group, members, timeout=60)
        placed = self.produce(topic, "mixed-a", 600)
        self.wait_consumed(members, set(placed), timeout=60)
        self.assertEqual(self.check_records(members, placed), {}, "records consumed twice")
        for m in members:
            self.assertEqual({p for p, _ in self.records_of(m, placed)}, set(owned[m.client_id]), m.client_id)
        ends = {}
        for p, o in placed.values():
            ends[p] = max(ends.get(p, 0), o + 1)
        self.assertTrue(wait_until(lambda: self.committed(group, topic) == ends, timeout=30))
        self.assertEqual(members[2].terminate(), 0, members[2].describe())
        owned2, _, gen2 = self.wait_assignment(group, members[:2], timeout=30)
        self.assertGreater(gen2, gen)
        placed2 = self.produce(topic, "mixed-b", 120)
        self.wait_consumed(members[:2], set(placed2), timeout=30)
        self.assertEqual(self.check_records(members, dict(placed, **placed2)), {}, "records consumed twice")
        for m in members[:2]:
            self.assertEqual({p for p, _ in self.records_of(m, placed2, among=placed2)}, set(owned2[m.client_id]),
                             m.client_id)

    def test_confluent_static_member_restarts_without_a_rebalance(self):
        """KIP-345: two static members (group.instance.id); one closes (a static member sends no LeaveGroup) and
        a new process with the same instance id rejoins within its session: same generation, same partitions,
        no rebalance logged, and every record is consumed."""
        topic, group = "grp-static", "g-static"
        self.create_topic(topic)
        start = lambda cid, inst: self.start_member("confluent", group, topic, cid, session_ms=15000, instance=inst)
        first, other = start("static-s0", "s0"), start("static-s1", "s1")
        owned, member_ids, gen = self.wait_assignment(group, [first, other], timeout=60)
        placed = self.produce(topic, "static-a", 240)
        self.wait_consumed([first, other], set(placed), timeout=60)
        rebalances = len(self.log_lines(r"preparing to rebalance group %s " % group))
        self.assertEqual(first.terminate(), 0, first.describe())
        placed2 = self.produce(topic, "static-b", 120)  # s0's share waits for it: nobody else takes it
        again = start("static-s0", "s0")
        owned2, member_ids2, gen2 = self.wait_assignment(group, [again, other], timeout=30)
        self.assertEqual(gen2, gen, "a static member's restart must not start a rebalance")
        self.assertEqual(owned2, owned)
        self.assertNotEqual(member_ids2["static-s0"], member_ids["static-s0"])
        self.assertEqual(member_ids2["static-s1"], member_ids["static-s1"])
        self.assertEqual(len(self.log_lines(r"preparing to rebalance group %s " % group)), rebalances)
        self.assertTrue(self.log_lines(r"static member s0 of group %s rejoined as" % group))
        self.wait_consumed([first, again, other], set(placed2), timeout=60)
        everything = dict(placed, **placed2)
        self.check_records([first, again, other], everything)
        # s1 never stopped: it consumed each of its records once, and none of s0's.
        self.assertEqual(self.check_records([other], {v: po for v, po in everything.items()
                                                      if po[0] in owned["static-s1"]}), {})

    def test_confluent_cooperative_sticky_group_through_a_join_and_a_leave(self):
        """KIP-429 with librdkafka's cooperative-sticky assignor: 2 members, a 3rd joins, one leaves. Partitions that
        stay with their member are never revoked (incremental rebalances), and every record is consumed, none twice
        by one member and none lost."""
        topic, group = "grp-coop", "g-coop"
        self.create_topic(topic)
        start = lambda cid: self.start_member("confluent", group, topic, cid, strategy="cooperative-sticky")
        m0, m1 = start("coop-m0"), start("coop-m1")
        owned, _, gen = self.wait_assignment(group, [m0, m1], timeout=60)
        placed = self.produce(topic, "coop-a", 300)
        self.wait_consumed([m0, m1], set(placed), timeout=60)
        m2 = start("coop-m2")
        owned2, _, gen2 = self.wait_assignment(group, [m0, m1, m2], timeout=60)
        self.assertGreater(gen2, gen)
        for m in (m0, m1):  # sticky: what a member keeps is a subset of what it had
            self.assertLessEqual(set(owned2[m.client_id]), set(owned[m.client_id]), m.client_id)
        # Incremental: no member gave up a partition it kept (only the moved ones were revoked).
        for m in (m0, m1):
            for e in m.snapshot("assigned"):
                self.assertEqual(set(e.get("revoked", [])) & set(owned2[m.client_id]), set(), m.describe())
        placed2 = self.produce(topic, "coop-b", 300)
        self.wait_consumed([m0, m1, m2], set(placed2), timeout=60)
        self.assertEqual(m1.terminate(), 0, m1.describe())
        owned3, _, gen3 = self.wait_assignment(group, [m0, m2], timeout=60)
        self.assertGreater(gen3, gen2)
        for m in (m0, m2):
            self.assertLessEqual(set(owned2[m.client_id]), set(owned3[m.client_id]), m.client_id)
        placed3 = self.produce(topic, "coop-c", 300)
        self.wait_consumed([m0, m2], set(placed3), timeout=60)
        everything = dict(placed, **placed2, **placed3)
        twice = self.check_records([m0, m1, m2], everything)
        # At-least-once: only a record of a partition that changed hands may come twice.
        def owner_of(owned_by):
            return {p: cid for cid, ps in owned_by.items() for p in ps}
        o1, o2, o3 = owner_of(owned), owner_of(owned2), owner_of(owned3)
        moved = {p for p in range(PARTITIONS) if not (o1[p] == o2[p] == o3[p])}
        for v in twice:
            self.assertIn(everything[v][0], moved, "%s delivered twice on a partition that never moved" % v)

    def test_kafkajs_beside_librdkafka_gets_inconsistent_group_protocol(self):
        """KafkaJS offers only "RoundRobinAssigner", librdkafka "range": the KafkaJS member is refused with
        INCONSISTENT_GROUP_PROTOCOL (23) and the group goes on undisturbed."""
        if shutil.which("node") is None:
            self.skipTest("node is not installed (.ci/install-deps installs nodejs)")
        topic, group = "grp-inconsistent", "g-inconsistent"
        self.create_topic(topic)
        first = self.start_member("confluent", group, topic, "consistent-confluent")
        _, _, gen = self.wait_assignment(group, [first], timeout=60)
        js = self.start_member("kafkajs", group, topic, "inconsistent-kafkajs")
        refused = wait_until(lambda: [e for e in js.snapshot("error")
                                      if "incompatible" in e["error"] or "INCONSISTENT" in e["error"]], timeout=30)
        self.assertTrue(refused, js.describe())
        _, _, gen2 = self.wait_assignment(group, [first], timeout=10)
        self.assertEqual(gen2, gen, "a refused member must not start a rebalance")
        placed = self.produce(topic, "inconsistent", 60)
        self.wait_consumed([first], set(placed), timeout=30)
        self.assertEqual(js.records(), [])


class RestartableBrookd(Brookd):
    """A Brookd whose data dir outlives the process: restart() stops it (SIGTERM or SIGKILL, by pid) and starts it
    again on the same data dir and ports."""

    def start(self):
        if self.tmpdir is None:
            self.tmpdir = tempfile.mkdtemp(prefix="brook-compat-")
        kafka = self.kafka_bootstrap or "127.0.0.1:0"
        native = self.native_bootstrap or "127.0.0.1:0"
        args = [bin_path("brookd"), "--override", "log.dirs=" + self.log_dirs,
                "--override", "native.listeners=" + native, "--override", "listeners=PLAINTEXT://" + kafka]
        for o in self.overrides:
            args += ["--override", o]
        offset = len(self.log())
        with open(self.log_path, "ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                         cwd=self.tmpdir, preexec_fn=_die_with_parent)
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            text = self.log()[offset:]
            n = re.search(r"native protocol listening on (127\.0\.0\.1:\d+)", text)
            k = re.search(r"Kafka protocol listening on (127\.0\.0\.1:\d+)", text)
            if "] started" in text and n and k:
                self.native_bootstrap, self.kafka_bootstrap = n.group(1), k.group(1)
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        output = self.log()[offset:]
        self.stop()
        raise RuntimeError("brookd did not start; its output:\n" + output)

    def restart(self, sig):
        """Stops brookd with sig; its exit code (None for SIGKILL); then starts it again."""
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=30)
        self.proc = None
        self.start()
        return None if sig == signal.SIGKILL else code


class GroupOffsetsRestartTest(unittest.TestCase):
    """Committed offsets survive SIGTERM and SIGKILL of brookd: confluent-kafka and kafka-python committed(),
    `brook group describe`, and a new confluent-kafka member resumes there."""

    def setUp(self):
        self.brookd = RestartableBrookd(BROKER_OVERRIDES).start()

    def tearDown(self):
        self.last_log = self.brookd.log_tail()
        alive = self.brookd.running()
        code = self.brookd.stop()
        self.assertTrue(alive, "brookd died")
        self.assertEqual(code, 0, "brookd did not exit 0 on SIGTERM")

    def run(self, result=None):
        bad_before = len(result.failures) + len(result.errors) if result is not None else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > bad_before:
            sys.stderr.write("\n---- brookd log tail after %s ----\n%s\n" % (self.id(), getattr(self, "last_log", "")))
        return out

    def consumer(self, group, **conf):
        from confluent_kafka import Consumer
        return Consumer({"bootstrap.servers": self.brookd.kafka_bootstrap, "group.id": group,
                         "enable.auto.commit": False, "auto.offset.reset": "earliest",
                         "session.timeout.ms": SESSION_MS, "heartbeat.interval.ms": HEARTBEAT_MS, **conf})

    def committed(self, group, topic):
        """{partition: offset} from confluent-kafka and from kafka-python (both OffsetFetch), which must agree, and
        from `brook group describe`."""
        from confluent_kafka import KafkaException, TopicPartition
        from kafka import KafkaConsumer
        from kafka import TopicPartition as KTopicPartition
        c = self.consumer(group)
        try:
            def fetch():
                try:
                    return c.committed([TopicPartition(topic, p) for p in range(3)], timeout=10)
                except KafkaException:  # e.g. COORDINATOR_LOAD_IN_PROGRESS right after a restart
                    return None
            tps = wait_until(fetch, timeout=30, interval=0.2)
            self.assertTrue(tps, "committed() kept failing")
            confluent = {tp.partition: tp.offset for tp in tps}
        finally:
            c.close()
        kp = KafkaConsumer(bootstrap_servers=self.brookd.kafka_bootstrap, group_id=group, enable_auto_commit=False)
        try:
            kafka_python = {p: kp.committed(KTopicPartition(topic, p)) for p in range(3)}
        finally:
            kp.close()
        self.assertEqual(kafka_python, confluent)
        out = run([bin_path("brook"), "--bootstrap-server", self.brookd.native_bootstrap, "group", "describe", group],
                  timeout=30).stdout.decode().splitlines()
        described = {int(line.split()[1]): int(line.split()[2]) for line in out[2:] if line.split()[0] == topic}
        self.assertEqual(described, confluent, "\n".join(out))
        return confluent

    def resume(self, group, topic, want):
        """A new member of the group gets exactly the records from the committed offsets on, then commits the end."""
        c = self.consumer(group)
        got = []
        try:
            c.subscribe([topic])
            deadline = time.monotonic() + 30
            while len(got) < want and time.monotonic() < deadline:
                m = c.poll(0.2)
                if m is not None and m.error() is None:
                    got.append((m.partition(), m.offset()))
            extra = c.poll(1.0)
            self.assertIsNone(extra, "more than the uncommitted records")
            c.commit(asynchronous=False)
        finally:
            c.close()
        return sorted(got)

    def test_committed_offsets_survive_sigterm_and_sigkill(self):
        from confluent_kafka import Producer, TopicPartition
        topic, group = "restart-offsets", "restart-group"
        run([bin_path("brook"), "--bootstrap-server", self.brookd.native_bootstrap, "topic", "create", topic,
             "--partitions", "3"])
        p = Producer({"bootstrap.servers": self.brookd.kafka_bootstrap, "acks": "all"})
        for i in range(30):
            p.produce(topic, key=b"k%d" % i, value=b"v%d" % i, partition=i % 3)
        self.assertEqual(p.flush(30), 0)
        del p

        # A member consumes and commits {0: 4, 1: 7, 2: 10}.
        c = self.consumer(group)
        c.subscribe([topic])
        n, deadline = 0, time.monotonic() + 30
        while n < 30 and time.monotonic() < deadline:
            m = c.poll(0.2)
            n += m is not None and m.error() is None
        self.assertEqual(n, 30)
        c.commit(offsets=[TopicPartition(topic, 0, 4), TopicPartition(topic, 1, 7), TopicPartition(topic, 2, 10)],
                 asynchronous=False)
        c.close()
        first = {0: 4, 1: 7, 2: 10}
        self.assertEqual(self.committed(group, topic), first)

        self.assertEqual(self.brookd.restart(signal.SIGTERM), 0)
        self.assertEqual(self.committed(group, topic), first, "after SIGTERM and restart")
        self.assertEqual(self.resume(group, topic, 9), [(0, o) for o in range(4, 10)] + [(1, 7), (1, 8), (1, 9)])
        self.assertEqual(self.committed(group, topic), {0: 10, 1: 10, 2: 10})

        # assign() + commit (generation -1) of other offsets, then SIGKILL.
        c = self.consumer(group)
        c.assign([TopicPartition(topic, q) for q in range(3)])
        c.commit(offsets=[TopicPartition(topic, 0, 1), TopicPartition(topic, 1, 2), TopicPartition(topic, 2, 3)],
                 asynchronous=False)
        c.close()
        self.brookd.restart(signal.SIGKILL)
        self.assertEqual(self.committed(group, topic), {0: 1, 1: 2, 2: 3}, "after SIGKILL and restart")
        want = [(q, o) for q, start in ((0, 1), (1, 2), (2, 3)) for o in range(start, 10)]
        self.assertEqual(self.resume(group, topic, len(want)), want)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "member":
        member_main(sys.argv[2:])
    else:
        unittest.main(verbosity=2)
