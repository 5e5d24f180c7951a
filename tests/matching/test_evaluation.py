from __future__ import annotations

import numpy as np
import pytest

from data.taxonomy import TAG_IDS
from matching.evaluation import ndcg_at, recall_at, reciprocal_rank
from matching.themes import mine_recurring_themes, rank_themes


def test_metrics_on_known_lists():
    ranked = np.array([5, 1, 7, 2])
    assert ndcg_at(ranked, {5}) == pytest.approx(1.0)
    assert ndcg_at(ranked, {1}) == pytest.approx(1 / np.log2(3))
    assert recall_at(ranked, {1, 2, 9}, k=2) == pytest.approx(1 / 2)
    assert recall_at(ranked, {1, 2, 9}, k=50) == pytest.approx(2 / 3)
    assert reciprocal_rank(ranked, {7}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranked, {99}) == 0 and ndcg_at(ranked, set()) == 0


def test_themes_rank_by_covered_capabilities():
    strengths = np.zeros(len(TAG_IDS), bool)
    needs = strengths.copy()
    for t in ("ai.vision", "mfg.quality", "mfg.automation"):
        strengths[TAG_IDS.index(t)] = True
    needs[TAG_IDS.index("mfg.quality")] = True
    top = rank_themes(strengths, needs, k=1)[0]
    assert top.theme_id == "ai-manufacturing-quality" and not top.missing


def test_recurring_themes_are_mined_from_successes(engine):
    mined = mine_recurring_themes(engine.eco)
    assert mined.height > 0 and (mined["support"] >= 3).all()
