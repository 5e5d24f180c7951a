"""Time and peak memory of `kyoso generate --orgs N` (generation plus storing in SQLite).

Usage: python benchmarks/generate.py [N ...]   (default: 100000 1000000)
Runs each size in a fresh subprocess into a temporary store and prints one row per size.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run(n: int) -> tuple[float, float, float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "k.db"
        start = time.perf_counter()
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        out = subprocess.run([sys.executable, "-m", "service.cli", "--db", str(db), "generate",
                              "--orgs", str(n), "--seed", "7"],
                             capture_output=True, text=True, check=True).stdout
        seconds = time.perf_counter() - start
        peak_mib = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
        size_mib = sum(f.stat().st_size for f in Path(tmp).iterdir()) / 2**20
        return seconds, peak_mib, size_mib, out.strip().replace("\n", "; ")


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    print(f"cores={os.cpu_count()} python={sys.version.split()[0]}")
    print("| organisations | wall s | peak RSS MiB | store MiB | detail |")
    print("|---|---|---|---|---|")
    for n in sizes:
        seconds, peak, size, detail = run(n)
        print(f"| {n:,} | {seconds:.1f} | {peak:,.0f} | {size:,.0f} | {detail} |", flush=True)


if __name__ == "__main__":
    main()
