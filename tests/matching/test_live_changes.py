"""A serving engine changed live agrees with one built afresh from the same data."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import polars as pl

from data.generator import generate, public_frame
from matching.engine import Engine

NEWCOMERS = 12


def frames():
    orgs, items, outcomes, members = generate(300, seed=11)
    return public_frame(orgs), items, outcomes, members


def lists(engine: Engine, askers: list[str]) -> dict[str, list[tuple[str, float]]]:
    return {a: [(s.partner_id, round(s.score, 5)) for s in engine.suggest(a, k=10)] for a in askers}


def test_registrations_updates_and_outcomes_applied_live_equal_a_fresh_build():
    orgs, items, outcomes, members = frames()
    # The newest registrants and the latest outcomes arrive after the engine was built.
    order = orgs.sort("registered_at")
    late = order["id"].tail(NEWCOMERS).to_list()
    early_orgs = orgs.filter(~pl.col("id").is_in(late))
    late_outcomes = outcomes.sort("seq").tail(40)["seq"].to_list()
    touching_late = members.filter(pl.col("org_id").is_in(late))["seq"].unique().to_list()
    held = set(late_outcomes) | set(touching_late)
    base = Engine.build(early_orgs, items.filter(~pl.col("org_id").is_in(late)),
                        outcomes.filter(~pl.col("seq").is_in(held)),
                        members.filter(~pl.col("seq").is_in(held)))
    live = base
    for org_id in late:  # one registration at a time, as the API applies them
        live = live.with_organizations(orgs.filter(pl.col("id") == org_id),
                                       items.filter(pl.col("org_id") == org_id))
    # Two profile updates: new texts for an old organisation and for a newcomer.
    changed = [early_orgs["id"][5], late[0]]
    new_items = items.filter(pl.col("org_id").is_in(changed)).with_columns(
        text=pl.col("text") + " 低速モビリティの実証 low-speed mobility pilots")
    items = pl.concat([items.filter(~pl.col("org_id").is_in(changed)), new_items])
    live = live.with_organizations(orgs.filter(pl.col("id").is_in(changed)).sort(
        pl.col("id").is_in(late)), new_items)
    held_outcomes = outcomes.filter(pl.col("seq").is_in(held))
    live = live.with_outcomes(held_outcomes, members.filter(pl.col("seq").is_in(held)))

    # A fresh build over the same data, registration order kept, same vectoriser.
    ordered = pl.concat([early_orgs, orgs.filter(pl.col("id").is_in(late)).sort(
        pl.col("id").map_elements(late.index, return_dtype=pl.Int64))])
    fresh = Engine.build(ordered, items, outcomes, members, vectorizer=base.ctx.text.vectorizer)
    assert fresh.ctx.graph.day == live.ctx.graph.day
    askers = [*late[:4], *changed, *early_orgs["id"].sample(6, seed=1).to_list()]
    assert lists(live, askers) == lists(fresh, askers)
    # Newcomers are findable in others' lists too: the same candidates a fresh build gives.
    everyone = {p for found in lists(live, early_orgs["id"].to_list()[:60]).values() for p, _ in found}
    assert everyone & set(late)


def test_a_newcomer_is_suggested_with_its_own_texts_quoted():
    orgs, items, outcomes, members = frames()
    engine = Engine.build(orgs, items, outcomes, members)
    town = orgs.filter(pl.col("kind") == "municipality").head(1).with_columns(
        id=pl.lit("zz-town"), name=pl.lit("能登町"),
        registered_at=pl.col("registered_at") + timedelta(days=1))
    need = "高齢者の移動を支える低速モビリティ"
    town_items = pl.DataFrame({"org_id": ["zz-town"], "side": ["need"], "pos": [0],
                               "tag": [items["tag"][0]], "tier": ["public"], "text": [need]},
                              schema=items.schema)
    engine = engine.with_organizations(town, town_items)
    found = engine.suggest("zz-town", k=5)
    assert len(found) == 5
    quoted = {m.need_text for s in found for m in s.explanation.need_matches if m.need_org == "zz-town"}
    assert quoted <= {need} and np.isfinite([s.score for s in found]).all()
