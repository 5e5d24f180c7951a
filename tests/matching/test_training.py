from __future__ import annotations

import numpy as np

from features.pairs import FEATURES
from matching.training import ASKER_HISTORY, _with_cold_copies

REPEAT = FEATURES.index("repeat")


def _queries():
    """Two queries of four candidates: the first partner of each was worked with before."""
    rng = np.random.default_rng(1)
    x = rng.random((8, len(FEATURES))).astype(np.float32) + 0.1
    x[[1, 2, 3, 5, 6, 7], REPEAT] = 0.0
    y = np.array([5, 3, 0, 0, 5, 0, 0, 4], dtype=np.int32)
    return x, y, np.array([4, 4])


def test_cold_copies_look_like_a_newcomers_query():
    x, y, group = _queries()
    cx, cy, cg = _with_cold_copies(x, y, group, 1.0, np.random.default_rng(0))
    assert np.array_equal(cx[:8], x) and np.array_equal(cy[:8], y)  # originals untouched
    copies, labels = cx[8:], cy[8:]
    # No earlier partner survives in a copy, and nothing of the asker's history does.
    assert (copies[:, REPEAT] == 0).all()
    assert (copies[:, [FEATURES.index(f) for f in ASKER_HISTORY]] == 0).all()
    assert labels.tolist() == [3, 0, 0, 0, 0, 4]
    assert cg.tolist() == [4, 4, 3, 3] and cg.sum() == len(cx)


def test_a_copy_left_with_one_label_is_dropped():
    x, y, group = _queries()
    y[1] = 0  # the first query's only other positive was the earlier partner
    cx, cy, cg = _with_cold_copies(x, y, group, 1.0, np.random.default_rng(0))
    assert cg.tolist() == [4, 4, 3] and len(cx) == 11


def test_training_rows_hold_only_what_retrieval_hands_the_ranker(engine):
    """A true partner retrieval missed never reaches the ranker when it answers, so it is not
    a training row either (it would teach features of organisations the ranker never sees)."""
    from matching.candidates import CandidateConfig, candidates_for
    from matching.queries import Query
    from matching.training import training_rows

    ctx = engine.ctx
    config = CandidateConfig(limit=20, depth=20, per_kind=0)
    asker = int(np.argmax(ctx.graph.degree))
    cands = candidates_for(ctx, asker, config=config)
    missed = next(b for b in range(ctx.eco.n) if b != asker and b not in set(cands.tolist()))
    query = Query(asker=asker, day=ctx.graph.day, theme=-1,
                  truth={int(cands[3]): 5, missed: 5})
    made = training_rows(ctx, [query], config=config)
    assert made.group.tolist() == [len(cands)]
    assert sorted(made.y.tolist()) == [0] * (len(cands) - 1) + [5]
    assert made.candidate_recall == 0.5


def test_a_newcomer_copy_blanks_everything_a_real_newcomer_lacks(engine):
    """A feature that is zero for every real newcomer but not for askers with history reads
    the asker's history: a copy that kept it would teach the ranker a signal no newcomer has."""
    from features.pairs import pair_features

    ctx = engine.ctx
    degree = ctx.graph.degree

    def always_zero(askers) -> set[str]:
        rows = [pair_features(ctx, np.full(ctx.eco.n - 1, a), np.delete(np.arange(ctx.eco.n), a))
                for a in askers]
        x = np.nan_to_num(np.concatenate(rows))
        return {f for i, f in enumerate(FEATURES) if not x[:, i].any()}

    newcomers = np.flatnonzero(degree == 0)[:5]
    established = np.argsort(-degree)[:5]
    assert len(newcomers) == 5
    lacking = always_zero(newcomers) - always_zero(established)
    assert "theme_profile_sim" in lacking
    assert lacking <= set(ASKER_HISTORY)
