#!/usr/bin/env python3
"""The least a Kafka broker can do to serve one consumer: answers ApiVersions, Metadata,
ListOffsets and Fetch (v4) for one topic with one partition whose records are a Brook segment
file (.log, Kafka's on-disk batch format), sending each fetch's whole batches with sendfile
straight from that file. No storage engine, no actors, no copies: a yardstick for how fast a
client can read at all on this machine (bench/compare_redis.sh's librdkafka rows next to it).

  kafka_replay_server.py SEGMENT.log TOPIC      prints "listening on 127.0.0.1:PORT"; runs until
                                                killed. Serves each connection on its own thread.
"""
import bisect
import os
import socket
import struct
import sys
import threading

# ApiVersions, Metadata, ListOffsets, Fetch, and Produce (never served: librdkafka enables the v2
# record format it needs for Fetch v4 only when Produce v3 is listed too).
SUPPORTED = {18: (0, 3), 3: (1, 1), 2: (1, 1), 1: (4, 4), 0: (3, 3)}


def load_batches(path):
    """(base offsets, last offsets, positions, sizes) of the batches in a segment file."""
    bases, lasts, positions, sizes = [], [], [], []
    with open(path, "rb") as f:
        data = f.read()
    pos = 0
    while pos + 61 <= len(data):
        base, length = struct.unpack_from(">qi", data, pos)
        last_delta = struct.unpack_from(">i", data, pos + 23)[0]
        size = length + 12
        if pos + size > len(data):
            break
        bases.append(base)
        lasts.append(base + last_delta)
        positions.append(pos)
        sizes.append(size)
        pos += size
    return bases, lasts, positions, sizes


def uvarint(n):
    out = bytearray()
    while n >= 0x80:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def string(s):
    b = s.encode()
    return struct.pack(">h", len(b)) + b


class Reader:
    def __init__(self, b):
        self.b, self.p = b, 0

    def take(self, fmt):
        v = struct.unpack_from(fmt, self.b, self.p)
        self.p += struct.calcsize(fmt)
        return v if len(v) > 1 else v[0]

    def string(self):
        n = self.take(">h")
        s = self.b[self.p:self.p + max(n, 0)].decode()
        self.p += max(n, 0)
        return s


class Server:
    def __init__(self, log_path, topic):
        self.topic = topic
        self.fd = os.open(log_path, os.O_RDONLY)
        self.bases, self.lasts, self.positions, self.sizes = load_batches(log_path)
        self.end = self.lasts[-1] + 1 if self.lasts else 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]

    def serve_forever(self):
        while True:
            conn, _ = self.sock.accept()
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self.connection, args=(conn,), daemon=True).start()

    def connection(self, conn):
        try:
            while True:
                head = recv_all(conn, 4)
                if not head:
                    return
                req = recv_all(conn, struct.unpack(">i", head)[0])
                self.answer(conn, Reader(req))
        except (ConnectionError, OSError):
            return
        finally:
            conn.close()

    def send(self, conn, corr, body, file_range=None):
        extra = file_range[1] if file_range else 0
        conn.sendall(struct.pack(">ii", 4 + len(body) + extra, corr) + body)
        if file_range:
            pos, n = file_range
            while n > 0:
                sent = os.sendfile(conn.fileno(), self.fd, pos, n)
                pos, n = pos + sent, n - sent

    def answer(self, conn, r):
        key, version, corr = r.take(">hhi")
        r.string()  # client id
        if key == 18:  # ApiVersions: header v0 always; v3's body is flexible
            if version >= 3:
                body = struct.pack(">h", 0) + uvarint(len(SUPPORTED) + 1)
                for k, (lo, hi) in SUPPORTED.items():
                    body += struct.pack(">hhh", k, lo, hi) + uvarint(0)
                body += struct.pack(">i", 0) + uvarint(0)
            else:
                body = struct.pack(">hi", 0, len(SUPPORTED))
                for k, (lo, hi) in SUPPORTED.items():
                    body += struct.pack(">hhh", k, lo, hi)
            return self.send(conn, corr, body)
        if key == 3:  # Metadata v1: one broker (this server), the topic with partition 0
            body = struct.pack(">i", 1) + struct.pack(">i", 0) + string("127.0.0.1") + \
                struct.pack(">ih", self.port, -1) + struct.pack(">i", 0)
            body += struct.pack(">i", 1) + struct.pack(">h", 0) + string(self.topic) + b"\x00"
            body += struct.pack(">i", 1) + struct.pack(">hii", 0, 0, 0) + \
                struct.pack(">ii", 1, 0) + struct.pack(">ii", 1, 0)
            return self.send(conn, corr, body)
        if key == 2:  # ListOffsets v1: earliest (-2) is the first batch, anything else the end
            r.take(">i")
            body = b""
            topics = r.take(">i")
            body += struct.pack(">i", topics)
            for _ in range(topics):
                name = r.string()
                parts = r.take(">i")
                body += string(name) + struct.pack(">i", parts)
                for _ in range(parts):
                    p, ts = r.take(">iq")
                    off = self.bases[0] if ts == -2 and self.bases else self.end
                    body += struct.pack(">ihqq", p, 0, -1, off)
            return self.send(conn, corr, body)
        if key == 1:  # Fetch v4, one topic, one partition
            r.take(">iiiib")
            r.take(">i")
            name = r.string()
            r.take(">i")
            p, offset, max_bytes = r.take(">iqi")
            i = bisect.bisect_left(self.lasts, offset)
            pos = n = 0
            if i < len(self.bases):
                pos = self.positions[i]
                j = i
                while j < len(self.sizes) and (j == i or n + self.sizes[j] <= max_bytes):
                    n += self.sizes[j]
                    j += 1
            body = struct.pack(">ii", 0, 1) + string(name) + struct.pack(">i", 1) + \
                struct.pack(">ihqqi", p, 0, self.end, self.end, -1) + struct.pack(">i", n)
            return self.send(conn, corr, body, (pos, n) if n else None)
        raise ConnectionError("api %d not served" % key)


def recv_all(conn, n):
    out = bytearray()
    while len(out) < n:
        chunk = conn.recv(n - len(out))
        if not chunk:
            return b""
        out += chunk
    return bytes(out)


if __name__ == "__main__":
    server = Server(sys.argv[1], sys.argv[2])
    print("listening on 127.0.0.1:%d (%d batches, offsets %d..%d)" % (
        server.port, len(server.bases), server.bases[0] if server.bases else 0, server.end), flush=True)
    server.serve_forever()
