"""The live service at scale: writes while it serves, and every worker on one generation.

Usage: python benchmarks/live_service.py [--orgs 100000] [--workers 1] [--seconds 20]
                                         [--writes 20] [--stored 2000]

Builds a store of ``--orgs`` generated organisations with a small ranker live, gives the
``--stored`` latest registrants a stored list (the nightly batch), serves it with
`kyoso serve` on 127.0.0.1 and prints, in one run:

- registration (POST) and profile update (PUT) latency, ``--writes`` of each;
- how long after its registration returned a newcomer's first live list was served;
- /health polled every 10 ms for ``--seconds``, without writes and then with one write a
  second: the longest wait of each;
- default suggestions (stored lists) by wrk at c=16 for ``--seconds``, without writes and
  with one write a second: requests/s, p50, p99;
- an outcome (a contract between two organisations with no tie): whether the pair's next
  live fit shows them as partners, and how long after the outcome was recorded;
- a promotion by `kyoso models promote`: how long until every worker's /ready serves it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from api_load import build_timeout, lua, wait_compiled, wait_ready, wrk
from bench_setup import register_ranker, serving_store, small_ranker

HOST = "127.0.0.1"


class Client:
    """One keep-alive connection to the server."""

    def __init__(self, port: int, key: str) -> None:
        self.port, self.key = port, key
        self.conn = http.client.HTTPConnection(HOST, port, timeout=120)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, float]:
        headers = {"X-API-Key": self.key}
        payload = None
        if body is not None:
            payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        for attempt in (1, 2):
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, json.loads(data or b"{}"), time.perf_counter() - started
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                if attempt == 2:  # the server closed an idle keep-alive connection: reopen once
                    raise
                self.conn.close()
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        raise AssertionError("unreachable")


def organization(n: int, template: dict) -> dict:
    """A registration body: a fresh id, the template's profile with a text of its own."""
    body = {k: v for k, v in template.items() if k != "registered_at"}
    body["id"] = f"org-live-{n:06d}"
    body["needs"] = [*body["needs"][:2], {"tag": "mob.lowspeed", "text": f"低速モビリティの実証 {n}"}]
    return body


class Writer(threading.Thread):
    """One write a second (registrations and profile updates in turn) until stopped."""

    def __init__(self, port: int, key: str, template: dict, start_at: int) -> None:
        super().__init__(daemon=True)
        self.client, self.template, self.n = Client(port, key), template, start_at
        self.stop, self.latencies = threading.Event(), []

    def run(self) -> None:
        while not self.stop.is_set():
            body = organization(self.n, self.template)
            status, _, took = self.client.call("POST", "/v1/organizations", body)
            assert status == 201, status
            self.latencies.append(took)
            self.n += 1
            self.stop.wait(1.0)


def health_waits(port: int, seconds: float) -> list[float]:
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    waits, deadline = [], time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        conn.request("GET", "/health")
        conn.getresponse().read()
        waits.append(time.perf_counter() - started)
        time.sleep(0.01)
    return waits


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


def workers_serving(port: int, version: str, workers: int, timeout: float = 60) -> float:
    """Seconds until ``workers`` distinct worker processes have answered /ready with ``version``."""
    started, seen = time.monotonic(), set()
    while len(seen) < workers:
        if time.monotonic() - started > timeout:
            raise RuntimeError(f"only {len(seen)} of {workers} workers serve {version}")
        conn = http.client.HTTPConnection(HOST, port, timeout=10)  # a new connection: any worker
        conn.request("GET", "/ready")
        ready = json.loads(conn.getresponse().read())
        conn.close()
        if ready["model_version"] == version:
            seen.add(ready["worker"])
        time.sleep(0.02)
    return time.monotonic() - started


