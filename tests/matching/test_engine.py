from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import numpy as np
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import frames as F
from data.errors import UnknownOrganization
from matching.candidates import candidates_for
from matching.engine import Engine, Filters
from matching.explain import graph_paths
from matching.reciprocity import reciprocal_score
from matching.visibility import Viewer


def org(id_, kind="company", region="JP-13"):
    return {"id": id_, "name": id_.upper(), "kind": kind, "region": region, "industries": ["software"],
            "lat": 35.7, "lon": 139.7, "size_band": "medium", "founded": 2000, "modes": ["poc"],
            "nda": "mutual_nda", "registered_at": datetime(2020, 1, 1, tzinfo=UTC)}


def item(org_id, side, pos, tag, text, tier="public"):
    return {"org_id": org_id, "side": side, "pos": pos, "tag": tag, "tier": tier, "text": text}


def tiny_world():
    """A needs vision AI and offers factory automation. B fits both ways; C only one way."""
    orgs = pl.DataFrame([org("a"), org("b", "startup"), org("c", "startup"), org("d", "university")],
                        schema=F.ORG_SCHEMA)
    items = pl.DataFrame([
        item("a", "need", 0, "ai.vision", "AI visual inspection for our lines"),
        item("a", "strength", 0, "mfg.automation", "factory automation and robots"),
        item("b", "strength", 0, "ai.vision", "AI visual inspection models"),
        item("b", "need", 0, "mfg.automation", "need factory automation partners"),
        item("c", "strength", 0, "ai.vision", "AI visual inspection models"),
        item("c", "need", 0, "fin.investment", "seeking venture investment"),
        item("d", "strength", 0, "ed.research", "joint research labs"),
        item("d", "need", 0, "fin.investment", "seeking research funding"),
    ], schema=F.ITEM_SCHEMA)
    return orgs, items, F.empty(F.OUTCOME_SCHEMA), F.empty(F.MEMBER_SCHEMA)


def test_a_one_sided_match_ranks_below_a_two_way_one():
    engine = Engine.build(*tiny_world())
    ranked = engine.score_pairs(engine.index_of("a"), np.array([engine.index_of("c"),
                                                               engine.index_of("b")]))
    assert [str(engine.eco.ids[i]) for i in ranked.partners] == ["b", "c"]
    # Forward (a wants them) is alike; the backward direction decides.
    assert abs(ranked.forward[0] - ranked.forward[1]) < 0.2
    assert ranked.backward[0] > ranked.backward[1]


@given(st.floats(-10, 10), st.floats(-10, 10), st.sampled_from([0.1, 0.2, 0.35, 0.5]))
def test_two_way_score_is_low_when_either_side_is_low(f, b, w):
    s = reciprocal_score(np.array([f]), np.array([b]), w)[0]
    pf, pb = 1 / (1 + np.exp(-f)), 1 / (1 + np.exp(-b))
    assert min(pf, pb) - 1e-12 <= s <= max(pf, pb) + 1e-12
    assert s <= pb ** w + 1e-12  # the other side's "no" caps the score
    if w == 0.5:  # the symmetric weight does not care who asked
        assert s == pytest.approx(reciprocal_score(np.array([b]), np.array([f]), w)[0])


def test_suggestions_never_include_the_asker_and_respect_filters(engine):
    asker = str(engine.eco.ids[5])
    found = engine.suggest(asker, k=10, filters=Filters(kinds=("university", "municipality")))
    assert found and all(s.partner_id != asker for s in found)
    assert {s.partner_kind for s in found} <= {"university", "municipality"}


def test_new_only_excludes_existing_partners(engine):
    graph = engine.ctx.graph
    a = int(np.argmax(graph.degree))
    partners = {str(engine.eco.ids[i]) for i in graph.binary[a].indices}
    assert partners
    found = engine.suggest(str(engine.eco.ids[a]), k=20, filters=Filters(new_only=True))
    assert not partners & {s.partner_id for s in found}


def test_candidates_exclude_organisations_not_yet_registered(engine):
    eco = engine.eco
    day = float(np.quantile(eco.registered, 0.5))
    from features.graph import build_graph
    from features.pairs import PairContext
    ctx = PairContext(eco, engine.ctx.text, build_graph(eco, day))
    for a in range(0, 40, 7):
        cands = candidates_for(ctx, a)
        assert a not in cands and (eco.registered[cands] <= day).all()


def test_unknown_organisation_is_a_domain_error(engine):
    with pytest.raises(UnknownOrganization):
        engine.suggest("no-such-org")


def test_a_cold_start_registrant_gets_suggestions_from_text_and_tags(engine):
    eco = engine.eco
    cold = [i for i in range(eco.n) if engine.ctx.graph.degree[i] == 0 and eco.needs[i].any()]
    assert cold
    found = engine.suggest(str(eco.ids[cold[0]]), k=5)
    assert len(found) == 5
    assert any(s.explanation.need_matches for s in found)


CANARY_TIERS = ("partner", "confidential")


def canary_world(small_eco):
    orgs, items, outcomes, members = small_eco
    marked = items.with_columns(
        pl.when(pl.col("tier").is_in(CANARY_TIERS))
        .then(pl.col("text") + " CANARY-" + pl.col("tier") + "-" + pl.col("org_id"))
        .otherwise(pl.col("text")).alias("text"))
    return Engine.build(orgs, marked, outcomes, members)


@pytest.fixture(scope="module")
def canary_engine(small_eco):
    return canary_world(small_eco)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(asker=st.integers(0, 399), viewer_org=st.integers(-1, 399), partners=st.sets(
    st.integers(0, 399), max_size=5), mode=st.sampled_from(["co-creation", "collaboration"]))
def test_explanations_never_quote_an_item_the_viewer_may_not_see(canary_engine, asker, viewer_org,
                                                                 partners, mode):
    eco = canary_engine.eco
    viewer = Viewer(org=viewer_org if viewer_org >= 0 else None, partners=frozenset(partners))
    found = canary_engine.suggest(str(eco.ids[asker]), k=10, mode=mode, viewer=viewer)
    text = msgspec.json.encode(found).decode()
    for owner in range(eco.n):
        oid = str(eco.ids[owner])
        if not viewer.can_see(owner, "confidential"):
            assert f"CANARY-confidential-{oid}" not in text
        if not viewer.can_see(owner, "partner"):
            assert f"CANARY-partner-{oid}" not in text


def test_the_owner_sees_its_own_confidential_needs_quoted(canary_engine):
    eco = canary_engine.eco
    found_any = False
    for a in range(60):
        viewer = Viewer(org=a)
        text = msgspec.json.encode(canary_engine.suggest(str(eco.ids[a]), k=10, viewer=viewer)).decode()
        found_any |= f"CANARY-confidential-{eco.ids[a]}" in text
    assert found_any


def test_a_lists_reasons_are_those_of_each_pair_alone(canary_engine):
    """Reasons are computed for a whole list at once; each must be what its pair gives alone."""
    eco, graph = canary_engine.eco, canary_engine.ctx.graph
    with_path = 0
    for a in range(0, 400, 37):
        viewer = Viewer(org=a, partners=frozenset({(a + 1) % 400}))
        for s in canary_engine.suggest(str(eco.ids[a]), k=10, viewer=viewer):
            b = canary_engine.index_of(s.partner_id)
            alone = canary_engine.need_matches(a, b, viewer) + canary_engine.need_matches(b, a, viewer)
            assert list(s.explanation.need_matches) == alone
            assert s.explanation.path == graph_paths(eco, graph, a, [b])[0]
            with_path += s.explanation.path is not None
    assert with_path
