from __future__ import annotations

import polars as pl
import pytest

from data.generator import END, generate, public_frame
from data.records import KINDS
from data.store import Store
from data.taxonomy import PREFECTURES


@pytest.fixture(scope="module")
def eco():
    return generate(3000, seed=11)


def test_same_seed_gives_identical_output(eco):
    again = generate(3000, seed=11)
    for a, b in zip(eco, again, strict=True):
        assert a.equals(b)
    assert not generate(3000, seed=12)[0].equals(eco[0])


def test_kind_mix_within_stated_ranges(eco):
    orgs = eco[0]
    share = dict(orgs["kind"].value_counts(normalize=True).iter_rows())
    assert set(share) == set(KINDS)
    assert 0.32 <= share["company"] <= 0.44
    assert 0.20 <= share["startup"] <= 0.30
    assert 0.05 <= share["university"] <= 0.11
    assert 0.09 <= share["municipality"] <= 0.17


def test_regions_cover_japan_and_abroad():
    orgs = generate(20_000, seed=3)[0]
    regions = set(orgs["region"])
    assert {p.code for p in PREFECTURES} <= regions
    assert any(not r.startswith("JP") for r in regions)


def test_funnel_narrows_within_stated_ranges(eco):
    stages = dict(eco[2]["stage"].value_counts().iter_rows())
    s = stages["suggested"]
    assert 0.2 <= stages["contacted"] / s <= 0.45
    assert stages["contacted"] > stages["meeting"] > stages["poc"] > stages["launched"]
    assert 0.01 <= stages["contract"] / s <= 0.08
    assert 0.3 <= stages["declined"] / s <= 0.7


def test_declines_carry_reasons_and_history_ends_on_time(eco):
    outcomes = eco[2]
    declined = outcomes.filter(pl.col("stage") == "declined")
    assert declined["reason"].null_count() == 0
    assert outcomes.filter(pl.col("stage") != "declined")["reason"].null_count() == (
        outcomes.height - declined.height)
    assert outcomes["at"].max() <= END
    span = (outcomes["at"].max() - outcomes["at"].min()).days
    assert 3 * 365 <= span <= 5 * 365


def test_texts_are_varied_and_bilingual(eco):
    texts = eco[1]["text"]
    japanese = texts.str.contains(r"[ぁ-んァ-ン一-龯]").mean()
    assert 0.4 <= japanese <= 0.9
    assert texts.n_unique() > 0.5 * texts.len()


def test_group_outcomes_exist(eco):
    sizes = eco[3].group_by("seq").len()["len"]
    assert sizes.max() == 3 and (sizes == 2).sum() > 0


def test_generated_ecosystem_loads_into_the_store(eco, tmp_path):
    orgs, items, outcomes, members = eco
    with Store(tmp_path / "k.db") as store:
        store.load_frames(public_frame(orgs), items, outcomes, members)
        assert store.count("organizations") == orgs.height
        assert store.count("outcomes") == outcomes.height
        snap = store.snapshot()
    assert snap.members.height == members.height
    # A stored organisation decodes into a valid record.
    assert store is not None
