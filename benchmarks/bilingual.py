"""Cross-language text matching: recall@10 per language pair on the bilingual known-answer set.

Usage: python benchmarks/bilingual.py [--orgs 2000] [--seed 7] [--extra 1000]

The vectoriser is fitted the way the engine fits it (on the bundled ecosystem's scoring
texts plus the set's own), once with character n-grams alone and once with the concepts
of ``features.concepts`` appended; each need of the set (tests/features/known_answers.py)
ranks a pool of strengths — every subject's in both languages, the distractors and
``--extra`` strength texts of the ecosystem (many of which answer the needs as well, so
they are off by default) — and recall@k says how often its own strength is among the
first k (k = 10, and 3 to separate the representations more).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.generator import generate  # noqa: E402
from features.text import char_ngrams, make_vectorizer  # noqa: E402
from tests.features.known_answers import LANGUAGE_PAIRS, recall_by_pair, strength_pool  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--extra", type=int, default=0)
    args = parser.parse_args()
    _, items, _, _ = generate(args.orgs, seed=args.seed)
    scoring = items.filter(pl.col("tier") != "confidential")
    extra = scoring.filter(pl.col("side") == "strength")["text"].head(args.extra).to_list()
    corpus = scoring["text"].to_list() + strength_pool()
    print(f"pool: {len(strength_pool(extra))} strengths; vectoriser fitted on {len(corpus)} texts")
    print(f"{'representation':<24}{'k':>3}" + "".join(f"{lp:>8}" for lp in LANGUAGE_PAIRS)
          + f"{'cross/same':>12}")
    for name, vectorizer in (("character n-grams", make_vectorizer(analyzer=char_ngrams)),
                             ("n-grams + concepts", make_vectorizer())):
        vectorizer.fit(corpus)
        for k in (10, 3):
            recall = recall_by_pair(vectorizer, extra, k=k)
            same = (recall["ja-ja"] + recall["en-en"]) / 2
            cross = (recall["ja-en"] + recall["en-ja"]) / 2
            print(f"{name:<24}{k:>3}" + "".join(f"{recall[lp]:>8.3f}" for lp in LANGUAGE_PAIRS)
                  + f"{cross / same if same else 0:>12.3f}")


if __name__ == "__main__":
    main()
