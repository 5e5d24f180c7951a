"""Text vectors of needs and strengths, for Japanese and English alike.

Character n-grams (``char_wb``, 2–3) need no tokenizer, so one vectoriser reads
Japanese and English; the concepts a text names (``features.concepts``: the bilingual
taxonomy and a glossary) are counted beside the n-grams, one weighted term each, so a
Japanese need and an English strength on one subject share terms. An organisation's side
vector is the L2-normalised sum of its items' vectors; only tiers that may shape a score
are used.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from features.concepts import CONCEPT_WEIGHT, concept_terms, concepts_of, is_concept_term
from features.ecosystem import SCORING_TIERS


def char_ngrams(text: str) -> list[str]:
    """Character 2- and 3-grams inside words, padded with a space at each end: what
    scikit-learn's ``char_wb`` analyser yields, in a list comprehension."""
    out: list[str] = []
    for word in text.lower().split():
        w = f" {word} "
        out += [w[i:i + 2] for i in range(len(w) - 1)]
        out += [w[i:i + 3] for i in range(len(w) - 2)]
    return out


def text_terms(text: str) -> list[str]:
    """What the vectoriser counts: the text's character n-grams and the concepts it names."""
    return char_ngrams(text) + concept_terms(concepts_of(text))


class ConceptVectorizer(TfidfVectorizer):
    """TF-IDF over ``text_terms`` whose concept columns weigh ``CONCEPT_WEIGHT`` times
    their idf before each row is L2-normalised."""

    def _weighted(self, x: sp.csr_matrix) -> sp.csr_matrix:
        # The column weights follow the vocabulary: found once per vocabulary, not per call
        # (a registration's transform would otherwise walk every term).
        if self.__dict__.get("_weights_of") is not self.vocabulary_:
            weight = np.ones(len(self.vocabulary_), dtype=np.float32)
            weight[concept_columns(self.vocabulary_)] = CONCEPT_WEIGHT
            self._weights, self._weights_of = sp.diags(weight, format="csr"), self.vocabulary_
        return normalize(x @ self._weights).astype(self.dtype)

    def fit_transform(self, raw_documents, y=None):
        return self._weighted(super().fit_transform(raw_documents, y))

    def transform(self, raw_documents):
        return self._weighted(super().transform(raw_documents))


def concept_columns(vocabulary: dict[str, int]) -> list[int]:
    """The columns of a vocabulary that hold concepts, not n-grams."""
    return [i for term, i in vocabulary.items() if is_concept_term(term)]


def make_vectorizer(**overrides) -> TfidfVectorizer:
    """``analyzer=char_ngrams`` gives character n-grams alone (no shared concepts)."""
    params = {"analyzer": text_terms, "min_df": 2, "max_features": 200_000,
              "sublinear_tf": True, "dtype": np.float32, "norm": None}
    return ConceptVectorizer(**{**params, **overrides})


