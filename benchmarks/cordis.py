"""The CORDIS benchmark table: every system through `kyoso benchmark cordis`, scored.

Usage:
    python benchmarks/cordis.py [--data ../shared/data/cordis] [--out reports/cordis] [--reuse]
    python benchmarks/cordis.py --recall-only   # Kyoso's candidate recall alone (minutes)

For each system it runs the fixed command in a subprocess (wall time and peak memory
from /usr/bin/time), scores the predictions with `kyoso benchmark score`'s code, and
prints one Markdown table per kind of query, then the cold-start slice (askers with at
most two projects before the as-of date) and Kyoso's candidate recall (share of true
partners that retrieval hands to the ranker). The truth is read for reporting only.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import polars as pl

from data import cordis
from matching.candidates import candidates_for
from matching.queries import top_theme
from service.benchmark import CANDIDATES, SYSTEMS, prepare, read_queries, score_queries, summarise

COLD_MAX_PROJECTS = 2


def run_system(system: str, data: str, queries: str, out: Path) -> tuple[float, float]:
    cmd = [sys.executable, "-m", "service.cli", "benchmark", "cordis", "--data", data,
           "--queries", queries, "--out", str(out), "--system", system]
    timed = ["/usr/bin/time", "-f", "TIME %e %M", *cmd] if Path("/usr/bin/time").exists() else cmd
    done = subprocess.run(timed, capture_output=True, text=True, check=True)
    found = re.search(r"TIME ([\d.]+) (\d+)", done.stderr)
    return (float(found.group(1)), int(found.group(2)) / 1024) if found else (float("nan"),) * 2


def candidate_recall(data: str, queries: pl.DataFrame, truth: pl.DataFrame) -> dict[str, float]:
    as_of = datetime.combine(queries["as_of"].min(), datetime.min.time(), tzinfo=UTC)
    prep = prepare(data, as_of)
    eco, ctx = prep.eco, prep.ctx
    theme_code = {t: i for i, t in enumerate(eco.themes)}
    truth_of = {q: set(p["org_id"].to_list()) for (q,), p in truth.group_by("query_id")}
    found = {False: [0, 0], True: [0, 0]}
    for qid, org_id, _, theme, new_only in queries.iter_rows():
        a = eco.index.get(org_id, -1)
        rel = truth_of.get(qid, set())
        if a < 0 or not rel:
            continue
        allowed = None
        if new_only:
            allowed = np.ones(eco.n, dtype=bool)
            allowed[ctx.graph.binary[a].indices] = False
        code = theme_code.get(theme, -1) if theme else top_theme(ctx.graph, a)
        got = {str(eco.ids[i]) for i in candidates_for(ctx, a, theme=code, allowed=allowed,
                                                        config=CANDIDATES)}
        found[new_only][0] += len(rel & got)
        found[new_only][1] += len(rel)
    return {"consortium": found[False][0] / max(found[False][1], 1),
            "partner": found[True][0] / max(found[True][1], 1)}


def past_projects(data: str, as_of: datetime) -> dict[str, int]:
    """Projects each organisation took part in before ``as_of`` (as the pipeline dates them)."""
    members = cordis.benchmark_frames(*cordis.read_tables(data), before=as_of)[3]
    return dict(members.group_by("org_id").len().iter_rows())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="../shared/data/cordis")
    parser.add_argument("--out", default="reports/cordis")
    parser.add_argument("--reuse", action="store_true", help="reuse predictions already written")
    parser.add_argument("--recall-only", action="store_true",
                        help="print Kyoso's candidate recall only (no system is run)")
    args = parser.parse_args()
    bench = Path(args.data) / "bench"
    queries_path, truth_path = str(bench / "queries_2018.parquet"), str(bench / "truth_2018.parquet")
    if args.recall_only:
        print_recall(candidate_recall(args.data, read_queries(queries_path), pl.read_parquet(truth_path)))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    queries, truth = read_queries(queries_path), pl.read_parquet(truth_path)
    as_of = datetime.combine(queries["as_of"].min(), datetime.min.time(), tzinfo=UTC)
    history = past_projects(args.data, as_of)

    rows, cold_rows = [], []
    for system in SYSTEMS:
        pred = out / f"{system}.parquet"
        seconds = peak = float("nan")
        if not (args.reuse and pred.exists()):
            seconds, peak = run_system(system, args.data, queries_path, pred)
        per_query = score_queries(queries_path, truth_path, str(pred))
        summary = summarise(per_query)
        cold = per_query.filter(pl.col("org_id").replace_strict(history, default=0)
                                <= COLD_MAX_PROJECTS)
        cold_summary = summarise(cold)
        rows.append((system, summary, seconds, peak))
        cold_rows.append((system, cold_summary))
        print(f"{system}: done", file=sys.stderr, flush=True)

    print(f"as of {as_of.date()}; {queries.height:,} queries\n")
    print("| system | consortium NDCG@10 | recall@50 | MRR | partner NDCG@10 | recall@50 | MRR "
          "| run s | peak MiB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for system, s, seconds, peak in rows:
        c, p = s["consortium"], s["partner"]
        print(f"| {system} | {c['ndcg@10']:.4f} | {c['recall@50']:.4f} | {c['mrr']:.4f} | "
              f"{p['ndcg@10']:.4f} | {p['recall@50']:.4f} | {p['mrr']:.4f} | {seconds:.0f} | "
              f"{peak:,.0f} |")
    c0, p0 = cold_rows[0][1]["consortium"], cold_rows[0][1]["partner"]
    print(f"\nCold start: askers with at most {COLD_MAX_PROJECTS} projects before "
          f"{as_of.date()} ({c0['queries']} consortium, {p0['queries']} partner queries)\n")
    print("| system | consortium NDCG@10 | recall@50 | MRR | partner NDCG@10 | recall@50 | MRR |")
    print("|---|---|---|---|---|---|---|")
    for system, s in cold_rows:
        c, p = s["consortium"], s["partner"]
        print(f"| {system} | {c['ndcg@10']:.4f} | {c['recall@50']:.4f} | {c['mrr']:.4f} | "
              f"{p['ndcg@10']:.4f} | {p['recall@50']:.4f} | {p['mrr']:.4f} |")
    print()
    print_recall(candidate_recall(args.data, queries, truth))


def print_recall(recall: dict[str, float]) -> None:
    print(f"Kyoso candidate recall (true partners reaching the ranker, up to "
          f"{CANDIDATES.limit} candidates): consortium {recall['consortium']:.3f}, "
          f"partner {recall['partner']:.3f}")


if __name__ == "__main__":
    main()
