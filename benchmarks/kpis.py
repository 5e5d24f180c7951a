"""The KPIs at scale: what computing a report costs, and what the console's KPI page costs
once the report is computed off the request path.

Usage: python benchmarks/kpis.py [--orgs 100000] [--repeat 3] [--db PATH]

Generates a store of ``--orgs`` organisations (`kyoso generate`), or works on a copy of
``--db``, then prints:
- the time to compute the KPIs of the whole ecosystem and of the organisation with the most
  outcomes (`service.kpis.kpis`, median of ``--repeat`` runs);
- through the app (Litestar's test client, after `/ready`): the first visit of
  `/console/kpis` (an analyst: the ecosystem; the busiest organisation's office: its own),
  how long until its report was ready, then the page with a current report, and the page
  just after an outcome was recorded (the kept report, marked as being brought up to date).
"""

from __future__ import annotations

import argparse
import logging
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench_setup import generated_store
from litestar.testing import TestClient

from data.records import Outcome
from data.store import Store
from matching.followup import StallRules
from service.api.app import create_app
from service.kpis import kpis
from service.settings import Settings

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    out = call()
    return time.perf_counter() - start, out


def sign_in(client: TestClient, key: str) -> None:
    client.cookies.clear()
    token = CSRF.search(client.get("/console/signin").text).group(1)  # type: ignore[union-attr]
    r = client.post("/console/signin", data={"key": key, "_csrf": token}, follow_redirects=False)
    assert r.status_code == 303, r.text


def page_figures(client: TestClient, key: str, who: str, repeat: int, db: Path, pair: list[str]) -> None:
    sign_in(client, key)
    first, r = timed(lambda: client.get("/console/kpis"))
    began = time.perf_counter()
    while "kpi-report\" aria-live=\"polite\" hx-get" in r.text:  # polling, as the page does
        time.sleep(0.2)
        r = client.get("/console/kpis", headers={"HX-Request": "true"})
    ready = time.perf_counter() - began
    current = [timed(lambda: client.get("/console/kpis"))[0] for _ in range(repeat)]
    with Store(db) as store:
        store.append_outcome(Outcome(key=f"bench-{time.time_ns()}", members=tuple(pair), stage="meeting",
                                  at=datetime.now(UTC)))
    stale, r = timed(lambda: client.get("/console/kpis"))
    after = "kept, updating" if "hx-get" in r.text else "new report in time"
    print(f"| {who} | {1000 * first:.0f} | {ready:.1f} | {1000 * statistics.median(current):.0f}"
          f" / {1000 * max(current):.0f} | {1000 * stale:.0f} ({after}) |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--db", type=Path, help="work on a copy of this store instead of generating one")
    args = parser.parse_args()
    logging.disable(logging.INFO)  # the access log and the client's would bury the table
    tmp = Path(tempfile.mkdtemp(prefix="kyoso-kpis-"))
    try:
        db = tmp / "k.db"
        if args.db:
            shutil.copy(args.db, db)
        else:
            generated_store(args.orgs, db)
        with Store(db) as store:
            orgs = store.read("SELECT count(*) FROM organizations")[0][0]
            busiest, partner = store.read(
                "SELECT m.org_id, (SELECT o.org_id FROM outcome_members o WHERE o.seq = m.seq"
                " AND o.org_id != m.org_id) FROM outcome_members m GROUP BY m.org_id"
                " ORDER BY COUNT(*) DESC LIMIT 1")[0]
            keys = {"analyst": store.create_api_key("analyst")[1],
                    "office": store.create_api_key("office", busiest)[1]}
            print(f"{orgs:,} organisations; median of {args.repeat} runs\n")
            print("Computing a report (`service.kpis.kpis`):\n")
            print("| KPIs of | s |")
            print("|---|---|")
            for name, org in (("the whole ecosystem", None), (f"one organisation ({busiest})", busiest)):
                times = [timed(lambda org=org: kpis(store, org, None, None, StallRules()))[0]
                         for _ in range(args.repeat)]
                print(f"| {name} | {statistics.median(times):.3f} |")
        app = create_app(Settings(db=str(db), models_dir=str(tmp / "models")))
        with TestClient(app, base_url="http://127.0.0.1", timeout=600) as client:
            deadline = time.monotonic() + 900
            while client.get("/ready").status_code != 200 and time.monotonic() < deadline:
                time.sleep(1)
            print("\nThe console's KPI page (ms, except the report's wait in s):\n")
            print("| who | first visit | report ready after (s) | current report, median / max"
                  " | right after an outcome |")
            print("|---|---|---|---|---|")
            page_figures(client, keys["analyst"], "analyst (the ecosystem)", args.repeat, db,
                         [busiest, partner])
            page_figures(client, keys["office"], f"office of {busiest}", args.repeat, db, [busiest, partner])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
