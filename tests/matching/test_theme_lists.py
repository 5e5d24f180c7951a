"""A theme asked for is met by the organisations that bring it, even those retrieval missed."""

from __future__ import annotations

import dataclasses

from data.themes import THEMES
from features.pairs import THEME_CAPABILITIES, THEME_ROW
from matching.candidates import CandidateConfig


def test_a_themed_list_holds_bearers_of_the_theme_that_retrieval_missed(engine):
    narrow = dataclasses.replace(engine, candidates=CandidateConfig(limit=15, depth=15, per_kind=1))
    eco = narrow.eco
    tried = 0
    for theme in THEMES:
        caps = THEME_CAPABILITIES[THEME_ROW[theme.id]]
        brings = eco.strengths[:, caps].any(axis=1)
        for a in range(0, eco.n, 7):
            found = narrow.rank(a, theme=narrow.theme_code(theme.id)).partners  # retrieval alone
            if brings[found].any() or brings.sum() - brings[a] < 3:
                continue  # retrieval found a bearer already, or there is hardly one to find
            tried += 1
            listed = narrow.suggest(str(eco.ids[a]), k=5, theme=theme.id)
            assert listed and all(s.theme is not None for s in listed)
            assert all(brings[narrow.index_of(s.partner_id)] for s in listed), (theme.id, a)
            break
    assert tried >= 3, "no asker whose retrieval missed a theme's bearers: the test proves nothing"
