from __future__ import annotations

import numpy as np

from features.concepts import is_concept_term
from features.ecosystem import build_ecosystem
from features.text import (
    COMMON_TERM_SHARE,
    asker_text,
    build_text_vectors,
    fit_rows,
    retrieval_rows,
    row_cosine,
)


def _vectors(small_eco):
    orgs, items, outcomes, members = small_eco
    eco = build_ecosystem(orgs, items, outcomes, members)
    return items, build_text_vectors(items, eco.index), eco.n


def test_one_askers_four_text_cosines_equal_the_pairwise_ones(small_eco):
    _, text, n = _vectors(small_eco)
    b = np.arange(1, n)
    a = np.zeros(len(b), dtype=np.int64)
    got = asker_text(text, 0, b)
    pairwise = {  # each pair on its own (the path several askers at once take)
        "text_fit_ab": row_cosine(text.needs, text.strengths, np.append(a, 1), np.append(b, 2))[:-1],
        "text_fit_ba": row_cosine(text.needs, text.strengths, np.append(b, 2), np.append(a, 1))[:-1],
        "text_sim_strengths": row_cosine(text.strengths, text.strengths, np.append(a, 1),
                                         np.append(b, 2))[:-1],
        "text_sim_needs": row_cosine(text.needs, text.needs, np.append(a, 1), np.append(b, 2))[:-1],
    }
    for name, values in pairwise.items():
        np.testing.assert_allclose(got[name], values, atol=1e-6, err_msg=name)


def test_retrieval_leaves_out_only_the_commonest_terms_and_never_a_concept(small_eco):
    items, text, _ = _vectors(small_eco)
    vocabulary = text.vectorizer.vocabulary_
    dropped = [t for t, i in vocabulary.items() if text.specific[i] == 0]
    assert dropped, "the commonest n-grams are left out of retrieval"
    assert not any(is_concept_term(t) for t in dropped)
    counts = text.vectorizer.transform(items["text"].to_list())
    share = np.asarray((counts > 0).mean(axis=0)).ravel()
    kept = [i for t, i in vocabulary.items() if text.specific[i] == 1 and not is_concept_term(t)]
    assert share[[vocabulary[t] for t in dropped]].min() > 0.8 * COMMON_TERM_SHARE
    assert share[kept].max() < 1.25 * COMMON_TERM_SHARE


def test_retrieval_scores_a_query_without_its_common_terms(small_eco):
    _, text, _ = _vectors(small_eco)
    a = 3
    needs = text.needs.rows([a]).toarray().ravel() * text.specific
    strengths = text.strengths.rows([a]).toarray().ravel() * text.specific
    ab, ba = retrieval_rows(text, a)
    np.testing.assert_allclose(ab, text.strengths.base.toarray() @ needs, atol=1e-6)
    np.testing.assert_allclose(ba, text.needs.base.toarray() @ strengths, atol=1e-6)
    exact_ab, _ = fit_rows(text, a)
    assert not np.allclose(ab, exact_ab), "common terms did count in the exact fit"
