"""How sparse the text vectors are, and what a vectoriser's fit and transform cost, with
character n-grams alone and with the bilingual concepts (one weighted column each).

Usage: python benchmarks/text_vectors.py [--orgs 5000] [--seed 11]

Nonzeros per item vector and the sum of squared column lengths (what retrieval's sparse
products walk) are printed beside the times.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.generator import generate  # noqa: E402
from features.text import char_ngrams, make_vectorizer  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    _, items, _, _ = generate(args.orgs, seed=args.seed)
    texts = items["text"].to_list()
    print(f"{len(texts):,} item texts from {args.orgs:,} organisations")
    print("| representation | fit s | transform s | nonzeros per row | product cost (Σ column², millions) |")
    print("|---|---|---|---|---|")
    for name, vectorizer in (("character n-grams", make_vectorizer(analyzer=char_ngrams)),
                             ("n-grams + concepts", make_vectorizer())):
        t = time.perf_counter()
        vectorizer.fit(texts)
        fit = time.perf_counter() - t
        t = time.perf_counter()
        x = vectorizer.transform(texts)
        transform = time.perf_counter() - t
        columns = np.diff(x.tocsc().indptr).astype(np.float64)
        print(f"| {name} | {fit:.2f} | {transform:.2f} | {x.nnz / x.shape[0]:.1f} | "
              f"{(columns ** 2).sum() / 1e6:,.0f} |")


if __name__ == "__main__":
    main()
