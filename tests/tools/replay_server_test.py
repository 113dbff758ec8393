#!/usr/bin/python3
"""bench/kafka_replay_server.py, the yardstick docs/performance.md measures librdkafka against,
serves a real Brook segment so that librdkafka reads every record of it, in order.

Run: BROOK_BIN_DIR=build/bin /usr/bin/python3 tests/tools/replay_server_test.py
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "compat"))
from brook_harness import Brookd, bin_path, run  # noqa: E402

RECORDS = 20000


class ReplayServerTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="brook-replay-")
        self.server = None

    def tearDown(self):
        if self.server and self.server.poll() is None:
            self.server.send_signal(signal.SIGTERM)
            self.server.wait(timeout=10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_librdkafka_reads_every_record_of_a_brook_segment(self):
        segment = os.path.join(self.tmp, "00000000000000000000.log")
        with Brookd() as b:
            brook = bin_path("brook")
            run([brook, "--bootstrap-server", b.native_bootstrap, "topic", "create", "t", "--partitions", "1"])
            run([brook, "--bootstrap-server", b.native_bootstrap, "bench", "produce", "--topic", "t",
                 "--records", str(RECORDS), "--record-size", "50", "--batch-size", "16384"])
            shutil.copy(os.path.join(b.log_dirs, "t-0", "00000000000000000000.log"), segment)
        self.server = subprocess.Popen([sys.executable, os.path.join(ROOT, "bench", "kafka_replay_server.py"),
                                        segment, "t"], stdout=subprocess.PIPE, text=True)
        line = self.server.stdout.readline()
        m = re.match(r"listening on (127\.0\.0\.1:\d+) \((\d+) batches, offsets 0\.\.(\d+)\)", line)
        self.assertTrue(m, line)
        self.assertGreater(int(m.group(2)), 1)
        self.assertEqual(int(m.group(3)), RECORDS)
        out = run([bin_path("brook_rdkafka_consume_bench"), m.group(1), "t", "0", str(RECORDS)], timeout=60)
        self.assertRegex(out.stdout.decode(), r"consume \(librdkafka, Kafka protocol\): %d records in" % RECORDS)
        # Asking for more than the segment holds: no records after the last one, a clear failure.
        short = run([bin_path("brook_rdkafka_consume_bench"), m.group(1), "t", "0", str(RECORDS + 1)],
                    timeout=60, check=False)
        self.assertNotEqual(short.returncode, 0)
        self.assertIn("no records for 10 s after %d of %d" % (RECORDS, RECORDS + 1), short.stderr.decode())


if __name__ == "__main__":
    unittest.main(verbosity=2)
