"""Starts one brookd for compatibility tests and stops exactly what it started.

    with Brookd() as b:
        kcat(b.kafka_bootstrap, ...)

brookd runs in a fresh temp dir on ports chosen at run time (127.0.0.1:0) and is stopped by its
pid (SIGTERM, then SIGKILL if it lingers); the temp dir is removed afterwards. Binaries come from
env BROOK_BIN_DIR (default <repo>/build/bin).
"""

import ctypes
import glob
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import unittest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN_DIR = os.environ.get("BROOK_BIN_DIR", os.path.join(REPO, "build", "bin"))

_NATIVE_RE = re.compile(r"native protocol listening on (127\.0\.0\.1:\d+)")
_KAFKA_RE = re.compile(r"Kafka protocol listening on (127\.0\.0\.1:\d+)")


def _die_with_parent():
    """In the forked child: SIGTERM brookd if the test process dies first (ctest timeout, crash)."""
    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def bin_path(name):
    return os.path.join(BIN_DIR, name)


class Brookd:
    """One brookd process with its own data dir; a context manager."""

    def __init__(self, overrides=(), start_timeout=30.0):
        self.overrides = list(overrides)
        self.start_timeout = start_timeout
        self.tmpdir = None
        self.proc = None
        self.kafka_bootstrap = None
        self.native_bootstrap = None

    @property
    def log_dirs(self):
        return os.path.join(self.tmpdir, "logs")

    @property
    def log_path(self):
        return os.path.join(self.tmpdir, "brookd.out")

    def log(self):
        """brookd's stdout+stderr so far."""
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "\n".join(self.log().splitlines()[-lines:])

    def start(self):
        self.tmpdir = tempfile.mkdtemp(prefix="brook-compat-")
        args = [bin_path("brookd"),
                "--override", "log.dirs=" + self.log_dirs,
                "--override", "native.listeners=127.0.0.1:0",
                "--override", "listeners=PLAINTEXT://127.0.0.1:0"]
        for o in self.overrides:
            args += ["--override", o]
        try:
            with open(self.log_path, "wb") as out:
                self.proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, cwd=self.tmpdir,
                                             preexec_fn=_die_with_parent)
        except OSError:
            self.stop()
            raise
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            text = self.log()
            n, k = _NATIVE_RE.search(text), _KAFKA_RE.search(text)
            if "] started" in text and n and k:
                self.native_bootstrap, self.kafka_bootstrap = n.group(1), k.group(1)
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        log = self.log()
        self.stop()
        raise RuntimeError("brookd did not start within %.0f s; its output:\n%s" % (self.start_timeout, log))

    def stop(self):
        """SIGTERM by pid, SIGKILL after 20 s; returns the exit code (None if killed or never run)."""
        code = None
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    code = self.proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=20)
            else:
                code = self.proc.returncode
            self.proc = None
        if self.tmpdir is not None:
            shutil.rmtree(self.tmpdir, ignore_errors=True)
            self.tmpdir = None
        return code

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None and self.tmpdir:
            sys.stderr.write("---- brookd log tail ----\n%s\n" % self.log_tail())
        self.stop()
        return False


def run(argv, input=None, timeout=60, env=None, check=True):
    """Runs argv (bytes in/out); raises AssertionError with both streams when check and rc != 0."""
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    if isinstance(input, str):
        input = input.encode()
    p = subprocess.run(argv, input=input, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=full_env, stdin=None if input is not None else subprocess.DEVNULL)
    if check and p.returncode != 0:
        raise AssertionError("%s exited %d\nstdout: %s\nstderr: %s" % (
            " ".join(argv), p.returncode, p.stdout[-4000:].decode(errors="replace"),
            p.stderr[-4000:].decode(errors="replace")))
    return p


def stored_batches(log_dirs, topic):
    """Headers of every RecordBatch Brook stored for topic, per partition in log order
    (docs/log_format.md: a .log file is the producer's RecordBatch v2 batches back to back)."""
    out = []
    for path in sorted(glob.glob(os.path.join(log_dirs, topic + "-*", "*.log"))):
        partition = int(os.path.basename(os.path.dirname(path)).rsplit("-", 1)[1])
        with open(path, "rb") as f:
            data = f.read()
        pos = 0
        while pos + 61 <= len(data):
            base_offset, length = struct.unpack_from(">qi", data, pos)
            attributes, last_delta = struct.unpack_from(">hi", data, pos + 21)
            producer_id, producer_epoch, base_sequence, count = struct.unpack_from(">qhii", data, pos + 43)
            out.append({"partition": partition, "base_offset": base_offset, "codec": attributes & 0x7,
                        "last_offset_delta": last_delta, "producer_id": producer_id,
                        "producer_epoch": producer_epoch, "base_sequence": base_sequence, "count": count})
            pos += 12 + length
    return out


def bug(reason):
    """Skips a test that fails because of a known Brook bug; env BROOK_COMPAT_RUN_BUGS=1 runs it anyway
    (to check a fix)."""
    if os.environ.get("BROOK_COMPAT_RUN_BUGS") == "1":
        return lambda test: test
    return unittest.skip("BUG: " + reason)


def wait_until(fn, timeout=30.0, interval=0.1):
    """Polls fn() until it returns something truthy or the deadline passes; returns the last value."""
    deadline = time.monotonic() + timeout
    value = fn()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = fn()
    return value


class BrookTestCase(unittest.TestCase):
    """One brookd per test class (tests use distinct topic names); prints its log tail on failure, and fails
    the class if brookd died or did not exit 0 on SIGTERM."""

    broker_overrides = ()

    @classmethod
    def setUpClass(cls):
        cls.brookd = Brookd(cls.broker_overrides).start()
        cls.bootstrap = cls.brookd.kafka_bootstrap
        cls.native = cls.brookd.native_bootstrap

    @classmethod
    def tearDownClass(cls):
        # After all that client traffic brookd must still be up and stop cleanly on SIGTERM.
        alive, tail = cls.brookd.running(), cls.brookd.log_tail()
        noted = [l for l in cls.brookd.log().splitlines() if " WARN " in l or " ERROR " in l]
        if noted:
            sys.stderr.write("brookd warnings and errors:\n%s\n" % "\n".join(noted[-40:]))
        code = cls.brookd.stop()
        if not alive or code != 0:
            raise AssertionError("brookd %s (exit code %s); its log tail:\n%s" % (
                "stopped during the tests" if not alive else "did not stop cleanly on SIGTERM", code, tail))
        # Brook closes a connection on a request it cannot decode: a client that recovered still hit a bug.
        bad = [l for l in noted if "bad request" in l]
        if bad:
            raise AssertionError("brookd could not decode client requests:\n" + "\n".join(bad[-20:]))

    def run(self, result=None):
        bad_before = len(result.failures) + len(result.errors) if result is not None else 0
        out = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > bad_before:
            sys.stderr.write("\n---- brookd log tail after %s ----\n%s\n" % (self.id(), self.brookd.log_tail()))
        return out


class ConfluentAdminMixin:
    """self.admin(): one confluent-kafka AdminClient per test, kept for the test's lifetime (futures of a
    destroyed AdminClient fail with _DESTROY)."""

    def admin(self):
        if not hasattr(self, "_admin"):
            from confluent_kafka.admin import AdminClient
            self._admin = AdminClient({"bootstrap.servers": self.bootstrap})
        return self._admin

    def tearDown(self):
        self.__dict__.pop("_admin", None)
        super().tearDown()
