from __future__ import annotations

import numpy as np
import pytest

from data.records import KINDS
from data.taxonomy import TAG_IDS
from matching.consortia import (
    ConsortiumImpossible,
    TeamRules,
    UnknownTheme,
    propose_consortia,
    required_capabilities,
)


@pytest.mark.parametrize("rules", [
    TeamRules(size=3, require_kinds=(("university", 1),)),
    TeamRules(size=4, require_kinds=(("university", 1), ("municipality", 1))),
    TeamRules(size=5, require_kinds=(("startup", 2), ("municipality", 1)), teams=2),
])
def test_constraints_are_always_met(engine, rules):
    lead = str(engine.eco.ids[3])
    required = required_capabilities(engine, theme="regional-it-talent")
    teams = propose_consortia(engine, lead, required, rules)
    assert teams
    for team in teams:
        assert team.members[0] == lead and len(team.members) == rules.size
        assert len(set(team.members)) == rules.size
        for kind, count in rules.require_kinds:
            assert team.kinds.count(kind) >= count
        assert 0 <= team.coverage <= 1 and 0 <= team.score <= 1
        assert set(team.covered) | set(team.missing) <= set(
            TAG_IDS[i] for i in np.flatnonzero(required))
    assert [t.score for t in teams] == sorted((t.score for t in teams), reverse=True)


def test_region_constraint_is_met_or_impossible_is_said(engine):
    lead = str(engine.eco.ids[3])
    required = required_capabilities(engine, theme="smart-agri-region")
    teams = propose_consortia(engine, lead, required, TeamRules(size=3, regions=("JP-13",)))
    region_of = {str(engine.eco.ids[i]): engine.eco.regions[engine.eco.region[i]]
                 for i in range(engine.eco.n)}
    assert all(region_of[m] == "JP-13" for t in teams for m in t.members[1:])
    with pytest.raises(ConsortiumImpossible, match="municipality"):
        propose_consortia(engine, lead, required, TeamRules(
            size=3, regions=("FI",), require_kinds=(("municipality", 1),)))


def test_bad_requests_get_clear_errors(engine):
    with pytest.raises(UnknownTheme):
        required_capabilities(engine, theme="no-such-theme")
    with pytest.raises(ConsortiumImpossible):
        propose_consortia(engine, str(engine.eco.ids[0]), np.ones(len(TAG_IDS), bool),
                          TeamRules(size=7))


def test_free_text_needs_in_japanese_and_english_find_capabilities(engine):
    ja = required_capabilities(engine, need_text="高齢者の見守りと低速モビリティ")
    en = required_capabilities(engine, need_text="AI visual inspection for factory quality control")
    assert ja[TAG_IDS.index("mob.lowspeed")] and ja[TAG_IDS.index("hl.eldercare")]
    assert en[TAG_IDS.index("ai.vision")] and en[TAG_IDS.index("mfg.quality")]


def test_the_lead_takes_one_seat_and_counts_for_its_own_kind(engine):
    kinds = engine.eco.kind
    lead = next(i for i in range(engine.eco.n) if KINDS[kinds[i]] == "company")
    required = required_capabilities(engine, theme="regional-it-talent")
    with pytest.raises(ConsortiumImpossible, match=r"lead \(company\) and 3 more required make 4, over 3"):
        propose_consortia(engine, str(engine.eco.ids[lead]), required,
                          TeamRules(size=3, require_kinds=(("university", 3),)))
    teams = propose_consortia(engine, str(engine.eco.ids[lead]), required,
                              TeamRules(size=3, require_kinds=(("company", 1), ("university", 2))))
    assert teams and all(len(t.members) == 3 and t.kinds.count("university") == 2 for t in teams)
