"""Security with real clients: brookd's Kafka listener is SASL_SSL only (a test CA's certificate,
SCRAM-SHA-256/512 and PLAIN), with the ACL authorizer on. Users and ACLs are made with `brook user` and
`brook acl` through the native listener. kcat, confluent-kafka, kafka-python and KafkaJS
(kafkajs/test_kafkajs_security.js) log in with SCRAM-SHA-512 and produce and consume; a wrong password is
refused; a user without WRITE gets TOPIC_AUTHORIZATION_FAILED and nothing is written; plaintext clients
cannot reach the listener; kafka-python's admin client manages ACLs with Kafka's ACL APIs."""

import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
import uuid

from brook_harness import BrookTestCase, bin_path, run, stored_batches, wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
JS_DIR = os.path.join(HERE, "kafkajs")
PASSWORDS = {"admin": "admin-secret", "alice": "alice-secret", "bob": "bob-secret"}
TOPIC = "secure-orders"


def make_ca_and_server_cert(d):
    """A throwaway CA and a server certificate for 127.0.0.1/localhost signed by it, with the key
    in the same PEM (ssl.keystore.location). Returns (ca.pem, server.pem)."""
    ca_key, ca, key, csr, crt = (os.path.join(d, n) for n in ("ca.key", "ca.pem", "server.key",
                                                               "server.csr", "server.crt"))
    ext = os.path.join(d, "san.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
         "-days", "2", "-subj", "/CN=Brook Test CA"])
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/CN=localhost"])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
         "-out", crt, "-days", "2", "-extfile", ext])
    pem = os.path.join(d, "server.pem")
    with open(pem, "w") as out:
        for part in (crt, key):
            with open(part) as f:
                out.write(f.read())
    return ca, pem


CERT_DIR = tempfile.mkdtemp(prefix="brook-security-")
CA, SERVER_PEM = make_ca_and_server_cert(CERT_DIR)


def brook(b, *args, input=None, check=True):
    return run([bin_path("brook"), "--bootstrap-server", b.native] + list(args), input=input,
               check=check)