def worker_memory(pid: int) -> list[tuple[float, float]]:
    """MiB resident (RSS) and proportional (PSS: pages shared between processes counted once
    across them) of the server process and each of its children (the workers)."""
    import psutil

    parent = psutil.Process(pid)
    out = []
    for p in [parent, *parent.children(recursive=True)]:
        info = p.memory_full_info()
        out.append((info.rss / 2**20, info.pss / 2**20))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--stored", type=int, default=2000)
    parser.add_argument("--port", type=int, default=8732)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="kyoso-live-"))
    server = None
    try:
        env, key, ids = serving_store(args.orgs, tmp)
        register_ranker(tmp / "k.db", tmp / "models", "v-next", small_ranker(seed=8), live=False)
        since = None
        if args.stored:
            from data.store import Store

            with Store(tmp / "k.db") as store:
                since = store.read("SELECT registered_at FROM organizations ORDER BY registered_at, id"
                                   " LIMIT 1 OFFSET ?", (len(ids) - args.stored,))[0][0]
            subprocess.run([sys.executable, "-m", "service.cli", "score-batch", "--since", since],
                           env=env, check=True, capture_output=True)
        server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(args.port),
                                   "--workers", str(args.workers), "--server", args.server], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://{HOST}:{args.port}"
        wait_ready(base + "/ready", build_timeout(args.orgs), server=server)
        wait_compiled(base + "/ready", args.workers)
        client = Client(args.port, key)
        template = client.call("GET", f"/v1/organizations/{ids[0]}")[1]
        for warm in ids[:20]:
            client.call("GET", f"/v1/organizations/{warm}/suggestions?k=10&fresh=true")

        # Registrations, their first live list, and profile updates.
        posts, served_after, puts = [], [], []
        for n in range(args.writes):
            body = organization(n, template)
            status, _, took = client.call("POST", "/v1/organizations", body)
            assert status == 201, status
            posts.append(took)
            returned = time.perf_counter()
            path = f"/v1/organizations/{body['id']}/suggestions?k=10&fresh=true"
            status, found, _ = client.call("GET", path)
            assert status == 200 and found["suggestions"], status
            served_after.append(time.perf_counter() - returned)
            body["needs"][-1]["text"] += " 高齢者の移動支援"
            status, _, took = client.call("PUT", f"/v1/organizations/{body['id']}", body)
            assert status == 200, status
            puts.append(took)

        # /health and default suggestions, without and with one write a second.
        quiet_health = health_waits(args.port, args.seconds)
        script = lua(tmp / "stored.lua", ids[-args.stored:], key) if args.stored else None
        quiet = wrk(base + "/", args.seconds, 16, script)
        writer = Writer(args.port, key, template, 10_000)
        writer.start()
        busy_health = health_waits(args.port, args.seconds)
        busy = wrk(base + "/", args.seconds, 16, script)
        writer.stop.set()
        writer.join()

        # An outcome between two organisations with no tie, then the pair's live fit.
        a, b = ids[1], ids[-1]
        before = client.call("GET", f"/v1/organizations/{a}/fit/{b}")[1]["explanation"]["path"]
        outcome = {"key": "bench-contract-1", "members": [a, b], "stage": "contract",
                   "at": datetime.now(UTC).isoformat()}
        assert client.call("POST", "/v1/outcomes", outcome)[0] == 201
        recorded = time.perf_counter()
        after = client.call("GET", f"/v1/organizations/{a}/fit/{b}")[1]["explanation"]["path"]
        outcome_seen = time.perf_counter() - recorded

        # A promotion from the command line, seen by every worker.
        done = subprocess.run([sys.executable, "-m", "service.cli", "models", "promote", "v-next", "--force"],
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        promoted = workers_serving(args.port, "v-next", args.workers)
        memory = worker_memory(server.pid)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"{args.orgs:,} organisations, kyoso serve --server {args.server} --workers {args.workers}, "
          f"loopback, {args.writes} writes of each kind, {args.seconds}s per load phase")
    print("| measure | p50 | p99 / max |")
    print("|---|---|---|")
    print(f"| POST /v1/organizations (registration) ms | {ms(posts, 50):.1f} | {ms(posts, 99):.1f} |")
    print(f"| PUT /v1/organizations/{{id}} (profile update) ms | {ms(puts, 50):.1f} | {ms(puts, 99):.1f} |")
    print(f"| newcomer's first live list, ms after its registration returned | {ms(served_after, 50):.0f} | "
          f"{ms(served_after, 99):.0f} |")
    for name, waits in (("no writes", quiet_health), ("one write/s", busy_health)):
        print(f"| /health every 10 ms, {name}: ms | {ms(waits, 50):.1f} | max {ms(waits, 100):.1f} |")
    print(f"| registrations during that load ({len(writer.latencies)}) ms | {ms(writer.latencies, 50):.1f} | "
          f"{ms(writer.latencies, 99):.1f} |")
    for name, r in (("no writes", quiet), ("one write/s", busy)):
        print(f"| default suggestions (stored lists), {name}: {r['rps']:,.0f} req/s, ms | {r['p50']:.1f} | "
              f"{r['p99']:.1f} |")
    print(f"| p99 with writes / without | {busy['p99'] / quiet['p99']:.2f}x | |")
    direct = after is not None and after["nodes"] == [a, b]
    was = "tie" if before and before["nodes"] == [a, b] else "none"
    print(f"| outcome → pair's next live fit shows the tie: {direct} (before: {was}), ms | "
          f"{outcome_seen * 1000:.0f} | |")
    print(f"| CLI promotion → every worker ({args.workers}) serves it, s | {promoted:.2f} | |")
    print(f"| resident memory of each server process, MiB | {', '.join(f'{r:,.0f}' for r, _ in memory)} | |")
    print(f"| its share of memory (PSS: shared pages counted once across processes), MiB | "
          f"{', '.join(f'{p:,.0f}' for _, p in memory)} | total {sum(p for _, p in memory):,.0f} |")


if __name__ == "__main__":
    main()
