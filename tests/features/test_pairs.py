from __future__ import annotations

import numpy as np
import polars as pl

from features import (
    FEATURES,
    SYMMETRIC,
    PairContext,
    build_ecosystem,
    build_graph,
    pair_features,
    to_days,
)
from features.text import build_text_vectors


def _features_at(frames, day: float) -> np.ndarray:
    orgs, items, outcomes, members = frames
    eco = build_ecosystem(orgs, items, outcomes, members)
    ctx = PairContext(eco, build_text_vectors(items, eco.index), build_graph(eco, day))
    rng = np.random.default_rng(0)
    a, b = rng.integers(0, eco.n, 500), rng.integers(0, eco.n, 500)
    return np.nan_to_num(pair_features(ctx, a, b), nan=-1)


def _rewrite_history_after(frames, cut):
    """Every event at or after ``cut`` becomes a contract between shuffled members."""
    orgs, items, outcomes, members = frames
    later = outcomes.filter(pl.col("at") >= cut).select("seq")
    shuffled = members.join(later, on="seq").with_columns(pl.col("org_id").shuffle(seed=1))
    kept = members.join(later, on="seq", how="anti")
    after = pl.col("at") >= cut
    changed = outcomes.with_columns(
        pl.when(after).then(pl.lit("contract")).otherwise(pl.col("stage")).alias("stage"),
        pl.when(after).then(None).otherwise(pl.col("reason")).alias("reason"))
    return orgs, items, changed, pl.concat([kept, shuffled]).sort("seq", "pos")


def test_features_at_t_are_unchanged_by_outcomes_after_t(small_eco):
    cut = small_eco[2]["at"].sort()[int(small_eco[2].height * 0.6)]
    day = to_days(cut)
    rewritten = _rewrite_history_after(small_eco, cut)
    np.testing.assert_array_equal(_features_at(small_eco, day), _features_at(rewritten, day))
    # ... while features a year later do see the rewritten history.
    assert not np.array_equal(_features_at(small_eco, day + 365), _features_at(rewritten, day + 365))


def test_symmetric_features_are_symmetric(small_eco):
    eco = build_ecosystem(*small_eco)
    ctx = PairContext(eco, build_text_vectors(small_eco[1], eco.index),
                      build_graph(eco, float(eco.events.day.max()) + 1))
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, eco.n, 300), rng.integers(0, eco.n, 300)
    ab, ba = pair_features(ctx, a, b), pair_features(ctx, b, a)
    for name in SYMMETRIC:
        i = FEATURES.index(name)
        np.testing.assert_allclose(np.nan_to_num(ab[:, i]), np.nan_to_num(ba[:, i]), rtol=1e-5,
                                   atol=1e-6, err_msg=name)
    # Directional features swap: a's needs against b's strengths is b→a's reverse fit.
    np.testing.assert_allclose(ab[:, FEATURES.index("text_fit_ab")],
                               ba[:, FEATURES.index("text_fit_ba")], rtol=1e-5)
    np.testing.assert_allclose(ab[:, FEATURES.index("tag_cov_ab")],
                               ba[:, FEATURES.index("tag_cov_ba")], rtol=1e-5)


def test_japanese_and_english_texts_both_match(small_eco):
    from features.text import build_text_vectors as build

    items = pl.DataFrame({
        "org_id": ["a", "b", "c", "a", "b", "c"],
        "side": ["need", "strength", "strength", "strength", "need", "need"],
        "pos": [0, 0, 0, 0, 0, 0], "tag": ["ai.vision"] * 6, "tier": ["public"] * 6,
        "text": ["画像認識による外観検査のパートナーを探しています", "画像認識と外観検査の実績があります",
                 "Hydrogen fuel cells for trucks", "AI visual inspection of parts",
                 "Looking for visual inspection AI", "wind power"],
    })
    text = build(items, {"a": 0, "b": 1, "c": 2})
    fit = text.strengths.scores(text.needs.rows([0]))
    assert fit[1] > fit[2]  # Japanese need meets the Japanese strength, not the unrelated one
    fit_en = text.strengths.scores(text.needs.rows([1]))
    assert fit_en[0] > fit_en[2]


def test_reversed_link_scores_equal_a_fresh_walk_from_the_other_side(small_eco):
    from features.graph import reverse_links
    from features.pairs import link_features

    eco = build_ecosystem(*small_eco)
    graph = build_graph(eco, float(eco.events.day.max()) + 1)
    rng = np.random.default_rng(4)
    a = np.full(200, int(np.argmax(graph.degree)))
    b = rng.integers(0, eco.n, 200)
    reversed_ = reverse_links(graph, link_features(graph, a, b), a, b)
    fresh = link_features(graph, b, a)
    for name, values in fresh.items():
        np.testing.assert_allclose(reversed_[name], values, rtol=1e-4, atol=1e-7, err_msg=name)


def test_features_from_the_askers_rows_and_reversed_equal_fresh_ones(small_eco):
    """The engine gathers an asker's features from its retrieval rows and derives the other
    direction from them; both must equal features computed from scratch."""
    from features.pairs import asker_given, asker_rows, reverse_given

    orgs, items, outcomes, members = small_eco
    eco = build_ecosystem(orgs, items, outcomes, members)
    ctx = PairContext(eco, build_text_vectors(items, eco.index),
                      build_graph(eco, float(eco.events.day.max()) + 1))
    asker = int(np.argmax(ctx.graph.degree))
    b = np.setdiff1d(np.arange(eco.n), [asker])
    a = np.full(len(b), asker)
    theme = 0
    fresh_forward = pair_features(ctx, a, b, theme)
    forward = pair_features(ctx, a, b, theme, given=asker_given(ctx.graph, asker_rows(ctx, asker), a, b))
    np.testing.assert_allclose(forward, fresh_forward, rtol=1e-5, atol=1e-6)
    fresh_backward = pair_features(ctx, b, a, theme)
    backward = pair_features(ctx, b, a, theme, given=reverse_given(ctx.graph, forward, a, b))
    for i, name in enumerate(FEATURES):
        np.testing.assert_allclose(backward[:, i], fresh_backward[:, i], rtol=1e-4, atol=1e-6,
                                   err_msg=name)