class SecureListenerTest(BrookTestCase):
    broker_overrides = (
        "listeners=SASL_SSL://127.0.0.1:0",
        "ssl.keystore.location=" + SERVER_PEM,
        "sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256,PLAIN",
        "authorizer.class.name=brook.acl",
        "super.users=User:admin",
        "num.partitions=2",
        # Fast enough for the wrong-password tests, still shows the delay.
        "connection.failed.authentication.delay.ms=50",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for user, pw in PASSWORDS.items():
            brook(cls, "user", "create", user, "--password", pw)
        # alice may produce and consume TOPIC (and in any group), bob may only read it.
        brook(cls, "topic", "create", TOPIC, "--partitions", "2")
        brook(cls, "acl", "add", "--allow-principal", "User:alice", "--producer", "--consumer",
              "--topic", TOPIC)
        brook(cls, "acl", "add", "--allow-principal", "User:alice", "--allow-principal", "User:bob",
              "--operation", "READ", "--group", "*")
        brook(cls, "acl", "add", "--allow-principal", "User:bob", "--operation", "READ",
              "--topic", TOPIC)

    # ---- helpers -----------------------------------------------------------------------------

    def kcat_args(self, user, password=None, mechanism="SCRAM-SHA-512"):
        return ["kcat", "-b", self.bootstrap, "-X", "security.protocol=SASL_SSL",
                "-X", "sasl.mechanisms=" + mechanism, "-X", "sasl.username=" + user,
                "-X", "sasl.password=" + (password or PASSWORDS[user]), "-X", "ssl.ca.location=" + CA]

    def confluent_conf(self, user, password=None, mechanism="SCRAM-SHA-512"):
        return {"bootstrap.servers": self.bootstrap, "security.protocol": "SASL_SSL",
                "sasl.mechanisms": mechanism, "sasl.username": user,
                "sasl.password": password or PASSWORDS[user], "ssl.ca.location": CA}

    def kafka_python_conf(self, user, password=None, mechanism="SCRAM-SHA-512"):
        return dict(bootstrap_servers=self.bootstrap, security_protocol="SASL_SSL",
                    ssl_cafile=CA, sasl_mechanism=mechanism, sasl_plain_username=user,
                    sasl_plain_password=password or PASSWORDS[user], api_version=(2, 5, 0),
                    request_timeout_ms=15000)

    def read_all(self, topic, user="admin"):
        """Every value of topic, read with kcat as `user`."""
        p = run(self.kcat_args(user) + ["-C", "-t", topic, "-o", "beginning", "-e", "-q",
                                        "-f", "%s\\n"], timeout=60)
        return sorted(v for v in p.stdout.decode().split("\n") if v)

    # ---- the tests ---------------------------------------------------------------------------

    def test_kcat_scram_sha512_produces_and_consumes(self):
        values = ["kcat-%d" % i for i in range(20)]
        run(self.kcat_args("alice") + ["-P", "-t", TOPIC], input="\n".join(values) + "\n")
        got = self.read_all(TOPIC, user="alice")
        self.assertTrue(set(values) <= set(got), got)
        self.assertIn("authenticated as User:alice (SCRAM-SHA-512)", self.brookd.log())

    def test_confluent_kafka_produces_and_consumes_in_a_group(self):
        from confluent_kafka import Consumer, Producer
        values = ["confluent-%d" % i for i in range(50)]
        p = Producer(dict(self.confluent_conf("alice"), acks="all"))
        errors = []
        for v in values:
            p.produce(TOPIC, v.encode(), on_delivery=lambda err, msg: err and errors.append(err))
        self.assertEqual(p.flush(30), 0)
        self.assertEqual(errors, [])
        c = Consumer(dict(self.confluent_conf("alice"), **{"group.id": "g-confluent",
                                                            "auto.offset.reset": "earliest"}))
        c.subscribe([TOPIC])
        seen = set()
        deadline = time.monotonic() + 60
        while not set(values) <= seen and time.monotonic() < deadline:
            m = c.poll(1.0)
            if m is not None and m.error() is None:
                seen.add(m.value().decode())
        c.close()
        self.assertTrue(set(values) <= seen)

    def test_kafka_python_scram_and_plain(self):
        from kafka import KafkaConsumer, KafkaProducer
        for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"):
            with self.subTest(mechanism=mechanism):
                values = ["kp-%s-%d" % (mechanism, i) for i in range(10)]
                p = KafkaProducer(**self.kafka_python_conf("alice", mechanism=mechanism))
                for v in values:
                    p.send(TOPIC, v.encode()).get(timeout=30)
                p.close()
                c = KafkaConsumer(TOPIC, group_id="g-kp-" + mechanism, auto_offset_reset="earliest",
                                  consumer_timeout_ms=10000,
                                  **self.kafka_python_conf("alice", mechanism=mechanism))
                seen = {m.value.decode() for m in c}
                c.close()
                self.assertTrue(set(values) <= seen, seen)

    def test_kafkajs_scram_sha512(self):
        node = shutil.which("node")
        if node is None:
            self.skipTest("node is not installed (.ci/install-deps installs nodejs)")
        env = dict(os.environ, KAFKA_BOOTSTRAP=self.bootstrap, KAFKA_CA=CA, KAFKA_TOPIC=TOPIC,
                   KAFKA_USER="alice", KAFKA_PASSWORD=PASSWORDS["alice"],
                   KAFKA_ADMIN_PASSWORD=PASSWORDS["admin"],
                   KAFKAJS_NO_PARTITIONER_WARNING="1")
        p = subprocess.run([node, "--test", "--test-reporter=tap", "test_kafkajs_security.js"],
                           cwd=JS_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL, timeout=180)
        out = p.stdout.decode(errors="replace")
        sys.stdout.write(out)
        self.assertEqual(p.returncode, 0, "node --test failed")
        self.assertRegex(out, r"(?m)^# fail 0$")
        self.assertRegex(out, r"(?m)^# pass 3$")

    def test_wrong_password_is_refused_and_logged(self):
        p = run(self.kcat_args("alice", password="not-her-password") + ["-L", "-m", "5"],
                check=False, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        from confluent_kafka import KafkaException, Producer
        errors = []
        prod = Producer(dict(self.confluent_conf("alice", password="wrong"),
                             error_cb=lambda e: errors.append(e)))
        deadline = time.monotonic() + 20
        while not errors and time.monotonic() < deadline:
            prod.poll(0.2)
        self.assertTrue(any("Authentication failed" in e.str() or e.code() == -169  # _AUTHENTICATION
                            for e in errors), [e.str() for e in errors])
        # An unknown user looks just the same to the client.
        p = run(self.kcat_args("mallory", password="x") + ["-L", "-m", "5"], check=False, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        log = self.brookd.log()
        self.assertIn("failed login from 127.0.0.1", log)
        self.assertIn("as 'mallory'", log)

    def test_user_without_write_gets_topic_authorization_failed_and_nothing_is_written(self):
        from confluent_kafka import KafkaError, Producer
        before = len(stored_batches(self.brookd.log_dirs, TOPIC))
        results = []
        p = Producer(dict(self.confluent_conf("bob"), **{"message.send.max.retries": 0}))
        p.produce(TOPIC, b"from-bob", on_delivery=lambda err, msg: results.append(err))
        p.flush(30)
        self.assertEqual(len(results), 1)
        self.assertIsNotNone(results[0])
        self.assertEqual(results[0].code(), KafkaError.TOPIC_AUTHORIZATION_FAILED)
        self.assertEqual(len(stored_batches(self.brookd.log_dirs, TOPIC)), before)
        self.assertNotIn("from-bob", self.read_all(TOPIC))
        # kafka-python gets the same code.
        from kafka import KafkaProducer
        from kafka.errors import TopicAuthorizationFailedError
        kp = KafkaProducer(retries=0, **self.kafka_python_conf("bob"))
        with self.assertRaises(TopicAuthorizationFailedError):
            kp.send(TOPIC, b"from-bob-kp").get(timeout=30)
        kp.close()
        self.assertIn("User:bob from 127.0.0.1 denied WRITE on TOPIC:" + TOPIC, self.brookd.log())
        # bob may read.
        self.assertTrue(self.read_all(TOPIC, user="bob"))

    def test_plaintext_clients_cannot_reach_the_tls_listener(self):
        # kcat without TLS: no metadata, nothing read.
        p = run(["kcat", "-b", self.bootstrap, "-L", "-m", "5"], check=False, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        from kafka import KafkaConsumer
        from kafka.errors import NoBrokersAvailable, UnrecognizedBrokerVersion
        with self.assertRaises((NoBrokersAvailable, UnrecognizedBrokerVersion)):
            KafkaConsumer(bootstrap_servers=self.bootstrap, request_timeout_ms=3000,
                          api_version_auto_timeout_ms=3000)
        self.assertIn("TLS handshake failed", self.brookd.log())

    def test_tls_without_sasl_login_is_closed_before_serving(self):
        # TLS but no SASL: the first request (Metadata after ApiVersions) closes the connection.
        p = run(["kcat", "-b", self.bootstrap, "-X", "security.protocol=SSL", "-X",
                 "ssl.ca.location=" + CA, "-L", "-m", "5"], check=False, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertRegex(self.brookd.log(), r"request before authentication")

    def test_acls_through_kafkas_admin_apis(self):
        from kafka.admin import (ACL, ACLFilter, ACLOperation, ACLPermissionType,
                                 ACLResourcePatternType, KafkaAdminClient, ResourcePattern,
                                 ResourcePatternFilter, ResourceType)
        from kafka.errors import TopicAuthorizationFailedError
        admin = KafkaAdminClient(**self.kafka_python_conf("admin"))
        topic = "acl-api-" + uuid.uuid4().hex[:8]
        brook(self, "topic", "create", topic)
        acl = ACL(principal="User:bob", host="*", operation=ACLOperation.WRITE,
                  permission_type=ACLPermissionType.ALLOW,
                  resource_pattern=ResourcePattern(ResourceType.TOPIC, topic))
        result = admin.create_acls([acl])
        self.assertEqual(result["failed"], [])
        flt = ACLFilter(principal="User:bob", host=None, operation=ACLOperation.ANY,
                        permission_type=ACLPermissionType.ANY,
                        resource_pattern=ResourcePatternFilter(ResourceType.TOPIC, topic,
                                                               ACLResourcePatternType.LITERAL))
        acls, error = admin.describe_acls(flt)
        self.assertEqual([(a.principal, a.operation) for a in acls], [("User:bob", ACLOperation.WRITE)])
        # brook acl list shows it too.
        out = brook(self, "acl", "list", "--topic", topic).stdout.decode()
        self.assertIn("User:bob has ALLOW permission for operations: WRITE from hosts: * on TOPIC:LITERAL:" + topic, out)
        # Now bob can write there, once the brokers have the ACL.
        from kafka import KafkaProducer
        kp = KafkaProducer(retries=0, **self.kafka_python_conf("bob"))
        kp.send(topic, b"bob-may").get(timeout=30)
        deleted = admin.delete_acls([flt])
        self.assertEqual(len(deleted[0][1]), 1)
        with self.assertRaises(TopicAuthorizationFailedError):
            kp.send(topic, b"bob-may-not").get(timeout=30)
        kp.close()
        # Only the super user administers ACLs.
        alice_admin = KafkaAdminClient(**self.kafka_python_conf("alice"))
        with self.assertRaises(Exception) as refused:
            alice_admin.describe_acls(flt)
        self.assertIn("ClusterAuthorizationFailed", type(refused.exception).__name__ + str(refused.exception))
        alice_admin.close()
        admin.close()

    def test_metadata_hides_topics_a_user_may_not_describe(self):
        brook(self, "topic", "create", "hidden-from-bob")
        from confluent_kafka.admin import AdminClient
        md = AdminClient(self.confluent_conf("bob")).list_topics(timeout=20)
        self.assertIn(TOPIC, md.topics)
        self.assertNotIn("hidden-from-bob", md.topics)
        md = AdminClient(self.confluent_conf("admin")).list_topics(timeout=20)
        self.assertIn("hidden-from-bob", md.topics)


def make_client_cert(name):
    """A client certificate for CN=<name> signed by the test CA, key in its own file."""
    key, csr, crt = (os.path.join(CERT_DIR, name + ext) for ext in (".key", ".csr", ".crt"))
    run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
         "-subj", "/OU=clients/CN=%s" % name])
    run(["openssl", "x509", "-req", "-in", csr, "-CA", CA, "-CAkey", os.path.join(CERT_DIR, "ca.key"),
         "-CAcreateserial", "-out", crt, "-days", "2"])
    return crt, key


class ClientCertificateTest(BrookTestCase):
    """An SSL Kafka listener that requires client certificates: the certificate's subject is the
    principal the ACLs name; a client without one cannot connect."""

    broker_overrides = (
        "listeners=SSL://127.0.0.1:0",
        "ssl.keystore.location=" + SERVER_PEM,
        "ssl.truststore.location=" + CA,
        "ssl.client.auth=required",
        "authorizer.class.name=brook.acl",
    )

    def kcat(self, cert=None):
        args = ["kcat", "-b", self.bootstrap, "-X", "security.protocol=SSL", "-X", "ssl.ca.location=" + CA]
        if cert:
            args += ["-X", "ssl.certificate.location=" + cert[0], "-X", "ssl.key.location=" + cert[1]]
        return args

    def test_the_certificate_subject_is_the_principal(self):
        carol, dave = make_client_cert("carol"), make_client_cert("dave")
        run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "create", "by-cert"])
        run([bin_path("brook"), "--bootstrap-server", self.native, "acl", "add", "--allow-principal",
             "User:CN=carol,OU=clients", "--producer", "--consumer", "--topic", "by-cert"])
        run(self.kcat(carol) + ["-P", "-t", "by-cert"], input="c1\nc2\n")
        out = run(self.kcat(carol) + ["-C", "-t", "by-cert", "-o", "beginning", "-e", "-q"]).stdout.decode()
        self.assertEqual(out.split(), ["c1", "c2"])
        # dave's certificate is valid, but no ACL names him.
        p = run(self.kcat(dave) + ["-P", "-t", "by-cert"], input="d1\n", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Topic authorization failed", p.stderr.decode())
        # Without a certificate the handshake fails.
        p = run(self.kcat() + ["-L", "-m", "5"], check=False)
        self.assertNotEqual(p.returncode, 0)


class SecureNativeListenerTest(BrookTestCase):
    """The native listener as SASL_SSL: the brook CLI logs in (--command-config), the broker's own
    inter-broker user is the first one, ACLs are checked on native requests too."""

    broker_overrides = (
        "native.listeners=SASL_SSL://127.0.0.1:0",
        "ssl.keystore.location=" + SERVER_PEM,
        "inter.broker.sasl.username=admin",
        "inter.broker.sasl.password=" + PASSWORDS["admin"],
        "authorizer.class.name=brook.acl",
        "super.users=User:admin",
    )

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.configs = {}
        for user in ("admin", "alice", "bob"):
            path = os.path.join(CERT_DIR, "native-%s.properties" % user)
            with open(path, "w") as f:
                f.write("security.protocol=SASL_SSL\nssl.ca.location=%s\nsasl.mechanism=SCRAM-SHA-512\n"
                        "sasl.username=%s\nsasl.password=%s\n" % (CA, user, PASSWORDS[user]))
            cls.configs[user] = path
        # The broker wrote its own user (inter.broker.sasl.*): admin creates the others with it.
        for user in ("alice", "bob"):
            cls.as_user("admin", "user", "create", user, "--password", PASSWORDS[user])
        cls.as_user("admin", "topic", "create", "native-secure", "--partitions", "1")
        cls.as_user("admin", "acl", "add", "--allow-principal", "User:alice", "--producer",
                    "--consumer", "--topic", "native-secure")

    @classmethod
    def as_user(cls, user, *args, check=True, input=None, config=None):
        return run([bin_path("brook"), "--bootstrap-server", cls.native, "--command-config",
                    config or cls.configs[user]] + list(args), input=input, check=check, timeout=60)

    def test_cli_logs_in_produces_and_consumes(self):
        self.as_user("alice", "produce", "native-secure", "--acks", "all", input="n1\nn2\nn3\n")
        out = self.as_user("alice", "consume", "native-secure", "--from-beginning", "--count", "3",
                           "--timeout-ms", "20000").stdout.decode().split()
        self.assertEqual(out, ["n1", "n2", "n3"])
        self.assertIn("[native] 127.0.0.1", self.brookd.log())
        self.assertIn("authenticated as User:alice (SCRAM-SHA-512)", self.brookd.log())
        users = self.as_user("admin", "user", "list").stdout.decode()
        self.assertRegex(users, r"(?m)^alice\tSCRAM-SHA-256 \(iterations=4096\), SCRAM-SHA-512")

    def test_client_properties_carry_the_login(self):
        # The producer's and consumer's own config keys, no --command-config.
        login = ["-X", "security.protocol=SASL_SSL", "-X", "ssl.ca.location=" + CA,
                 "-X", "sasl.mechanism=SCRAM-SHA-256", "-X", "sasl.username=alice",
                 "-X", "sasl.password=" + PASSWORDS["alice"]]
        brook_native = [bin_path("brook"), "--bootstrap-server", self.native]
        run(brook_native + ["produce", "native-secure", "--acks", "all"] + login, input="x1\nx2\n")
        out = run(brook_native + ["consume", "native-secure", "--from-beginning", "--timeout-ms", "5000"]
                  + [a.replace("-X", "--consumer-property") for a in login]).stdout.decode().split()
        self.assertTrue({"x1", "x2"} <= set(out), out)
        self.assertIn("authenticated as User:alice (SCRAM-SHA-256)", self.brookd.log())

    def test_user_without_write_is_refused_on_the_native_listener(self):
        p = self.as_user("bob", "produce", "native-secure", "--acks", "all", input="from-bob\n",
                         check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("topic_authorization_failed", p.stderr.decode())
        out = self.as_user("admin", "consume", "native-secure", "--from-beginning",
                           "--timeout-ms", "3000").stdout.decode()
        self.assertNotIn("from-bob", out)
        # ACL administration is the cluster's ALTER: alice may not.
        p = self.as_user("alice", "acl", "add", "--allow-principal", "User:alice", "--operation",
                         "ALL", "--cluster", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cluster_authorization_failed", p.stderr.decode())

    def test_user_delete_and_acl_remove(self):
        self.as_user("admin", "user", "create", "erin", "--password", "erin-secret")
        erin = os.path.join(CERT_DIR, "native-erin.properties")
        with open(erin, "w") as f:
            f.write("security.protocol=SASL_SSL\nssl.ca.location=%s\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.username=erin\nsasl.password=erin-secret\n" % CA)
        self.as_user("admin", "topic", "create", "erin-topic")
        self.as_user("admin", "acl", "add", "--allow-principal", "User:erin", "--producer",
                     "--topic", "erin-topic")
        self.as_user("erin", "produce", "erin-topic", "--acks", "all", input="e1\n", config=erin)
        listed = self.as_user("admin", "acl", "list", "--principal", "User:erin").stdout.decode()
        self.assertEqual(listed.count("User:erin has ALLOW"), 3, listed)
        out = self.as_user("admin", "acl", "remove", "--principal", "User:erin", "--topic",
                           "erin-topic").stdout.decode()
        self.assertEqual(out.count("User:erin has ALLOW"), 3, out)
        p = self.as_user("erin", "produce", "erin-topic", "--acks", "all", input="e2\n",
                         check=False, config=erin)
        self.assertIn("topic_authorization_failed", p.stderr.decode())
        self.as_user("admin", "user", "delete", "erin")
        self.assertNotIn("erin", self.as_user("admin", "user", "list").stdout.decode())
        p = self.as_user("erin", "topic", "list", check=False, config=erin)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Authentication failed", p.stderr.decode())

    def test_metadata_lists_only_topics_the_user_may_describe(self):
        self.assertIn("native-secure", self.as_user("alice", "topic", "list").stdout.decode())
        self.assertNotIn("native-secure", self.as_user("bob", "topic", "list").stdout.decode())
        self.assertIn("native-secure", self.as_user("admin", "topic", "list").stdout.decode())
        p = self.as_user("bob", "topic", "describe", "native-secure", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("topic_authorization_failed", p.stdout.decode() + p.stderr.decode())

    def test_wrong_password_and_plaintext_are_refused(self):
        bad = os.path.join(CERT_DIR, "native-bad.properties")
        with open(bad, "w") as f:
            f.write("security.protocol=SASL_SSL\nssl.ca.location=%s\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.username=alice\nsasl.password=wrong\n" % CA)
        p = self.as_user("alice", "topic", "list", check=False, config=bad)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("Authentication failed", p.stderr.decode())
        self.assertIn("failed login from 127.0.0.1", self.brookd.log())
        # No TLS: the handshake fails and nothing is served.
        p = run([bin_path("brook"), "--bootstrap-server", self.native, "topic", "list"], check=False,
                timeout=60)
        self.assertNotEqual(p.returncode, 0)
        # TLS but no login: the first request closes the connection.
        tls_only = os.path.join(CERT_DIR, "native-tls.properties")
        with open(tls_only, "w") as f:
            f.write("security.protocol=SSL\nssl.ca.location=%s\n" % CA)
        p = self.as_user("alice", "topic", "list", check=False, config=tls_only)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("before authentication", self.brookd.log())


class SecureClusterTest(unittest.TestCase):
    """Two brokers whose native listeners are SASL_SSL: they log in to each other with
    inter.broker.sasl.* to replicate, and the brook CLI's cluster commands log in with
    --command-config."""

    def test_brokers_replicate_through_a_sasl_ssl_native_listener(self):
        d = tempfile.mkdtemp(prefix="brook-secure-cluster-")
        props = os.path.join(CERT_DIR, "cluster-admin.properties")
        with open(props, "w") as f:
            f.write("security.protocol=SASL_SSL\nssl.ca.location=%s\nsasl.mechanism=SCRAM-SHA-512\n"
                    "sasl.username=admin\nsasl.password=%s\n" % (CA, PASSWORDS["admin"]))
        brook_args = [bin_path("brook"), "--command-config", props]
        configs = ["native.listeners=SASL_SSL://127.0.0.1:0", "ssl.keystore.location=" + SERVER_PEM,
                   "ssl.truststore.location=" + CA, "inter.broker.sasl.username=admin",
                   "inter.broker.sasl.password=" + PASSWORDS["admin"], "authorizer.class.name=brook.acl",
                   "super.users=User:admin", "default.replication.factor=2"]
        argv = brook_args + ["cluster", "up", "--brokers", "2", "--dir", d]
        for c in configs:
            argv += ["-c", c]
        try:
            up = run(argv, timeout=90).stdout.decode()
            native = re.search(r"^Native bootstrap \([^)]*\): (\S+)$", up, re.M).group(1)
            admin = brook_args + ["--bootstrap-server", native]
            run(admin + ["topic", "create", "replicated", "--partitions", "2"])
            run(admin + ["produce", "replicated", "--acks", "all"], input="r1\nr2\nr3\nr4\n")
            # Both replicas in sync: the followers fetched from the leaders over TLS, logged in.
            def in_sync():
                out = run(admin + ["topic", "describe", "replicated"]).stdout.decode()
                return len(re.findall(r"Isr: \d+,\d+", out)) == 2
            self.assertTrue(wait_until(in_sync, timeout=30))
            logs = ""
            for path in glob.glob(os.path.join(d, "broker-*.log")):
                with open(path, errors="replace") as f:
                    logs += f.read()
            self.assertIn("authenticated as User:admin (SCRAM-SHA-512)", logs)
            self.assertNotIn("denied", logs)
        finally:
            run(brook_args + ["cluster", "down", "--dir", d], check=False, timeout=90)
            shutil.rmtree(d, ignore_errors=True)


def tearDownModule():
    shutil.rmtree(CERT_DIR, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
