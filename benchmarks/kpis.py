"""Time of the KPIs of the whole ecosystem and of one organisation, as a request computes them.

Usage: python benchmarks/kpis.py [--orgs 100000] [--repeat 3]

Generates a store of ``--orgs`` organisations (`kyoso generate`), then times
`service.kpis.kpis` for the whole ecosystem and for the organisation with the most outcomes,
over the default window; prints the median of ``--repeat`` runs of each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from data.store import Store
from matching.followup import StallRules
from service.kpis import kpis


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kyoso-kpis-"))
    try:
        db = tmp / "k.db"
        subprocess.run([sys.executable, "-m", "service.cli", "generate", "--orgs", str(args.orgs)],
                       env={**os.environ, "KYOSO_DB": str(db)}, check=True, capture_output=True)
        with Store(db) as store:
            busiest = store.read("SELECT org_id FROM outcome_members GROUP BY org_id"
                                 " ORDER BY COUNT(*) DESC LIMIT 1")[0][0]
            print(f"{args.orgs:,} organisations; median of {args.repeat} runs")
            print("| KPIs of | s |")
            print("|---|---|")
            for name, org in (("the whole ecosystem", None), (f"one organisation ({busiest})", busiest)):
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    kpis(store, org, None, None, StallRules())
                    times.append(time.perf_counter() - start)
                print(f"| {name} | {statistics.median(times):.3f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
