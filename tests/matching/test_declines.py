"""Declines mean something: a cooling-off period, the reason as a feature, honest paths."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import numpy as np
import polars as pl
import pytest

from data import frames as F
from data.generator import generate, public_frame
from features.declines import decline_features
from matching.cooling import COOLING_OFF_DAYS
from matching.engine import Engine


@pytest.fixture(scope="module")
def world():
    orgs, items, outcomes, members = generate(400, seed=5)
    return public_frame(orgs), items, outcomes, members


def _steps(outcomes: pl.DataFrame, a: str, b: str, stages: list[str], at, reason: str = "timing"):
    """Outcome and member rows for a pair walking through ``stages`` a day apart."""
    first = int(outcomes["seq"].max()) + 1
    rows = pl.DataFrame({
        "seq": [first + i for i in range(len(stages))],
        "key": [f"t-{a}-{b}-{i}" for i in range(len(stages))],
        "stage": stages,
        "at": [at + timedelta(days=i) for i in range(len(stages))],
        "reason": [reason if s == "declined" else None for s in stages],
        "suggestion_id": [None] * len(stages), "theme": [None] * len(stages),
    }).cast(F.OUTCOME_SCHEMA)
    members = pl.DataFrame({"seq": [s for s in rows["seq"] for _ in (0, 1)],
                            "pos": [p for _ in stages for p in (0, 1)],
                            "org_id": [o for _ in stages for o in (a, b)]}).cast(F.MEMBER_SCHEMA)
    return rows, members


def test_a_declined_pair_is_not_suggested_again_during_the_cooling_off(world):
    orgs, items, outcomes, members = world
    engine = Engine.build(orgs, items, outcomes, members)
    asker = "org-0000003"
    partner = engine.suggest(asker, k=5)[0].partner_id
    at = outcomes["at"].max() - timedelta(days=10)
    rows, mem = _steps(outcomes, asker, partner, ["suggested", "contacted", "declined"], at)
    declined = engine.with_outcomes(rows, mem)
    assert partner not in [s.partner_id for s in declined.suggest(asker, k=50)]
    # The partner does not see the asker either: a decline cools both sides.
    assert asker not in [s.partner_id for s in declined.suggest(partner, k=50)]
    # With the period off, it may come back, and its path says it was only introduced.
    off = dataclasses.replace(declined, cooling_days=0)
    back = {s.partner_id: s for s in off.suggest(asker, k=50)}
    if partner in back:
        path = back[partner].explanation.path
        assert path.relation == "introduced" and path.stage == "declined"
        assert "worked together" not in path.description
    assert COOLING_OFF_DAYS == 180.0


def test_a_later_meeting_ends_the_cooling_off(world):
    orgs, items, outcomes, members = world
    engine = Engine.build(orgs, items, outcomes, members)
    asker = "org-0000003"
    partner = engine.suggest(asker, k=5)[0].partner_id
    at = outcomes["at"].max() - timedelta(days=20)
    rows, mem = _steps(outcomes, asker, partner, ["suggested", "declined", "contacted", "meeting"], at)
    again = engine.with_outcomes(rows, mem)
    assert partner in [s.partner_id for s in again.suggest(asker, k=50)]


def test_worked_together_only_for_pairs_that_reached_poc(world):
    orgs, items, outcomes, members = world
    engine = Engine.build(orgs, items, outcomes, members)
    ev = engine.eco.events
    for a in range(0, 400, 23):
        for s in engine.suggest(str(engine.eco.ids[a]), k=10):
            path = s.explanation.path
            if path is not None and path.relation == "worked_together":
                b = engine.index_of(s.partner_id)
                pair = ((ev.a == a) & (ev.b == b)) | ((ev.a == b) & (ev.b == a))
                assert ev.grade[pair & ~ev.declined].max() >= 4
                assert "worked together" in path.description


def test_nda_declines_weigh_on_pairs_with_the_same_stance(world):
    orgs, items, outcomes, members = world
    engine = Engine.build(orgs, items, outcomes, members)
    eco = engine.eco
    strict = np.flatnonzero(eco.nda == 2)
    asker = 0
    at = outcomes["at"].max() - timedelta(days=30)
    rows, mem = _steps(outcomes, str(eco.ids[asker]), str(eco.ids[strict[0]]),
                       ["suggested", "declined"], at, reason="nda_terms")
    after = engine.with_outcomes(rows, mem)
    same = decline_features(after.eco, after.ctx.graph, np.array([asker]), strict[1:2])
    other = decline_features(after.eco, after.ctx.graph, np.array([asker]),
                             np.flatnonzero(eco.nda == 0)[:1])
    assert same["nda_declines_a"][0] > 0 and other["nda_declines_a"][0] == 0
