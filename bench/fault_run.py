#!/usr/bin/env python3
"""Fault-injection load run against a running CacheLayer API (stdlib only; driven by bench/fault-run.sh).

For --duration seconds:
  * reader threads loop GET /api/users/1, GET /api/users/2 and GET /api/posts/ on keep-alive connections;
  * one writer PUTs /api/users/1 {"name": "v<n>"} every ~200 ms (n = 1, 2, ...); user 2 is never written;
  * a fault controller stops and restarts redis-server twice (same port, ~6 s down each), pauses it once
    (DEBUG SLEEP 5), then takes the demo origin down for 6 s (POST /api/demo/origin/outage, admin key),
    deleting the key GET:/api/users/2 inside that outage (DELETE /api/cache?key=..., admin key). The outage
    starts between two PUTs, 150 ms after the last one returned (the writer waits for it), so that user 1
    has been refilled since its last write and no PUT that passed the origin returns 200 inside the outage.
    Each fault window runs from the fault's start to its end plus a 5 s recovery margin.

A stale read is a GET /api/users/1 that started after PUT "v<n>" had returned 200 but answered with a
version below n ("Cached User A" is version 0), whether served fresh or stale (Cache-Status
detail=stale-while-revalidate|soft-timeout|stale-if-error). Latency is split by whether the request
overlapped a fault window. During the origin outage each path's GETs are counted as 200 fresh, 200 stale
(by that Cache-Status detail) or the origin's 503 (a 503 whose problem title is the origin's), and a 504
or any other 5xx is a failure. Inside the outage the admin deletes the key GET:/api/users/2 (DELETE
/api/cache?key=...), once the readers see it served stale or 4 s into the outage at the latest: every
GET /api/users/2 that starts after the DELETE returned and before the origin is back must not be a 200
(nothing is stored to serve, so the origin's 503); a 200 there is an invalidated body served.
Exits 1 on any other 5xx, a stale read, an invalidated body served, a wrong control read or a connection
error; 2 if a fault could not be injected or the invalidation check had nothing to judge (the run then
says nothing about that fault).
"""

from __future__ import annotations

import argparse
import bisect
import http.client
import json
import os
import shlex
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime

READ_PATHS = ("/api/users/1", "/api/users/2", "/api/posts/")
STALE_DETAILS = ("stale-while-revalidate", "soft-timeout", "stale-if-error")
ORIGIN_503_TITLE = "The origin is unavailable"  # the demo's OriginOutageExceptionHandler
# Deleted by the admin inside the origin outage; no GET of it that starts after the DELETE returned may be a
# 200 until the origin is back. User 2 is never written, so nothing else refills or invalidates it.
INVALIDATED_PATH = "/api/users/2"
INVALIDATED_KEY = "GET:/api/users/2"
# The DELETE goes out once a reader has seen INVALIDATED_PATH answered stale in the outage, or this many
# seconds into it at the latest (its 5 s TTL lapses within 5 s of the outage's start), leaving the rest
# of the outage to check.
DELETE_AT_LATEST = 4.0
OUTAGE_AFTER_WRITE = 0.15  # seconds between the last PUT's return and the outage's start (see origin_outage)
SEED_NAMES = {"/api/users/1": "Cached User A", "/api/users/2": "Cached User B"}
RECOVERY_MARGIN = 5.0
STOP_SECONDS = 6.0
PAUSE_SECONDS = 5
OUTAGE_SECONDS = 6
# (fraction of the run, fault): two stop/restart cycles, one pause and one origin outage, spread over the run.
SCHEDULE = ((0.12, "stop"), (0.34, "stop"), (0.56, "pause"), (0.78, "outage"))


@dataclass(slots=True)
class Sample:
    method: str
    path: str
    start: float
    end: float
    status: int | None  # None: connection error / timeout
    error: str | None = None
    x_cache: str | None = None
    name: str | None = None
    version: int | None = None  # for PUTs: the version written
    cache_status: str | None = None
    title: str | None = None  # a problem response's title (for 5xx: whose 503 it is)

    @property
    def stale(self) -> str | None:
        """The Cache-Status detail of a stale answer (stale-while-revalidate, soft-timeout, stale-if-error), else None."""
        return stale_detail(self.cache_status) if self.status == 200 else None


