"""Load on `GET /v1/organizations/{id}/suggestions` against a bare endpoint, same server settings.

Usage: python benchmarks/api_load.py [--orgs 100000] [--seconds 30] [--concurrency 16]
                                     [--workers 1] [--stored 2000]

Builds a store of ``--orgs`` generated organisations, registers a ranker trained on a
small ecosystem of the same generator (features do not depend on scale), runs the nightly
batch for the ``--stored`` most recent registrants, serves it with `kyoso serve` on
127.0.0.1, waits until every worker has compiled its model's trees (``/ready``), and
drives it with wrk (Debian package `wrk`) for a bounded time: first
requests computed live (``fresh=true``) for random organisations, then default requests
for random organisations among those with a stored list. Then the bare endpoint of
benchmarks/bare_app.py, served by the same server with the same workers, gets the same load.
Prints requests/s, p50 and p99, and each one's share of the bare endpoint's throughput.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench_setup import serving_store

from data.store import Store

LUA = """
math.randomseed(os.time())
ids = {{{ids}}}
request = function()
  local path = "/v1/organizations/" .. ids[math.random(1, #ids)] .. "/suggestions?k=10{extra}"
  return wrk.format("GET", path, {{["X-API-Key"] = "{key}"}})
end
"""


def lua(path: Path, ids: list[str], key: str, extra: str = "") -> str:
    path.write_text(LUA.format(ids=",".join(f'"{i}"' for i in ids), key=key, extra=extra))
    return str(path)


def build_timeout(orgs: int) -> float:
    """How long a server may take to build its engine before it answers /ready: at 1,000,000
    organisations a build on a busy two-core machine took over 600 s."""
    return max(600.0, 3.0 * orgs / 1000)


def wait_ready(url: str, timeout: float = 600, server: subprocess.Popen | None = None) -> None:
    """Until ``url`` answers 200; fails at once if the ``server`` process has ended."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server is not None and server.poll() is not None:
            raise RuntimeError(f"the server ended (exit {server.returncode}) before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} not ready in {timeout}s")


def wait_compiled(url: str, workers: int, timeout: float = 180) -> None:
    """Until each of the ``workers`` processes has said on /ready that its model's trees are
    compiled (as a server does soon after it starts serving a model)."""
    deadline, compiled = time.monotonic() + timeout, set()
    while len(compiled) < workers:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the workers did not compile their model in {timeout}s")
        with urllib.request.urlopen(url, timeout=5) as r:
            ready = json.load(r)
        if ready["compiled"]:
            compiled.add(ready["worker"])
        time.sleep(0.05)


def to_ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[unit]


def wrk(url: str, seconds: int, concurrency: int, script: str | None = None) -> dict[str, float]:
    cmd = ["wrk", "-t2", f"-c{concurrency}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+([\d.]+\w+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+([\d.]+\w+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": p50, "p99": p99, "non2xx": int(errors.group(1)) if errors else 0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--server", choices=["uvicorn", "granian"], default="uvicorn")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--stored", type=int, default=2000,
                        help="organisations given a stored list by the nightly batch")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")
    tmp = Path(tempfile.mkdtemp(prefix="kyoso-load-"))
    server = None
    try:
        env, key, everyone = serving_store(args.orgs, tmp)
        with Store(tmp / "k.db") as store:
            since = store.read("SELECT registered_at FROM organizations ORDER BY registered_at, id"
                               " LIMIT 1 OFFSET ?", (len(everyone) - args.stored,))[0][0]
        recent = everyone[-args.stored:]
        subprocess.run([sys.executable, "-m", "service.cli", "score-batch", "--since", since],
                       env=env, check=True, capture_output=True)
        base = f"http://127.0.0.1:{args.port}"
        server = subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port",
                                   str(args.port), "--workers", str(args.workers), "--server",
                                   args.server], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(base + "/ready", build_timeout(args.orgs), server=server)
        wait_compiled(base + "/ready", args.workers)
        live = wrk(base + "/", args.seconds, args.concurrency,
                   lua(tmp / "live.lua", everyone, key, "&fresh=true"))
        stored = wrk(base + "/", args.seconds, args.concurrency, lua(tmp / "stored.lua", recent, key))
        server.terminate()
        server.wait()
        bare_server = ([sys.executable, "-m", "uvicorn", "benchmarks.bare_app:app", "--port", str(args.port),
                        "--workers", str(args.workers), "--log-level", "warning"]
                       if args.server == "uvicorn" else
                       [sys.executable, "-m", "granian", "--interface", "asgi", "benchmarks.bare_app:app",
                        "--port", str(args.port), "--workers", str(args.workers), "--log-level", "warning"])
        server = subprocess.Popen(bare_server, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_ready(base + "/bare")
        bare = wrk(base + "/bare", args.seconds, args.concurrency)
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.orgs:,} organisations, {args.server} workers={args.workers}, "
          f"concurrency {args.concurrency}, {args.seconds}s each, loopback")
    print("| endpoint | req/s | p50 ms | p99 ms | non-2xx | share of bare |")
    print("|---|---|---|---|---|---|")
    for name, r in (("GET …/suggestions?k=10&fresh=true (computed live)", live),
                    (f"GET …/suggestions?k=10 (stored list, {len(recent):,} organisations)", stored),
                    ("bare: 10 small Structs", bare)):
        print(f"| {name} | {r['rps']:,.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['non2xx']} | "
              f"{r['rps'] / bare['rps']:.1%} |")


if __name__ == "__main__":
    main()
