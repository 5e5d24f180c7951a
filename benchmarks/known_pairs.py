"""Known-answer ranking cases: where each complementary newcomer lands in the other's list.

Usage: python benchmarks/known_pairs.py [--train | --db var/kyoso.db --version V]

Inserts the cases of tests/matching/known_pairs.py (a town in Ishikawa and an EV-cart
startup, an AI startup and a factory, a university and a city) into the bundled ecosystem
(2,000 organisations, seed 7) and prints, for both modes and both directions, the
partner's place in the shown (diversified) top 5 — or "-" — and by score alone. With
``--train`` the ranker is trained on that store as ``kyoso train`` trains it (what the slow
test in tests/matching/test_known_pairs.py does); with ``--db`` and ``--version`` it is that
registered model; without either, the heuristic scorer.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.generator import END  # noqa: E402
from data.records import MATCH_MODES  # noqa: E402
from data.store import Snapshot  # noqa: E402
from matching.engine import Engine  # noqa: E402
from tests.matching.known_pairs import PAIRS, bundled_with_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--db")
    parser.add_argument("--version")
    args = parser.parse_args()
    snapshot = Snapshot(*bundled_with_cases())
    scorer, name = None, "heuristic"
    if args.train:
        from service.modeling import prepare, train_ranker

        scorer, _ = train_ranker(prepare(snapshot, now=END), seed=0)
        name = f"trained here (cold weight {scorer.cold_weight_:.2f})"
    elif args.db and args.version:
        from data.registry import Registry
        from data.store import Store
        from service.verify import verified_ranker

        scorer, name = verified_ranker(Registry(Store(args.db)), args.version), args.version
    engine = Engine.build(snapshot.organizations, snapshot.items, snapshot.outcomes,
                          snapshot.members, scorer=scorer)
    print(f"scorer: {name}")
    print(f"{'mode':<14} {'asker':<11} {'partner':<11} {'shown top 5':>11} {'by score':>9}")
    for mode in MATCH_MODES:
        for a, b in PAIRS:
            for x, y in ((a, b), (b, a)):
                shown = [s.partner_id for s in engine.suggest(x, k=5, mode=mode)]
                ranked = [s.partner_id for s in engine.suggest(x, k=50, mode=mode, diverse=False)]
                place = shown.index(y) + 1 if y in shown else "-"
                by_score = ranked.index(y) + 1 if y in ranked else ">50"
                print(f"{mode:<14} {x:<11} {y:<11} {place!s:>11} {by_score!s:>9}")


if __name__ == "__main__":
    main()
