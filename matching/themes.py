"""Co-creation themes: which catalogue themes a pair or team could take on, and which
themes recur in successful outcomes."""

from __future__ import annotations

import numpy as np
import polars as pl

from data.records import ThemeCoverage, ThemeSuggestion
from data.taxonomy import TAG_IDS
from data.themes import THEMES
from features.ecosystem import Ecosystem
from features.pairs import THEME_ANSWERS, THEME_CAPABILITIES, THEME_ROW, theme_fit

_TAGS = np.array(TAG_IDS)


def rank_themes(strengths: np.ndarray, needs: np.ndarray, k: int = 3,
                min_score: float = 0.25) -> list[ThemeSuggestion]:
    """Themes for a group whose joint tag sets are ``strengths`` and ``needs`` (bool vectors)."""
    scores = theme_fit(strengths[None, :], needs[None, :])[0]
    out = []
    for i in np.argsort(-scores, kind="stable")[:k]:
        if scores[i] < min_score:
            break
        theme, caps = THEMES[i], THEME_CAPABILITIES[i]
        out.append(ThemeSuggestion(
            theme_id=theme.id, en=theme.en, ja=theme.ja, score=round(float(scores[i]), 4),
            covered=tuple(str(t) for t in _TAGS[caps & strengths]),
            missing=tuple(str(t) for t in _TAGS[caps & ~strengths])))
    return out


THEME_TILT = 1.0  # how far a theme lifts a partner that brings all of it (score × up to 2, then ÷ 2)


def theme_fit_of(theme_id: str, a_strengths: np.ndarray, a_needs: np.ndarray,
                 b_strengths: np.ndarray, b_needs: np.ndarray) -> np.ndarray:
    """Per partner (rows of ``b_*``), 0..1: the share of the theme's capabilities the partner
    brings that the asker lacks (what it adds), with a quarter for the theme answering a
    need of either side. ``a_*``: the asker's tag vectors; ``b_*``: partners × tags."""
    caps, answers = THEME_CAPABILITIES[THEME_ROW[theme_id]], THEME_ANSWERS[THEME_ROW[theme_id]]
    brings = (b_strengths & caps).sum(axis=1) / caps.sum()
    adds = (b_strengths & caps & ~a_strengths).sum(axis=1) / caps.sum()
    answered = ((b_needs | a_needs) & answers).any(axis=1)
    return (0.45 * brings + 0.3 * adds + 0.25 * answered).astype(np.float64)


def theme_coverage(theme_id: str, fit: float, a_needs: np.ndarray, b_strengths: np.ndarray,
                   b_needs: np.ndarray) -> ThemeCoverage:
    """How one partner covers the theme, from the tags the viewer may see."""
    caps, answers = THEME_CAPABILITIES[THEME_ROW[theme_id]], THEME_ANSWERS[THEME_ROW[theme_id]]
    return ThemeCoverage(theme_id=theme_id, fit=round(float(fit), 4),
                         covered=tuple(str(t) for t in _TAGS[caps & b_strengths]),
                         answers=tuple(str(t) for t in _TAGS[answers & (a_needs | b_needs)]))


def mine_recurring_themes(eco: Ecosystem, *, min_grade: int = 5, top: int = 10) -> pl.DataFrame:
    """Strength-tag pairs that recur in successful pairs more than chance (lift), with support."""
    ev = eco.events
    won = (ev.grade >= min_grade) & ~ev.declined
    if not won.any():
        return pl.DataFrame(schema={"tag_a": pl.String, "tag_b": pl.String, "support": pl.Int64,
                                    "lift": pl.Float64})
    sa = eco.strengths[ev.a[won]].astype(np.float32)
    sb = eco.strengths[ev.b[won]].astype(np.float32)
    joint = sa.T @ sb + sb.T @ sa  # co-occurrence of (tag of one side, tag of the other)
    joint = np.triu(joint + joint.T) / 2
    base = eco.strengths.mean(axis=0)
    expected = np.outer(base, base) * 2 * won.sum()
    lift = np.divide(joint, expected, out=np.zeros_like(joint), where=expected > 0)
    i, j = np.nonzero(joint >= 3)
    frame = pl.DataFrame({"tag_a": _TAGS[i], "tag_b": _TAGS[j], "support": joint[i, j].astype(np.int64),
                          "lift": lift[i, j].astype(np.float64)})
    return frame.sort(["lift", "support"], descending=True).head(top)