@dataclass(slots=True)
class Fault:
    kind: str
    start: float
    end: float | None = None
    ok: bool = True
    note: str = ""
    # origin outage only: when the API's origin comes back (monotonic, from the route's "until"), and the
    # admin DELETE of INVALIDATED_KEY inside the outage: (start, end, status, message).
    origin_back: float | None = None
    delete: tuple[float, float, int | None, str] | None = None
    stale_before_delete: int = 0


@dataclass
class Run:
    t0: float
    deadline: float
    stop: threading.Event = field(default_factory=threading.Event)
    samples: list[list[Sample]] = field(default_factory=list)
    acks: list[tuple[float, int]] = field(default_factory=list)  # (time PUT v<n> returned 200, n)
    faults: list[Fault] = field(default_factory=list)
    # Held by the writer around each PUT, and by the outage while it starts: no PUT straddles the outage's start.
    writes: threading.Lock = field(default_factory=threading.Lock)


@dataclass(slots=True)
class Answer:
    status: int
    x_cache: str | None
    cache_status: str | None
    data: bytes

    def problem_title(self) -> str | None:
        if self.status < 400:
            return None
        try:
            title = json.loads(self.data).get("title")
        except (ValueError, AttributeError):
            return None
        return title[:80] if isinstance(title, str) else None


def stale_detail(cache_status: str | None) -> str | None:
    """detail=stale-while-revalidate|soft-timeout|stale-if-error of CacheLayer's Cache-Status member, else None."""
    if not cache_status:
        return None
    for member in cache_status.split(","):
        params = [p.strip() for p in member.split(";")]
        if params[0] != "CacheLayer":
            continue
        for p in params[1:]:
            if p.startswith("detail="):
                d = p[len("detail="):].strip('"')
                return d if d in STALE_DETAILS else None
    return None


