"""Cold start over seeds: the time-split evaluation's cold slice beside text similarity.

Usage: python benchmarks/cold_start.py [--orgs 2000] [--seeds 7 11 23]

For each seed, generates the bundled ecosystem (``kyoso generate --orgs N --seed S``), then
does what ``kyoso train`` does — the time split, training (features as of each quarter,
early stopping on the quarter before the test half-year), the newcomers' fit weight and
the reciprocity weight chosen on validation — and evaluates on the held-out half-year.
Prints NDCG@10 overall and on the cold slice (askers with no history as of the split)
for the model and text similarity — the latter also over the model's own candidates only,
to show whether retrieval holds a newcomer back —, each seed's trees, cold weight and the
validation queries it was chosen on, then the mean and spread (min–max) of the cold-slice
margin.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.generator import END, generate, public_frame  # noqa: E402
from data.store import Snapshot  # noqa: E402
from matching.candidates import candidates_for, fit_scores  # noqa: E402
from matching.evaluation import is_cold, ndcg_at  # noqa: E402
from matching.queries import window_queries  # noqa: E402
from service.modeling import evaluate_scorers, prepare, split_context, train_ranker  # noqa: E402


def text_over_candidates(prep) -> float:
    """Cold-slice NDCG@10 of text similarity ranking only the candidates retrieval hands the
    model (the evaluation's text similarity ranks everyone)."""
    ctx = split_context(prep)
    queries = [q for q in window_queries(prep.eco, prep.split.split_day, prep.split.last_day)
               if q.relevant() and is_cold(ctx, q)]
    values = []
    for q in queries:
        cands = candidates_for(ctx, q.asker, theme=q.theme)
        order = np.argsort(-fit_scores(ctx, q.asker)[cands], kind="stable")
        values.append(ndcg_at(cands[order], q.relevant()))
    return float(np.mean(values)) if values else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7, 11, 23])
    args = parser.parse_args()
    print(f"{'seed':>5} {'kyoso':>8} {'text':>8} {'cold q':>7} {'cold kyoso':>11} {'cold text':>10}"
          f" {'(cands)':>8} {'margin':>8} {'trees':>6} {'cold w':>7} {'valid q':>8} {'s':>6}")
    margins = []
    for seed in args.seeds:
        started = time.perf_counter()
        orgs, items, outcomes, members = generate(args.orgs, seed=seed)
        snap = Snapshot(public_frame(orgs), items, outcomes, members)
        prep = prepare(snap, now=max(END, datetime.now(UTC)))
        ranker, info = train_ranker(prep, seed=0)
        reports, _ = evaluate_scorers(prep, {"kyoso": ranker})
        by = {r.name: r for r in reports}
        k, t = by["kyoso"], by["text similarity"]
        margin = k.cold_start.ndcg_at_10 - t.cold_start.ndcg_at_10
        margins.append(margin)
        print(f"{seed:>5} {k.all.ndcg_at_10:>8.4f} {t.all.ndcg_at_10:>8.4f} {k.cold_start.queries:>7}"
              f" {k.cold_start.ndcg_at_10:>11.4f} {t.cold_start.ndcg_at_10:>10.4f}"
              f" {text_over_candidates(prep):>8.4f} {margin:>+8.4f}"
              f" {ranker.metrics_['best_iteration']:>6} {ranker.cold_weight_:>7.2f}"
              f" {info['cold_weight_queries']:>8}"
              f" {time.perf_counter() - started:>6.0f}")
    m = np.array(margins)
    print(f"cold-slice margin over text similarity: mean {m.mean():+.4f}, min {m.min():+.4f},"
          f" max {m.max():+.4f} ({(m > 0).sum()} of {len(m)} seeds ahead)")


if __name__ == "__main__":
    main()
