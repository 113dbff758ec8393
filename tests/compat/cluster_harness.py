"""A 3-broker `brook cluster` for compatibility tests: started in a temp dir (`brook cluster up --dir`),
brokers SIGKILLed and restarted with their old command line (the new pid and ports written into
cluster.state so `brook cluster down` stops them). Cleanup is `brook cluster down`, then SIGKILL by pid of
anything from cluster.state still running a brookd of that dir. BROOK_TEST_KEEP_DIRS=1 keeps the cluster
dir (logs, data) for a post-mortem.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

from brook_harness import bin_path, run, wait_until

_BOOTSTRAP_RE = re.compile(r"^(Native|Kafka) bootstrap \([^)]*\): (\S+)$", re.M)
_NATIVE_RE = re.compile(r"native protocol listening on (?:[^\s:]*:)?(\d+)")
_KAFKA_RE = re.compile(r"Kafka protocol listening on (?:[^\s:]*:)?(\d+)")


def read_state(cluster_dir):
    """cluster.state as a list of [role, id, pid, native-port, kafka-port]; [] if it is gone."""
    try:
        with open(os.path.join(cluster_dir, "cluster.state")) as f:
            return [l.split() for l in f if l.strip() and not l.startswith("#")]
    except FileNotFoundError:
        return []


def write_state(cluster_dir, rows):
    """Temp file renamed over, as `brook cluster` writes it."""
    path = os.path.join(cluster_dir, "cluster.state")
    with open(path + ".tmp", "w") as f:
        f.write("# brook cluster state: role id pid native-port kafka-port\n")
        f.writelines(" ".join(r) + "\n" for r in rows)
    os.replace(path + ".tmp", path)


def cmdline(pid):
    with open("/proc/%d/cmdline" % pid, "rb") as f:
        return [a.decode() for a in f.read().split(b"\0") if a]


def brookd_of(pid, cluster_dir):
    """True if pid runs (not a zombie) a brookd whose log.dirs lies in cluster_dir."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                return False
        return any(a.startswith("log.dirs=" + cluster_dir + "/") for a in cmdline(pid))
    except (OSError, IndexError):
        return False


class ClusterTestCase(unittest.TestCase):
    """Starts a 3-broker cluster with these broker settings (`brook cluster up -c`) in setUp."""
    CONFIGS = ("default.replication.factor=3", "min.insync.replicas=2")

    def setUp(self):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix="brook-cluster-"))
        self.children = []   # brokers this test restarted (Popen), reaped in cleanup
        self.pids = set()    # every brookd pid seen in cluster.state
        self.addCleanup(self.stop_cluster)
        argv = [bin_path("brook"), "cluster", "up", "--brokers", "3", "--dir", self.dir]
        for c in self.CONFIGS:
            argv += ["-c", c]
        up = run(argv, timeout=60)
        self.remember_pids()
        found = dict(_BOOTSTRAP_RE.findall(up.stdout.decode()))
        self.assertIn("Native", found, up.stdout.decode())
        self.assertIn("Kafka", found, up.stdout.decode())
        self.native, self.bootstrap = found["Native"], found["Kafka"]

    def remember_pids(self):
        self.pids.update(int(r[2]) for r in read_state(self.dir))

    def stop_cluster(self):
        result = getattr(self._outcome, "result", None)  # failures are recorded there as they happen
        failed = result is None or any(t is self for t, _ in result.failures + result.errors)
        self.remember_pids()
        down = run([bin_path("brook"), "cluster", "down", "--dir", self.dir], timeout=60, check=False)
        for pid in sorted(self.pids):
            if brookd_of(pid, self.dir):
                sys.stderr.write("cleanup: SIGKILL pid %d, still running after cluster down\n" % pid)
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for p in self.children:
            if p.poll() is None:
                p.kill()
            p.wait(timeout=10)
        if failed:
            sys.stderr.write("cluster down: rc %d\n%s%s" % (down.returncode, down.stdout.decode(errors="replace"),
                                                            down.stderr.decode(errors="replace")))
            self.dump_logs()
        if os.environ.get("BROOK_TEST_KEEP_DIRS") == "1":
            sys.stderr.write("kept cluster dir %s\n" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def dump_logs(self, lines=40):
        for name in sorted(os.listdir(self.dir)):
            if not name.endswith(".log"):
                continue
            with open(os.path.join(self.dir, name), errors="replace") as f:
                text = f.read().splitlines()
            noted = [l for l in text if " WARN " in l or " ERROR " in l]
            sys.stderr.write("---- %s: %d warnings/errors (last %d) ----\n%s\n---- %s: last %d lines ----\n%s\n" % (
                name, len(noted), lines, "\n".join(noted[-lines:]), name, lines, "\n".join(text[-lines:])))

    def restart_broker(self, broker_id, probe):
        """SIGKILLs broker broker_id, waits 1 s and starts its command line again; returns the new pid.
        self.while_down: the last probe() result (leader, ISR) seen before the restart, for the report."""
        rows = read_state(self.dir)
        row = next(r for r in rows if r[0] == "broker" and int(r[1]) == broker_id)
        pid = int(row[2])
        self.assertTrue(brookd_of(pid, self.dir), "broker %d (pid %d) is not running" % (broker_id, pid))
        argv, cwd = cmdline(pid), os.readlink("/proc/%d/cwd" % pid)
        os.kill(pid, signal.SIGKILL)
        for p in self.children:  # reap it if we started it
            if p.pid == pid:
                p.wait(timeout=10)
        restart_at = time.monotonic() + 1.0
        self.while_down = None
        while time.monotonic() < restart_at:
            self.while_down = probe(max(0.1, restart_at - time.monotonic())) or self.while_down
            time.sleep(0.1)
        log = os.path.join(self.dir, "broker-%d.log" % broker_id)
        offset = os.path.getsize(log)
        with open(log, "ab") as out:
            p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                 start_new_session=True)
        self.children.append(p)
        self.pids.add(p.pid)
        row[2] = str(p.pid)
        write_state(self.dir, rows)

        def ready():
            with open(log, "rb") as f:
                f.seek(offset)
                text = f.read().decode(errors="replace")
            return text if "[KafkaServer id=%d] started" % broker_id in text else None
        text = wait_until(lambda: ready() or p.poll() is not None, timeout=30)
        self.assertIsNone(p.poll(), "restarted broker %d exited with %s" % (broker_id, p.returncode))
        self.assertIsInstance(text, str, "restarted broker %d did not log started within 30 s" % broker_id)
        n, k = _NATIVE_RE.search(text), _KAFKA_RE.search(text)
        row[3], row[4] = (n.group(1) if n else row[3]), (k.group(1) if k else row[4])
        write_state(self.dir, rows)
        return p.pid