class Client:
    """One keep-alive connection; reconnects after any error."""

    def __init__(self, host: str, port: int, timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
            if resp.will_close:
                self.close()
            return Answer(resp.status, resp.getheader("X-Cache"), resp.getheader("Cache-Status"), data)
        except BaseException:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
            self.conn = None


def version_of(name: str | None, path: str) -> int | None:
    if name is None:
        return None
    if name == SEED_NAMES.get(path):
        return 0
    if name.startswith("v") and name[1:].isdigit():
        return int(name[1:])
    return None


def reader(run: Run, host: str, port: int, timeout: float, index: int, out: list[Sample]):
    client = Client(host, port, timeout)
    i = index
    end_at = run.deadline
    while not run.stop.is_set() and time.monotonic() < end_at:
        path = READ_PATHS[i % len(READ_PATHS)]
        i += 1
        start = time.monotonic()
        try:
            a = client.request("GET", path)
            end = time.monotonic()
            name = None
            if a.status == 200 and path in SEED_NAMES:
                try:
                    name = json.loads(a.data)["user"]["name"]
                except (ValueError, KeyError, TypeError):
                    name = None
            s = Sample("GET", path, start, end, a.status, None, a.x_cache, name,
                       cache_status=a.cache_status, title=a.problem_title())
        except (OSError, http.client.HTTPException) as e:
            end = time.monotonic()
            s = Sample("GET", path, start, end, None, f"{type(e).__name__}: {e}"[:120])
            time.sleep(0.05)  # don't spin while the API is unreachable
        out.append(s)
    client.close()


def writer(run: Run, host: str, port: int, timeout: float, interval: float, out: list[Sample]):
    client = Client(host, port, timeout)
    n = 0
    next_at = time.monotonic()
    while not run.stop.is_set() and time.monotonic() < run.deadline:
        n += 1
        body = json.dumps({"name": f"v{n}"}).encode()
        run.writes.acquire()
        start = time.monotonic()
        try:
            try:
                a = client.request("PUT", "/api/users/1", body, {"Content-Type": "application/json"})
            finally:
                run.writes.release()
            end = time.monotonic()
            out.append(Sample("PUT", "/api/users/1", start, end, a.status, None, a.x_cache, version=n,
                              cache_status=a.cache_status, title=a.problem_title()))
            if a.status == 200:
                run.acks.append((end, n))
        except (OSError, http.client.HTTPException) as e:
            end = time.monotonic()
            out.append(Sample("PUT", "/api/users/1", start, end, None, f"{type(e).__name__}: {e}"[:120], version=n))
        next_at += interval
        delay = next_at - time.monotonic()
        if delay > 0:
            run.stop.wait(delay)
        else:
            next_at = time.monotonic()
    client.close()


# ---- redis control -------------------------------------------------------------------------------------

def redis_server_cmd(args) -> list[str]:
    cmd = ["redis-server", "--port", str(args.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--daemonize", "yes"]
    if args.redis_pidfile:
        cmd += ["--pidfile", args.redis_pidfile]
    if args.redis_dir:
        cmd += ["--dir", args.redis_dir, "--logfile", os.path.join(args.redis_dir, "redis.log")]
    if redis_major() >= 7:
        cmd += ["--enable-debug-command", "local"]  # DEBUG SLEEP, over loopback only
    return cmd


def redis_major() -> int:
    try:
        out = subprocess.run(["redis-server", "--version"], capture_output=True, text=True, timeout=5).stdout
        return int(out.split(" v=")[1].split(".")[0])
    except (OSError, IndexError, ValueError, subprocess.SubprocessError):
        return 0


def redis_cli(port: int, *cmd: str, timeout: float = 3.0) -> tuple[int, str]:
    try:
        p = subprocess.run(["redis-cli", "-p", str(port), *cmd], capture_output=True, text=True, timeout=timeout)
        return p.returncode, (p.stdout + p.stderr).strip()
    except subprocess.TimeoutExpired:
        return -1, "timeout"


def redis_up(port: int) -> bool:
    return redis_cli(port, "ping", timeout=1.0) == (0, "PONG")


def wait_for(pred, seconds: float, step: float = 0.05) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()


def stop_start(run: Run, args, fault: Fault):
    port = args.redis_port
    redis_cli(port, "shutdown", "nosave", timeout=5.0)
    if not wait_for(lambda: not redis_up(port), 5.0):
        fault.ok, fault.note = False, "redis-server did not stop"
    # Stay down for STOP_SECONDS (cut short if the run is ending, but always restart).
    run.stop.wait(max(0.0, fault.start + STOP_SECONDS - time.monotonic()))
    if not redis_up(port):
        p = subprocess.run(redis_server_cmd(args), capture_output=True, text=True)
        if p.returncode != 0:
            fault.ok, fault.note = False, f"restart failed: {(p.stdout + p.stderr).strip()[:200]}"
    if not wait_for(lambda: redis_up(port), 10.0):
        fault.ok, fault.note = False, (fault.note + "; " if fault.note else "") + "redis-server not back within 10 s"
    fault.end = time.monotonic()
    if fault.ok:
        fault.note = f"down {fault.end - fault.start:.1f} s"


def pause(run: Run, args, fault: Fault):
    # DEBUG SLEEP blocks the whole server (and the redis-cli issuing it): run it in the background.
    p = subprocess.Popen(["redis-cli", "-p", str(args.redis_port), "DEBUG", "SLEEP", str(PAUSE_SECONDS)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        out, _ = p.communicate(timeout=PAUSE_SECONDS + 10)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
    fault.end = time.monotonic()
    out = (out or "").strip()
    if p.returncode != 0 or out != "OK":
        fault.ok, fault.note = False, f"DEBUG SLEEP failed: {out[:200]}"
    else:
        fault.note = f"paused {fault.end - fault.start:.1f} s"


def origin_outage(run: Run, args, fault: Fault):
    """Origin down for OUTAGE_SECONDS; inside it, the admin deletes INVALIDATED_KEY (see DELETE_AT_LATEST)."""
    u = urllib.parse.urlsplit(args.base)
    client = Client(u.hostname, u.port or 80, args.timeout)
    admin = {"X-Api-Key": args.admin_key}
    try:
        # Start between two PUTs, once the last one has returned and GETs have had OUTAGE_AFTER_WRITE to
        # refill user 1: a PUT that passed the origin just before the outage would otherwise return 200
        # after it began and leave user 1 with no copy (a write removes both), and the outage's figures
        # for user 1 would depend on that race.
        with run.writes:
            run.stop.wait(OUTAGE_AFTER_WRITE)
            fault.start = m0 = time.monotonic()
            w0 = time.time()
            a = client.request("POST", f"/api/demo/origin/outage?seconds={OUTAGE_SECONDS}", headers=admin)
            m1, w1 = time.monotonic(), time.time()
        if a.status != 200:
            fault.ok, fault.note = False, f"outage route answered {a.status}: {a.data[:200]!r}"
            fault.end = time.monotonic()
            return
        # The route answers when the outage ends (UTC); the API runs on this machine's clock.
        try:
            until = datetime.fromisoformat(json.loads(a.data)["until"]).timestamp()
        except (ValueError, KeyError, TypeError) as e:
            fault.ok, fault.note = False, f"outage route's answer has no 'until' ({type(e).__name__}): {a.data[:200]!r}"
            until = w1 + OUTAGE_SECONDS
        fault.origin_back = until - ((w0 - m0) + (w1 - m1)) / 2

        # Delete user 2's entry once it is being served stale (or at DELETE_AT_LATEST into the outage).
        latest = fault.start + DELETE_AT_LATEST
        while time.monotonic() < latest and not run.stop.is_set() and not seen_stale(run, INVALIDATED_PATH, fault.start):
            run.stop.wait(0.02)
        if not run.stop.is_set():
            d0 = time.monotonic()
            a = client.request("DELETE", "/api/cache?key=" + urllib.parse.quote(INVALIDATED_KEY, safe=""), headers=admin)
            d1 = time.monotonic()
            try:
                message = str(json.loads(a.data).get("message", ""))[:80]
            except (ValueError, AttributeError):
                message = a.data[:80].decode(errors="replace")
            fault.delete = (d0, d1, a.status, message)
            if a.status not in (200, 404):  # 404: nothing stored under the key (it is deleted all the same)
                fault.ok, fault.note = False, f"admin DELETE of {INVALIDATED_KEY} answered {a.status}: {message!r}"
            elif d1 >= fault.origin_back:
                fault.ok, fault.note = False, f"admin DELETE of {INVALIDATED_KEY} returned after the origin was back"
    finally:
        client.close()
    run.stop.wait(max(0.0, max(fault.start + OUTAGE_SECONDS, fault.origin_back or 0.0) - time.monotonic()))
    fault.end = time.monotonic()
    if fault.ok:
        fault.note = f"origin down {fault.end - fault.start:.1f} s"
        if fault.delete:
            d0, d1, status, message = fault.delete
            fault.note += f"; DELETE {INVALIDATED_KEY} at t={d0 - run.t0:.1f}s answered {status} {message!r}"


def seen_stale(run: Run, path: str, since: float) -> bool:
    """Whether a reader's latest samples include a stale 200 of path that started at or after since."""
    for out in list(run.samples):
        for s in out[-12:]:  # lists appended by the reader threads: a slice is a consistent copy
            if s.path == path and s.start >= since and s.stale:
                return True
    return False


FAULTS = {"stop": stop_start, "pause": pause, "outage": origin_outage}


def controller(run: Run, args):
    for frac, kind in SCHEDULE:
        at = run.t0 + frac * args.duration
        if run.stop.wait(max(0.0, at - time.monotonic())):
            return
        fault = Fault(kind, time.monotonic())
        run.faults.append(fault)
        try:
            FAULTS[kind](run, args, fault)
        except Exception as e:  # keep going; report it
            fault.ok, fault.note = False, f"{type(e).__name__}: {e}"
            fault.end = fault.end or time.monotonic()


# ---- report --------------------------------------------------------------------------------------------

def pct(sorted_ms: list[float], p: float) -> float | None:
    if not sorted_ms:
        return None
    k = max(0, min(len(sorted_ms) - 1, int(round(p / 100 * len(sorted_ms) + 0.5)) - 1))  # nearest rank
    return sorted_ms[k]


def fmt_ms(v: float | None) -> str:
    return "-" if v is None else f"{v:.1f}"


def report(run: Run, samples: list[Sample], args, warm: int) -> int:
    windows = [(f.start, (f.end or f.start) + RECOVERY_MARGIN) for f in run.faults]
    outages = [(f.start, (f.end or f.start) + RECOVERY_MARGIN) for f in run.faults if f.kind == "outage"]

    def in_fault(s: Sample) -> bool:
        return any(s.start < hi and s.end > lo for lo, hi in windows)

    def in_outage(s: Sample) -> bool:
        return any(s.start < hi and s.end > lo for lo, hi in outages)

    answered = [s for s in samples if s.status is not None]
    errors = [s for s in samples if s.status is None]
    classes: dict[str, int] = {}
    for s in answered:
        key = f"{s.status // 100}xx"
        classes[key] = classes.get(key, 0) + 1
    five_all = [s for s in answered if s.status >= 500]
    # The origin's 503 (its problem title says so) while it is down or within the recovery margin after.
    origin_down = [s for s in five_all if in_outage(s) and s.status == 503 and s.title == ORIGIN_503_TITLE]
    five = [s for s in five_all if s not in origin_down]
    in_outage_gets = [s for s in answered if s.method == "GET" and in_outage(s)]

    # Stale reads: GET /api/users/1 started after PUT v<n> returned 200, answered version < n.
    acks = sorted(run.acks)
    ack_times = [t for t, _ in acks]
    best_so_far, m = [], 0
    for _, n in acks:
        m = max(m, n)
        best_so_far.append(m)
    stale, unparsed = [], []
    for s in answered:
        if s.method != "GET" or s.path != "/api/users/1" or s.status != 200:
            continue
        v = version_of(s.name, s.path)
        if v is None:
            unparsed.append(s)
            continue
        i = bisect.bisect_left(ack_times, s.start)
        need = best_so_far[i - 1] if i > 0 else 0
        if v < need:
            ack_t = ack_times[bisect.bisect_left(best_so_far, need)]
            stale.append((s, v, need, s.start - ack_t))
    control_bad = [s for s in answered
                   if s.method == "GET" and s.path == "/api/users/2" and s.status == 200 and s.name != SEED_NAMES[s.path]]

    # GETs started while the origin was down (the outage's start to the API's end of it, no recovery margin), per
    # path: 200 fresh (HIT or MISS) / 200 stale (by Cache-Status detail) / 503 / other.
    outage = next((f for f in run.faults if f.kind == "outage"), None)
    down = (outage.start, outage.origin_back or outage.end or outage.start) if outage else None
    down_gets = [s for s in answered if s.method == "GET" and down and down[0] <= s.start < down[1]]
    by_path: dict[str, dict[str, int]] = {p: {} for p in READ_PATHS}
    stale_kinds: dict[str, dict[str, int]] = {p: {} for p in READ_PATHS}
    for s in down_gets:
        k = ("200 stale" if s.stale else "200 fresh") if s.status == 200 else str(s.status)
        by_path[s.path][k] = by_path[s.path].get(k, 0) + 1
        if s.stale:
            stale_kinds[s.path][s.stale] = stale_kinds[s.path].get(s.stale, 0) + 1
    # X-Cache: STALE goes with a stale Cache-Status detail and nothing else does (reported, not a failure).
    header_mismatch = [s for s in answered if s.method == "GET" and s.status == 200
                       and ((s.x_cache or "").upper() == "STALE") != (s.stale is not None)]

    # Invalidated bodies: the admin deleted INVALIDATED_KEY inside the outage. A GET of it that started after
    # the DELETE returned and before the origin was back may not be a 200: with nothing stored, it is the
    # origin's 503. One that started before the origin was back but ended after may be the origin's fresh
    # answer (MISS) or a hit on it; a stale answer there is still the deleted body (a refill is fresh for its TTL).
    # User 1 has a copy to serve stale in the outage only if a GET refilled it after the last PUT acknowledged
    # before the outage (the PUT removed the entry and its copy; a refill takes the origin's latency).
    user1_before = None
    if down:
        last_ack = next(((t, n) for t, n in reversed(acks) if t <= down[0]), None)
        last_fill = max((s for s in answered if s.method == "GET" and s.path == "/api/users/1"
                         and s.status == 200 and s.end <= down[0] and "stored" in (s.cache_status or "")),
                        key=lambda s: s.end, default=None)
        user1_before = ", ".join(x for x in (
            f"last PUT acknowledged {(down[0] - last_ack[0]) * 1000:.0f} ms before (v{last_ack[1]})" if last_ack else "no PUT acknowledged before",
            f"last stored refill (GET MISS) ended {(down[0] - last_fill.end) * 1000:.0f} ms before ({last_fill.name})" if last_fill else "no stored refill before",
        ))
        late = [n for t, n in acks if down[0] < t < down[1]]
        if late:
            user1_before += f"; acknowledged after the outage began: {', '.join(f'v{n}' for n in late)}: no copy to serve"
        elif last_ack and (not last_fill or last_fill.end < last_ack[0]):
            user1_before += ": no copy to serve"
    inval_checked: list[Sample] = []
    invalidated: list[Sample] = []
    inval_unjudged: list[Sample] = []
    inval_origin = 0  # 200 MISS that ended after the origin was back: its fresh answer
    stale_before_delete = 0
    inval_problem = None
    if outage is None:
        inval_problem = "the origin outage did not run"
    elif outage.delete is None or outage.origin_back is None:
        inval_problem = f"no admin DELETE of {INVALIDATED_KEY} inside the outage"
    else:
        d0, d1, _, _ = outage.delete
        back = outage.origin_back
        for s in answered:
            if s.method != "GET" or s.path != INVALIDATED_PATH:
                continue
            if s.start >= outage.start and s.end <= d0 and s.stale:
                stale_before_delete += 1
            if not d1 <= s.start < back:
                continue
            inval_checked.append(s)
            if s.status != 200:
                continue
            if s.end <= back or s.stale:
                invalidated.append(s)
            elif (s.x_cache or "").upper() != "MISS":
                inval_unjudged.append(s)
            else:
                inval_origin += 1
        if not inval_checked:
            inval_problem = f"no GET of {INVALIDATED_PATH} answered between the DELETE and the origin's return"

    during = sorted((s.end - s.start) * 1000 for s in answered if in_fault(s))
    outside = sorted((s.end - s.start) * 1000 for s in answered if not in_fault(s))
    gets_out = [s for s in answered if s.method == "GET" and s.status == 200 and not in_fault(s)]
    hits_out = sum(1 for s in gets_out if (s.x_cache or "").upper() == "HIT")
    gets_in = [s for s in answered if s.method == "GET" and s.status == 200 and in_fault(s)]
    hits_in = sum(1 for s in gets_in if (s.x_cache or "").upper() == "HIT")
    fault_secs = sum(hi - lo for lo, hi in merge(windows, run.t0, run.deadline))

    def rel(t: float) -> str:
        return f"t={t - run.t0:5.1f}s"

    print()
    print(f"fault run: {args.duration:.0f} s against {args.base}, redis-server on 127.0.0.1:{args.redis_port}, "
          f"{args.readers} readers + 1 writer (PUT every {args.write_interval * 1000:.0f} ms)")
    print("faults (window = start .. end + 5 s recovery):")
    for f in run.faults:
        print(f"  {f.kind:<5} {rel(f.start)} .. {rel((f.end or f.start) + RECOVERY_MARGIN)}  "
              f"{'ok ' if f.ok else 'FAILED'} {f.note}")
    missing = len(SCHEDULE) - len(run.faults)
    if missing:
        print(f"  ({missing} scheduled fault(s) not run)")
    rows = [
        ("requests sent", f"{len(samples)}  (GET {sum(s.method == 'GET' for s in samples)}, "
                          f"PUT {sum(s.method == 'PUT' for s in samples)}; warm-up excluded: {warm})"),
        ("responses by class", "  ".join(f"{k} {v}" for k, v in sorted(classes.items())) or "-"),
        ("5xx (origin outage's 503s apart)", f"{len(five)}" + (f"  ({', '.join(f'{k} {v}' for k, v in count_by(five, lambda s: f'{s.method} {s.path} {s.status}').items())})" if five else "")),
        ("connection errors/timeouts", f"{len(errors)}" + (f"  ({', '.join(f'{k} {v}' for k, v in count_by(errors, lambda s: s.error.split(':')[0]).items())})" if errors else "")),
        ("stale reads (user 1)", f"{len(stale)}  of {sum(1 for s in answered if s.method == 'GET' and s.path == '/api/users/1' and s.status == 200)} "
                                 f"200 reads ({sum(1 for s in answered if s.method == 'GET' and s.path == '/api/users/1' and s.stale)} of them stale answers); "
                                 f"{sum(1 for x in stale if in_fault(x[0]))} during faults, {sum(1 for x in stale if x[0].stale)} among the stale answers"),
        ("during the origin outage", f"GET {len(in_outage_gets)}: 200 {sum(s.status == 200 for s in in_outage_gets)} "
                                     f"(HIT {sum(s.status == 200 and (s.x_cache or '').upper() == 'HIT' for s in in_outage_gets)}, "
                                     f"STALE {sum(s.stale is not None for s in in_outage_gets)}), "
                                     f"503 {sum(s.status == 503 for s in in_outage_gets)}; "
                                     f"PUT 503 {sum(s.method == 'PUT' for s in origin_down)}"),
        *([("GETs while the origin was down", f"{len(down_gets)} started t={down[0] - run.t0:.1f}s .. t={down[1] - run.t0:.1f}s, per path:")]
          if down else []),
        *((f"  {p}", "GET 200 fresh / 200 stale / 503: "
                     f"{by_path[p].get('200 fresh', 0)} / {by_path[p].get('200 stale', 0)} / {by_path[p].get('503', 0)}"
                     + "".join(f", {k} {v}" for k, v in sorted(by_path[p].items()) if k not in ("200 fresh", "200 stale", "503"))
                     + (f"  ({', '.join(f'{k} {v}' for k, v in sorted(stale_kinds[p].items()))})" if stale_kinds[p] else ""))
          for p in READ_PATHS),
        *([("user 1 as the origin went down", user1_before)] if user1_before else []),
        ("invalidated bodies served", f"{len(invalidated)}" + (
            f"  (of {len(inval_checked)} GET {INVALIDATED_PATH} started after the DELETE returned and before the "
            f"origin was back: 503 {sum(s.status == 503 for s in inval_checked)}, "
            f"200 {sum(s.status == 200 for s in inval_checked)}"
            + (f" ({inval_origin} fetched from the origin as it came back"
               + (f", {len(inval_unjudged)} hit(s) ending after its return, not judged" if inval_unjudged else "") + ")"
               if inval_origin or inval_unjudged else "")
            + f"; {stale_before_delete} stale before the DELETE)" if outage and outage.delete else "")),
        ("X-Cache STALE vs stale detail", f"{len(header_mismatch)} mismatched GET 200"),
        ("wrong control reads (user 2)", f"{len(control_bad)}"),
        ("unrecognised user 1 names", f"{len(unparsed)}"),
        ("PUTs acknowledged (200)", f"{len(acks)}  (last version v{acks[-1][1] if acks else 0})"),
        ("latency during faults", f"p50 {fmt_ms(pct(during, 50))} ms  p99 {fmt_ms(pct(during, 99))} ms  "
                                  f"(n={len(during)}, {fault_secs:.1f} s of windows)"),
        ("latency outside faults", f"p50 {fmt_ms(pct(outside, 50))} ms  p99 {fmt_ms(pct(outside, 99))} ms  (n={len(outside)})"),
        ("X-Cache HIT ratio outside", f"{hits_out / len(gets_out):.1%}  ({hits_out}/{len(gets_out)} GET 200)" if gets_out else "-"),
        ("X-Cache HIT ratio during", f"{hits_in / len(gets_in):.1%}  ({hits_in}/{len(gets_in)} GET 200; "
                                     f"STALE {sum(s.stale is not None for s in gets_in)})" if gets_in else "-"),
    ]
    w = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"  {k:<{w}} : {v}")
    if stale:
        print("first stale reads:")
        for s, v, need, since in stale[:5]:
            print(f"  {rel(s.start)} GET /api/users/1 -> name v{v} (X-Cache {s.x_cache}, Cache-Status {s.cache_status}), expected >= v{need} "
                  f"(acknowledged {since * 1000:.0f} ms before the GET started)")
        last = stale[-1][0]
        print(f"  ... last stale read at {rel(last.start)}")
    if invalidated:
        print("first invalidated bodies served:")
        for s in invalidated[:5]:
            print(f"  {rel(s.start)}..{rel(s.end)} GET {s.path} -> 200 {s.name!r} (X-Cache {s.x_cache}, Cache-Status {s.cache_status}), "
                  f"{(s.start - outage.delete[1]) * 1000:.0f} ms after the DELETE returned")
    if inval_problem:
        print(f"invalidation check not made: {inval_problem}")
    if header_mismatch:
        print("first X-Cache/Cache-Status mismatches:", "; ".join(f"{rel(s.start)} {s.path} X-Cache {s.x_cache}, Cache-Status {s.cache_status}" for s in header_mismatch[:3]))
    if control_bad:
        print("first wrong control reads:", ", ".join(f"{rel(s.start)} {s.name!r}" for s in control_bad[:5]))
    if unparsed:
        print("first unrecognised names:", ", ".join(f"{rel(s.start)} {s.name!r}" for s in unparsed[:5]))
    if errors:
        print("first connection errors:", "; ".join(f"{rel(s.start)} {s.method} {s.path}: {s.error}" for s in errors[:3]))
    if five:
        print("first 5xx:", "; ".join(f"{rel(s.start)} {s.method} {s.path} {s.status} {s.title!r} (Cache-Status {s.cache_status})" for s in five[:5]))
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable.rsplit('/', 1)[-1]] + sys.argv))

    if any(not f.ok for f in run.faults) or missing or inval_problem:
        return 2
    return 1 if (five or stale or control_bad or errors or invalidated) else 0


def merge(windows, lo_bound, hi_bound):
    out = []
    for lo, hi in sorted((max(lo, lo_bound), min(hi, hi_bound)) for lo, hi in windows):
        if hi <= lo:
            continue
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def count_by(items, key) -> dict[str, int]:
    d: dict[str, int] = {}
    for it in items:
        k = key(it)
        d[k] = d.get(k, 0) + 1
    return dict(sorted(d.items(), key=lambda kv: -kv[1]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", required=True, help="API base URL, e.g. http://127.0.0.1:5000 (loopback only)")
    ap.add_argument("--redis-port", type=int, required=True)
    ap.add_argument("--duration", type=float, default=75.0, help="seconds of load, at least 60")
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--write-interval", type=float, default=0.2, help="seconds between PUTs")
    ap.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded load before the run")
    ap.add_argument("--timeout", type=float, default=10.0, help="per-request socket timeout, seconds")
    ap.add_argument("--redis-pidfile", help="passed to redis-server on restart")
    ap.add_argument("--redis-dir", help="redis-server working directory on restart (log goes there too)")
    ap.add_argument("--admin-key", required=True, help="the API's CacheLayer:AdminApiKey, for the origin outage")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.base)
    if u.scheme != "http" or u.hostname not in ("127.0.0.1", "localhost", "::1"):
        ap.error("--base must be a plain-http loopback URL")
    if args.duration < 60:
        ap.error("--duration must be at least 60 seconds")
    host, port = u.hostname, u.port or 80
    if not redis_up(args.redis_port):
        print(f"redis-server is not answering on 127.0.0.1:{args.redis_port}", file=sys.stderr)
        return 2

    # Warm-up: JIT and the first cache fills, not recorded.
    warm_run = Run(time.monotonic(), time.monotonic() + args.warmup)
    warm_out: list[list[Sample]] = [[] for _ in range(args.readers)]
    warm_threads = [threading.Thread(target=reader, args=(warm_run, host, port, args.timeout, i, warm_out[i]), daemon=True)
                    for i in range(args.readers)]
    for t in warm_threads:
        t.start()
    for t in warm_threads:
        t.join(args.warmup + args.timeout + 2)
    warm = sum(len(o) for o in warm_out)

    t0 = time.monotonic()
    run = Run(t0, t0 + args.duration)
    signal.signal(signal.SIGTERM, lambda *_: run.stop.set())
    threads = []
    for i in range(args.readers):
        out: list[Sample] = []
        run.samples.append(out)
        threads.append(threading.Thread(target=reader, args=(run, host, port, args.timeout, i, out),
                                        name=f"reader-{i}", daemon=True))
    wout: list[Sample] = []
    run.samples.append(wout)
    threads.append(threading.Thread(target=writer, args=(run, host, port, args.timeout, args.write_interval, wout),
                                    name="writer", daemon=True))
    ctl = threading.Thread(target=controller, args=(run, args), name="faults", daemon=True)
    print(f"running {args.duration:.0f} s of load with faults at "
          + ", ".join(f"{frac * args.duration:.0f} s ({kind})" for frac, kind in SCHEDULE), flush=True)
    for t in threads + [ctl]:
        t.start()
    try:
        while time.monotonic() < run.deadline and not run.stop.is_set():
            time.sleep(0.2)
    except KeyboardInterrupt:
        print("interrupted; stopping", file=sys.stderr)
    run.stop.set()
    # Every thread stops by itself within one request timeout; the controller always restarts redis first.
    hard_end = time.monotonic() + args.timeout + 15
    for t in threads + [ctl]:
        t.join(max(0.1, hard_end - time.monotonic()))
    stuck = [t.name for t in threads + [ctl] if t.is_alive()]
    if stuck:
        print(f"warning: threads still running at exit: {', '.join(stuck)}", file=sys.stderr)
    if not redis_up(args.redis_port):
        print("warning: redis-server is not answering at the end of the run", file=sys.stderr)

    samples = [s for out in run.samples for s in list(out)]
    samples.sort(key=lambda s: s.start)
    return report(run, samples, args, warm)


if __name__ == "__main__":
    sys.exit(main())
