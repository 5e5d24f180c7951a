"""Text vectors of needs and strengths, for Japanese and English alike.

Character n-grams (``char_wb``, 2–3) need no tokenizer, so one vectoriser reads
Japanese and English. An organisation's side vector is the L2-normalised sum of its
items' vectors; only tiers that may shape a score are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from features.ecosystem import SCORING_TIERS


def make_vectorizer() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), min_df=2, max_features=200_000,
                           sublinear_tf=True, dtype=np.float32)


@dataclass(frozen=True)
class TextVectors:
    vectorizer: TfidfVectorizer | None
    strengths: sp.csr_matrix  # n × V, rows L2-normalised (zero rows for no text)
    needs: sp.csr_matrix
    strengths_t: sp.csr_matrix  # V × n, kept as CSR: q @ XT is the fast layout
    needs_t: sp.csr_matrix
    items: sp.csr_matrix  # one normalised row per row of the items frame (all tiers, for quoting)

    def encode(self, texts: list[str]) -> sp.csr_matrix:
        """Vectors of free texts (e.g. a consortium need), L2-normalised."""
        if self.vectorizer is None or not texts:
            return sp.csr_matrix((len(texts), self.strengths.shape[1]), dtype=np.float32)
        return normalize(self.vectorizer.transform(texts)).astype(np.float32)


FIT_SAMPLE = 200_000  # texts the vocabulary and weights are learned from
CHUNK = 100_000  # texts vectorised at a time


def _transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """Vectors of many texts, a chunk at a time: the raw counts of all at once would not fit."""
    parts = [vectorizer.transform(texts[i:i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    return sp.vstack(parts, format="csr") if parts else vectorizer.transform([])


def _fit(texts: list[str]) -> TfidfVectorizer:
    """A vectoriser learned from the texts, or from a fixed sample of them when there are many:
    character n-grams and their document frequencies settle long before a million texts."""
    if len(texts) > FIT_SAMPLE:
        pick = np.random.default_rng(0).choice(len(texts), FIT_SAMPLE, replace=False)
        texts = [texts[i] for i in np.sort(pick)]
    vectorizer = make_vectorizer()
    try:
        return vectorizer.fit(texts)
    except ValueError:  # too few distinct n-grams (tiny ecosystems)
        return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), dtype=np.float32).fit(texts)


def build_text_vectors(items: pl.DataFrame, index: dict[str, int]) -> TextVectors:
    n = len(index)
    usable = items.filter(pl.col("tier").is_in(SCORING_TIERS))
    texts = usable["text"].to_list()
    if len(texts) < 2:
        empty = sp.csr_matrix((n, 1), dtype=np.float32)
        return TextVectors(None, empty, empty, empty.T.tocsr(), empty.T.tocsr(),
                           sp.csr_matrix((items.height, 1), dtype=np.float32))
    vectorizer = _fit(texts)
    x = _transform(vectorizer, texts)
    del texts
    org = np.array([index.get(o, -1) for o in usable["org_id"].to_list()])
    sides = usable["side"].to_numpy()
    out = {}
    for side in ("strength", "need"):
        keep = (sides == side) & (org >= 0)
        rows = np.flatnonzero(keep)
        pool = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (org[rows], np.arange(len(rows)))),
                             shape=(n, len(rows)))
        out[side] = normalize(pool @ x[rows]).astype(np.float32).tocsr()
        # Canonical order within rows: products then sum in the same order however the
        # vectors were built, so features (and the model trained on them) are reproducible.
        out[side].sort_indices()
    del x
    # Confidential texts are vectorised for their owner's explanations only: the vocabulary
    # and weights above were learned without them.
    every_item = normalize(_transform(vectorizer, items["text"].to_list())).astype(np.float32).tocsr()
    return TextVectors(vectorizer, out["strength"], out["need"], out["strength"].T.tocsr(),
                       out["need"].T.tocsr(), every_item)


def fit_rows(text: TextVectors, a: int) -> tuple[np.ndarray, np.ndarray]:
    """``a``'s needs against everyone's strengths, and everyone's needs against ``a``'s strengths
    (two cosines per organisation, as dense float32 rows)."""
    if text.strengths.shape[1] <= 1:
        zeros = np.zeros(text.strengths.shape[0], dtype=np.float32)
        return zeros, zeros
    return ((text.needs[a] @ text.strengths_t).toarray().ravel().astype(np.float32, copy=False),
            (text.strengths[a] @ text.needs_t).toarray().ravel().astype(np.float32, copy=False))


def row_cosine(left: sp.csr_matrix, right: sp.csr_matrix, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """cos(left[a_i], right[b_i]) for each pair i (rows are already normalised)."""
    if left.shape[1] <= 1 or len(a) == 0:
        return np.zeros(len(a), dtype=np.float32)
    # One asker against many (the serving case): one sparse product instead of two gathers.
    if (a == a[0]).all():
        return (right[b] @ left[int(a[0])].T).toarray().ravel().astype(np.float32)
    if (b == b[0]).all():
        return (left[a] @ right[int(b[0])].T).toarray().ravel().astype(np.float32)
    return np.asarray(left[a].multiply(right[b]).sum(axis=1)).ravel().astype(np.float32)