@dataclass(frozen=True)
class RowMatrix:
    """Vectors by row (one per organisation, or one per item): a base built in bulk plus
    the rows changed or added since, so a change costs its own rows, not a rebuild."""

    base: sp.csr_matrix  # rows as built (n_base × V)
    base_t: sp.csr_matrix | None  # the base transposed, kept as CSR: q @ XT is the fast layout
    delta: sp.csr_matrix  # rows changed or added since (d × V)
    delta_of: np.ndarray  # int64: the row each delta row stands for
    slot: np.ndarray  # int64 per row: its row in ``delta``, -1 where the base holds it

    @classmethod
    def of(cls, base: sp.csr_matrix, *, transposed: bool) -> RowMatrix:
        base = base.tocsr()
        return cls(base, base.T.tocsr() if transposed else None,
                   sp.csr_matrix((0, base.shape[1]), dtype=np.float32), np.empty(0, np.int64),
                   np.full(base.shape[0], -1, dtype=np.int64))

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.slot), self.base.shape[1]

    def rows(self, idx: np.ndarray | list[int]) -> sp.csr_matrix:
        idx = np.asarray(idx, dtype=np.int64)
        slot = self.slot[idx]
        changed = slot >= 0
        if not changed.any():
            return self.base[idx]
        if changed.all():
            return self.delta[slot]
        stacked = sp.vstack([self.base[idx[~changed]], self.delta[slot[changed]]], format="csr")
        order = np.concatenate([np.flatnonzero(~changed), np.flatnonzero(changed)])
        back = np.empty_like(order)
        back[order] = np.arange(len(order))
        return stacked[back]

    def scores(self, q: sp.csr_matrix) -> np.ndarray:
        """``q`` (1 × V) against every row, as a dense float32 vector."""
        out = np.zeros(len(self.slot), dtype=np.float32)
        if self.base.shape[0] and self.base_t is not None and q.nnz:
            # The postings of q's terms summed by bincount: one pass, where a sparse product
            # makes two (sizing, then filling) and leaves a sparse result to densify.
            t = self.base_t
            starts, ends = t.indptr[q.indices], t.indptr[q.indices + 1]
            rows = np.concatenate([t.indices[s:e] for s, e in zip(starts, ends, strict=True)])
            weights = np.concatenate([t.data[s:e] * w for s, e, w in zip(starts, ends, q.data, strict=True)])
            out[: self.base.shape[0]] = np.bincount(rows, weights=weights, minlength=self.base.shape[0])
        if len(self.delta_of):
            out[self.delta_of] = (self.delta @ q.T).toarray().ravel()
        return out

    def with_rows(self, idx: np.ndarray, vectors: sp.csr_matrix, n: int) -> RowMatrix:
        """These rows replaced (or added, up to ``n`` rows in all) by ``vectors``."""
        idx = np.asarray(idx, dtype=np.int64)
        keep = np.ones(len(self.delta_of), dtype=bool)
        old = self.slot[idx[idx < len(self.slot)]]
        keep[old[old >= 0]] = False
        delta = sp.vstack([self.delta[keep], vectors.astype(np.float32)], format="csr")
        delta.sort_indices()
        delta_of = np.concatenate([self.delta_of[keep], idx])
        slot = np.full(n, -1, dtype=np.int64)
        slot[delta_of] = np.arange(len(delta_of))
        return RowMatrix(self.base, self.base_t, delta, delta_of, slot)

    def nbytes(self) -> int:
        parts = [self.base, self.delta] + ([self.base_t] if self.base_t is not None else [])
        return sum(m.data.nbytes + m.indices.nbytes + m.indptr.nbytes for m in parts)


# Terms found in more than this share of texts (the commonest n-grams: " th", "ing", "の")
# tie almost everyone to everyone: retrieval leaves them out, so its text products walk a
# fraction of the postings, while the text fit scored for each candidate keeps them.
COMMON_TERM_SHARE = 0.03


def specific_terms(vectorizer: TfidfVectorizer) -> np.ndarray:
    """Per term, 1.0 where retrieval reads it: all but the commonest n-grams (by the idf
    the vectoriser learned, so every process agrees); concepts always."""
    # scikit-learn's smooth idf is ln((1 + n) / (1 + df)) + 1, so a share s of the texts
    # has an idf of about 1 - ln(s).
    keep = np.asarray(vectorizer.idf_) >= 1 - np.log(COMMON_TERM_SHARE)
    keep[concept_columns(vectorizer.vocabulary_)] = True
    return keep.astype(np.float32)


@dataclass(frozen=True)
class TextVectors:
    vectorizer: TfidfVectorizer | None
    strengths: RowMatrix  # n × V, rows L2-normalised (zero rows for no text)
    needs: RowMatrix
    items: RowMatrix  # one normalised row per item (all tiers, for quoting); see ItemTable.row
    specific: np.ndarray | None = None  # ``specific_terms`` of the vectoriser

    def encode(self, texts: list[str]) -> sp.csr_matrix:
        """Vectors of free texts (e.g. a consortium need), L2-normalised."""
        if self.vectorizer is None or not texts:
            return sp.csr_matrix((len(texts), self.strengths.shape[1]), dtype=np.float32)
        return normalize(self.vectorizer.transform(texts)).astype(np.float32)

    def with_organizations(self, orgs: np.ndarray, items: pl.DataFrame, item_rows: np.ndarray,
                           n: int) -> TextVectors:
        """Vectors with these organisations' rows replaced or added (``n`` organisations in all).

        ``items``: every item of those organisations (column ``org`` holds each one's index);
        ``item_rows``: the rows their vectors take in ``items``. The vectoriser stays as it
        was fitted: terms it has not seen are simply unknown until the next reindex.
        """
        every_item = (self.encode(items["text"].to_list()) if len(item_rows)
                      else sp.csr_matrix((0, self.items.shape[1]), dtype=np.float32))
        sides = side_vectors(every_item, items, orgs, self.vectorizer is not None)
        total_items = max(self.items.shape[0], int(item_rows.max(initial=-1)) + 1)
        return TextVectors(self.vectorizer,
                           self.strengths.with_rows(orgs, sides["strength"], n),
                           self.needs.with_rows(orgs, sides["need"], n),
                           self.items.with_rows(item_rows, every_item, total_items), self.specific)


