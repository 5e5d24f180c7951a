"""Diversity against relevance: what the MMR re-ranking costs and gives, on the time split.

Usage: python benchmarks/diversity.py [--orgs 2000] [--seed 7]

Trains a ranker on the bundled ecosystem as ``kyoso train`` does, then for the validation
quarter and the held-out half-year prints, for lists of 10: NDCG@10 (a meeting or more is
relevant), the mean dissimilarity (kind, industry) within a list, and how far down the
ranking the shown partners reach (the 90th percentile of ``position_by_score``) — by score
alone and diversified with MMR drawing from the ``reach`` × 10 strongest.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.generator import END, generate, public_frame  # noqa: E402
from data.store import Snapshot  # noqa: E402
from features.graph import build_graph  # noqa: E402
from features.pairs import PairContext  # noqa: E402
from matching.cooling import REPLAY_DAYS  # noqa: E402
from matching.diversity import diversify, similarity  # noqa: E402
from matching.engine import Engine  # noqa: E402
from matching.evaluation import ndcg_at  # noqa: E402
from matching.queries import window_queries  # noqa: E402
from service.modeling import prepare, train_ranker  # noqa: E402

K = 10
REACHES = (2, 3, 5)


def dissimilarity(eco, top: np.ndarray) -> float:
    return 1 - float(np.mean([similarity(eco.kind, eco.industries, int(top[i]), top[i + 1:]).mean()
                              for i in range(len(top) - 1)]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    orgs, items, outcomes, members = generate(args.orgs, seed=args.seed)
    prep = prepare(Snapshot(public_frame(orgs), items, outcomes, members),
                   now=max(END, datetime.now(UTC)))
    ranker, _ = train_ranker(prep, seed=0)
    s = prep.split
    print(f"{'split':<11} {'lists':<12} {'queries':>7} {'NDCG@10':>8} {'dissimilarity':>13}"
          f" {'p90 position':>12}")
    for name, day, end in (("validation", s.valid_day, s.split_day), ("test", s.split_day, s.last_day)):
        ctx = PairContext(prep.eco, prep.text, build_graph(prep.eco, day))
        engine = Engine(ctx=ctx, items=prep.items, scorer=ranker, cooling_days=REPLAY_DAYS)
        queries = [q for q in window_queries(prep.eco, day, end) if q.relevant()]
        ranked = [engine.rank(q.asker, theme=q.theme) for q in queries]
        for reach in (None, *REACHES):
            lists, positions = [], []
            for r in ranked:
                top = r.partners[:K] if reach is None else diversify(
                    r.partners, r.score, ctx.eco.kind, ctx.eco.industries, K, reach=reach)
                lists.append(top)
                pos = {int(p): i + 1 for i, p in enumerate(r.partners)}
                positions += [pos[int(p)] for p in top]
            ndcg = np.mean([ndcg_at(t, q.relevant()) for t, q in zip(lists, queries, strict=True)])
            dis = np.mean([dissimilarity(ctx.eco, t) for t in lists if len(t) > 1])
            label = "by score" if reach is None else f"MMR reach {reach}"
            print(f"{name:<11} {label:<12} {len(queries):>7} {ndcg:>8.4f} {dis:>13.3f}"
                  f" {np.percentile(positions, 90):>12.0f}")


if __name__ == "__main__":
    main()
