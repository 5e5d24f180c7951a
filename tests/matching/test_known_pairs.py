"""Known-answer ranking cases: complementary newcomers find each other in the bundled ecosystem."""

from __future__ import annotations

import polars as pl
import pytest

from data.generator import generate, public_frame
from matching.engine import Engine
from tests.matching.known_pairs import PAIRS, frames

TOP = 5


@pytest.fixture(scope="module")
def engine() -> Engine:
    orgs, items, outcomes, members = generate(2000, seed=7)
    orgs = public_frame(orgs)
    extra_orgs, extra_items = frames(orgs["registered_at"].max())
    return Engine.build(pl.concat([orgs, extra_orgs]), pl.concat([items, extra_items]), outcomes,
                        members)


@pytest.mark.parametrize("mode", ["co-creation", "collaboration"])
@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_complementary_newcomers_reach_each_others_top_five(engine, mode, a, b):
    for asker, partner in ((a, b), (b, a)):
        found = [s.partner_id for s in engine.suggest(asker, k=TOP, mode=mode)]
        assert partner in found, (mode, asker, found)


def test_the_town_reads_why_in_japanese(engine):
    first = next(s for s in engine.suggest("ka-town", k=TOP, lang="ja") if s.partner_id == "ka-ev")
    texts = [r.text for r in first.reasons]
    assert any("貴組織のニーズ" in t for t in texts)
    assert any("石川県内・同じ地域" in t for t in texts) or len(texts) == 3
