#!/usr/bin/env python3
"""Redis bytes per stored entry, for bench/run.sh: SCANs every key on the given redis-servers (one for
a single node, every master of a cluster), sums MEMORY USAGE over them and prints one tab-separated
line:

  keys  memory_usage_sum  entry_key_length  entry_value_length  entry_memory_usage  entry_key

The entry is the one string key whose name matches ENTRY_REGEX (case-insensitive), e.g. 'page=500(?!\\d)',
other than CacheLayer's grace copy of it (which is summed with the rest);
its fields are empty when no key or several keys match. A minimal RESP client (the standard library
only, keys handled as bytes), so binary key names (Output Caching's hold 0x1E) need no quoting.

  python3 bench/redis_bytes.py ENTRY_REGEX PORT [PORT...]
"""
import re
import socket
import sys


class Redis:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.file = self.sock.makefile("rb")

    def send(self, *commands):
        out = bytearray()
        for args in commands:
            out += b"*%d\r\n" % len(args)
            for arg in args:
                arg = arg if isinstance(arg, bytes) else str(arg).encode()
                out += b"$%d\r\n%s\r\n" % (len(arg), arg)
        self.sock.sendall(out)
        return [self.read() for _ in commands]

    def read(self):
        line = self.file.readline()
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.file.read(n + 2)
            return data[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")


def printable(key):
    """The key as text, control characters (Output Caching separates with 0x1E) written as \\xHH."""
    text = key.decode("utf-8", "backslashreplace")
    return re.sub(r"[\x00-\x1f\x7f]", lambda m: "\\x%02x" % ord(m.group()), text)


def main():
    pattern = re.compile(sys.argv[1].encode(), re.IGNORECASE)
    keys = total = 0
    matches = []
    for port in map(int, sys.argv[2:]):
        redis = Redis(port)
        cursor = b"0"
        while True:
            cursor, batch = redis.send(("SCAN", cursor, "COUNT", 1000))[0]
            if batch:
                # MEMORY USAGE ... SAMPLES 0: every element of an aggregate counted, not a sample of 5.
                usages = redis.send(*[("MEMORY", "USAGE", key, "SAMPLES", 0) for key in batch])
                for key, usage in zip(batch, usages):
                    keys += 1
                    total += usage or 0
                    # A grace copy ({...}#stale...) holds the same bytes as its entry: counted, not the entry.
                    if pattern.search(key) and b"}#stale" not in key:
                        matches.append((redis, key, usage or 0))
            if cursor == b"0":
                break
    entry = ["", "", "", ""]
    strings = [m for m in matches if m[0].send(("TYPE", m[1]))[0] == "string"]
    if len(strings) == 1:
        redis, key, usage = strings[0]
        length = redis.send(("STRLEN", key))[0]
        entry = [str(len(key)), str(length), str(usage), printable(key)]
    print("\t".join([str(keys), str(total)] + entry))


if __name__ == "__main__":
    main()
