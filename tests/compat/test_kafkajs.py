"""Runs kafkajs/test_kafkajs.js (node's test runner, KafkaJS from kafkajs/package-lock.json) against a fresh
brookd. .ci/install-deps installs the node modules (npm ci)."""

import os
import re
import shutil
import subprocess
import sys
import unittest

from brook_harness import Brookd, stored_batches

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "kafkajs")
EXPECTED_TESTS = 8  # test() calls in test_kafkajs.js


class KafkaJsTest(unittest.TestCase):
    def test_kafkajs(self):
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed (.ci/install-deps installs nodejs)")
        self.assertTrue(os.path.isdir(os.path.join(JS_DIR, "node_modules", "kafkajs")),
                        "kafkajs is not installed: run .ci/install-deps (npm ci in tests/compat/kafkajs)")
        b = Brookd().start()
        try:
            self.run_node(node, b)
        except BaseException:
            sys.stderr.write("---- brookd log tail ----\n%s\n" % b.log_tail())
            raise
        finally:
            code = b.stop()
        self.assertEqual(code, 0, "brookd did not exit 0 on SIGTERM")

    def run_node(self, node, b):
        env = dict(os.environ, KAFKA_BOOTSTRAP=b.kafka_bootstrap, KAFKAJS_NO_PARTITIONER_WARNING="1")
        p = subprocess.run([node, "--test", "--test-reporter=tap", "test_kafkajs.js"], cwd=JS_DIR, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                           timeout=240)
        out = p.stdout.decode(errors="replace")
        sys.stdout.write(out)
        self.assertEqual(p.returncode, 0, "node --test failed")
        passed = re.search(r"^# pass (\d+)$", out, re.M)
        failed = re.search(r"^# fail (\d+)$", out, re.M)
        self.assertTrue(passed and failed, "no TAP summary from node --test")
        self.assertEqual(int(failed.group(1)), 0)
        self.assertEqual(int(passed.group(1)), EXPECTED_TESTS)
        self.assertTrue(b.running(), "brookd died")
        # What KafkaJS put on the wire, as Brook stored it: the idempotent producer's batches carry a
        # producer id and sequences, and are gzip (1); the plain producer's no producer id.
        idem = stored_batches(b.log_dirs, "kjs-idempotent-gzip")
        self.assertEqual(len(idem), 8)  # 4 sends x 2 partitions
        self.assertEqual({x["codec"] for x in idem}, {1})
        self.assertEqual(len({x["producer_id"] for x in idem}), 1)
        self.assertGreaterEqual(idem[0]["producer_id"], 0)
        for part in (0, 1):
            self.assertEqual([x["base_sequence"] for x in idem if x["partition"] == part], [0, 5, 10, 15])
        plain = stored_batches(b.log_dirs, "kjs-acks1")
        self.assertTrue(plain)
        self.assertEqual({(x["producer_id"], x["codec"]) for x in plain}, {(-1, 0)})
        # Brook closes a connection on a request it cannot decode: KafkaJS may recover, but that is a bug.
        self.assertNotIn("bad request", b.log())


if __name__ == "__main__":
    unittest.main(verbosity=2)