def side_vectors(x: sp.csr_matrix, items: pl.DataFrame, orgs: np.ndarray,
                 has_text: bool) -> dict[str, sp.csr_matrix]:
    """One strength and one need row per organisation of ``orgs``: the L2-normalised sum of
    its items' vectors (rows of ``x``, one per row of ``items``) in tiers that may shape a score."""
    position = {int(o): i for i, o in enumerate(orgs)}
    org = np.array([position.get(int(o), -1) for o in items["org"].to_list()], dtype=np.int64)
    usable = items["tier"].is_in(SCORING_TIERS).to_numpy() & (org >= 0)
    side = items["side"].to_numpy()
    out = {}
    for name in ("strength", "need"):
        rows = np.flatnonzero(usable & (side == name))
        if not has_text:
            out[name] = sp.csr_matrix((len(orgs), x.shape[1]), dtype=np.float32)
            continue
        pool = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (org[rows], np.arange(len(rows)))),
                             shape=(len(orgs), len(rows)))
        out[name] = normalize(pool @ x[rows]).astype(np.float32).tocsr()
        # Canonical order within rows: products then sum in the same order however the
        # vectors were built, so features (and the model trained on them) are reproducible.
        out[name].sort_indices()
    return out


FIT_SAMPLE = 200_000  # texts the vocabulary and weights are learned from
CHUNK = 100_000  # texts vectorised at a time


def _transform(vectorizer: TfidfVectorizer, texts: list[str]) -> sp.csr_matrix:
    """Vectors of many texts, a chunk at a time: the raw counts of all at once would not fit."""
    parts = [vectorizer.transform(texts[i:i + CHUNK]) for i in range(0, len(texts), CHUNK)]
    return sp.vstack(parts, format="csr") if parts else vectorizer.transform([])


def fit_vectorizer(items: pl.DataFrame) -> TfidfVectorizer | None:
    """A vectoriser learned from the texts that may shape a score (confidential ones never
    do), from a fixed sample of them when there are many: character n-grams and their
    document frequencies settle long before a million texts. None with too few texts."""
    texts = items.filter(pl.col("tier").is_in(SCORING_TIERS))["text"].to_list()
    if len(texts) < 2:
        return None
    if len(texts) > FIT_SAMPLE:
        pick = np.random.default_rng(0).choice(len(texts), FIT_SAMPLE, replace=False)
        texts = [texts[i] for i in np.sort(pick)]
    vectorizer = make_vectorizer()
    try:
        return vectorizer.fit(texts)
    except ValueError:  # too few distinct n-grams (tiny ecosystems)
        return make_vectorizer(min_df=1, max_features=None, sublinear_tf=False).fit(texts)


def vectorizer_state(vectorizer: TfidfVectorizer) -> tuple[list[str], np.ndarray]:
    """A fitted vectoriser as data: its terms in column order and their idf weights."""
    terms = [""] * len(vectorizer.vocabulary_)
    for term, column in vectorizer.vocabulary_.items():
        terms[column] = term
    return terms, np.asarray(vectorizer.idf_, dtype=np.float64)


def speaks_today(terms: list[str]) -> bool:
    """Whether a stored vocabulary is one ``text_terms`` writes: concepts were once code
    words of two private-use characters, read as n-grams, which today's texts never yield."""
    return not any(len(t) > 1 and any("\ue000" <= ch <= "\uf8ff" for ch in t) for t in terms)


def vectorizer_from(terms: list[str], idf: np.ndarray) -> TfidfVectorizer:
    """The vectoriser ``vectorizer_state`` describes: transforms exactly as the fitted one."""
    vectorizer = make_vectorizer()
    vectorizer.vocabulary_ = {term: i for i, term in enumerate(terms)}
    vectorizer.idf_ = np.asarray(idf, dtype=np.float32)
    return vectorizer


def build_text_vectors(items: pl.DataFrame, index: dict[str, int],
                       vectorizer: TfidfVectorizer | None | bool = True) -> TextVectors:
    """Every organisation's side vectors and every item's vector.

    ``vectorizer``: True to learn one from these items (``fit_vectorizer``), or a fitted
    one to use as it is (every serving process shares the store's).
    """
    n = len(index)
    if vectorizer is True:
        vectorizer = fit_vectorizer(items)
    frame = items.with_columns(org=pl.col("org_id").replace_strict(index, default=-1,
                                                                   return_dtype=pl.Int64))
    if vectorizer is None or vectorizer is False:
        empty = sp.csr_matrix((n, 1), dtype=np.float32)
        return TextVectors(None, RowMatrix.of(empty, transposed=True), RowMatrix.of(empty, transposed=True),
                           RowMatrix.of(sp.csr_matrix((items.height, 1), dtype=np.float32),
                                        transposed=False))
    # Confidential texts are vectorised for their owner's explanations only: the vocabulary
    # and weights were learned without them, and side vectors leave them out.
    every_item = normalize(_transform(vectorizer, items["text"].to_list())).astype(np.float32).tocsr()
    sides = side_vectors(every_item, frame, np.arange(n), True)
    return TextVectors(vectorizer, RowMatrix.of(sides["strength"], transposed=True),
                       RowMatrix.of(sides["need"], transposed=True),
                       RowMatrix.of(every_item, transposed=False), specific_terms(vectorizer))


def fit_rows(text: TextVectors, a: int, terms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``a``'s needs against everyone's strengths, and everyone's needs against ``a``'s strengths
    (two cosines per organisation, as dense float32 rows). ``terms``: a weight per term that
    ``a``'s side is read with (e.g. ``specific_terms``; default: every term as it is)."""
    if text.strengths.shape[1] <= 1:
        zeros = np.zeros(text.strengths.shape[0], dtype=np.float32)
        return zeros, zeros

    def query(side: RowMatrix) -> sp.csr_matrix:
        q = side.rows([a])
        if terms is not None:
            q.data *= terms[q.indices]
            q.eliminate_zeros()
        return q

    return text.strengths.scores(query(text.needs)), text.needs.scores(query(text.strengths))


def retrieval_rows(text: TextVectors, a: int) -> tuple[np.ndarray, np.ndarray]:
    """``fit_rows`` over the specific terms only: what retrieval ranks by (the text fit of
    the candidates it hands on is scored in full)."""
    return fit_rows(text, a, text.specific)


def asker_text(text: TextVectors, a: int, b: np.ndarray) -> dict[str, np.ndarray]:
    """The four text cosines of one asker against many partners, from one gather of the
    partners' rows per side: a's needs and strengths against b's strengths and needs."""
    if text.strengths.shape[1] <= 1:
        zeros = np.zeros(len(b), dtype=np.float32)
        return dict.fromkeys(("text_fit_ab", "text_fit_ba", "text_sim_strengths", "text_sim_needs"), zeros)
    asker = np.zeros((text.strengths.shape[1], 2), dtype=np.float32)
    for j, side in enumerate((text.needs, text.strengths)):
        q = side.rows([a])
        asker[q.indices, j] = q.data
    by_strength = text.strengths.rows(b) @ asker
    by_need = text.needs.rows(b) @ asker
    return {"text_fit_ab": by_strength[:, 0], "text_sim_strengths": by_strength[:, 1],
            "text_sim_needs": by_need[:, 0], "text_fit_ba": by_need[:, 1]}


def _rows(matrix: RowMatrix | sp.csr_matrix, idx: np.ndarray) -> sp.csr_matrix:
    return matrix.rows(idx) if isinstance(matrix, RowMatrix) else matrix[idx]


def row_cosine(left: RowMatrix | sp.csr_matrix, right: RowMatrix | sp.csr_matrix, a: np.ndarray,
               b: np.ndarray) -> np.ndarray:
    """cos(left[a_i], right[b_i]) for each pair i (rows are already normalised)."""
    if left.shape[1] <= 1 or len(a) == 0:
        return np.zeros(len(a), dtype=np.float32)
    # One asker against many (the serving case): one sparse product instead of two gathers.
    if (a == a[0]).all():
        return (_rows(right, b) @ _rows(left, a[:1]).T).toarray().ravel().astype(np.float32)
    if (b == b[0]).all():
        return (_rows(left, a) @ _rows(right, b[:1]).T).toarray().ravel().astype(np.float32)
    return np.asarray(_rows(left, a).multiply(_rows(right, b)).sum(axis=1)).ravel().astype(np.float32)
