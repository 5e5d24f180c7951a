from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from data.generator import generate
from data.records import (
    COLLABORATION_MODES,
    DECLINE_REASONS,
    KINDS,
    MAX_CLOCK_SKEW,
    NDA_STANCES,
    STAGES,
    TEXT_PATTERN,
    TIERS,
    Item,
    Organization,
    Outcome,
)
from data.taxonomy import INDUSTRIES, REGIONS, TAG_IDS

ids = st.from_regex(r"[a-z0-9][a-z0-9:._-]{0,30}", fullmatch=True)
texts = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=80).filter(
    lambda t: re.search(TEXT_PATTERN, t))  # what a record accepts
items = st.builds(Item, tag=st.sampled_from(TAG_IDS), text=texts, tier=st.sampled_from(TIERS))
times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=st.just(UTC))
past = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 1, 1),
                    timezones=st.just(UTC))

organizations = st.builds(
    Organization,
    id=ids, name=texts, kind=st.sampled_from(KINDS),
    region=st.sampled_from([r.code for r in REGIONS]),
    industries=st.lists(st.sampled_from(INDUSTRIES), max_size=3).map(tuple),
    strengths=st.lists(items, max_size=4).map(tuple),
    needs=st.lists(items, max_size=4).map(tuple),
    modes=st.lists(st.sampled_from(COLLABORATION_MODES), max_size=3).map(tuple),
    nda=st.sampled_from(NDA_STANCES),
    founded=st.none() | st.integers(1800, 2026),
    registered_at=st.none() | times,
)


@st.composite
def outcomes(draw):
    members = tuple(draw(st.lists(ids, min_size=2, max_size=5, unique=True)))
    stage = draw(st.sampled_from(STAGES))
    reason = draw(st.sampled_from(DECLINE_REASONS)) if stage == "declined" else None
    return Outcome(key=draw(st.from_regex(r"[a-z0-9]{8,20}", fullmatch=True)), members=members,
                   stage=stage, at=draw(past), reason=reason)


@given(organizations)
def test_organization_round_trips_through_json_and_msgpack(org):
    assert msgspec.json.decode(msgspec.json.encode(org), type=Organization) == org
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(org), type=Organization) == org


@given(outcomes())
def test_outcome_round_trips(outcome):
    assert msgspec.json.decode(msgspec.json.encode(outcome), type=Outcome) == outcome


GOOD = {"id": "org-1", "name": "Acme", "kind": "company", "region": "JP-13",
        "strengths": [{"tag": "ai.vision", "text": "画像認識の実績"}]}


@pytest.mark.parametrize(("patch", "field"), [
    ({"kind": "bank"}, "$.kind"),
    ({"id": "has space"}, "$.id"),
    ({"id": ""}, "$.id"),
    ({"region": "Tokyo"}, "$.region"),
    ({"strengths": [{"tag": "no.such.tag", "text": "x"}]}, "$.strengths[0].tag"),
    ({"strengths": [{"tag": "ai.vision", "text": ""}]}, "$.strengths[0].text"),
    ({"needs": [{"tag": "ai.vision", "text": "x", "tier": "secret"}]}, "$.needs[0].tier"),
    ({"nda": "maybe"}, "$.nda"),
    ({"founded": 1200}, "$.founded"),
    ({"industries": ["spaceships"]}, "$.industries[0]"),
    ({"lat": 95.0, "lon": 0.0}, "$.lat"),
    ({"colour": "blue"}, "colour"),
])
def test_bad_organization_values_are_rejected_naming_the_field(patch, field):
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.json.decode(msgspec.json.encode({**GOOD, **patch}), type=Organization)
    assert field in str(info.value)


def test_lat_without_lon_is_rejected():
    with pytest.raises(msgspec.ValidationError, match="lat and lon"):
        msgspec.json.decode(msgspec.json.encode({**GOOD, "lat": 35.0}), type=Organization)


@pytest.mark.parametrize(("body", "message"), [
    ({"members": ["a"]}, "$.members"),
    ({"members": ["a", "a"]}, "distinct"),
    ({"stage": "declined"}, "reason"),
    ({"stage": "meeting", "reason": "budget"}, "reason"),
    ({"stage": "married"}, "$.stage"),
    ({"key": ""}, "$.key"),
    ({"key": "has space"}, "$.key"),
    ({"at": "yesterday"}, "$.at"),
])
def test_bad_outcomes_are_rejected(body, message):
    good = {"key": "key-00000001", "members": ["a", "b"], "stage": "meeting",
            "at": "2025-04-01T09:00:00Z"}
    with pytest.raises(msgspec.ValidationError) as info:
        msgspec.json.decode(msgspec.json.encode({**good, **body}), type=Outcome)
    assert message in str(info.value)


@pytest.mark.parametrize("blank", [" ", "\t\n", "\u3000"])
def test_whitespace_only_names_and_item_texts_are_rejected(blank):
    for patch, field in (({"name": blank}, "$.name"),
                         ({"strengths": [{"tag": "ai.vision", "text": blank}]}, "$.strengths[0].text")):
        with pytest.raises(msgspec.ValidationError) as info:
            msgspec.json.decode(msgspec.json.encode({**GOOD, **patch}), type=Organization)
        assert field in str(info.value)


@pytest.mark.parametrize("org_id", [".", "..", ".hidden", "./x"])
def test_organisation_ids_that_read_as_paths_are_rejected(org_id):
    with pytest.raises(msgspec.ValidationError, match=r"\$\.id"):
        msgspec.json.decode(msgspec.json.encode({**GOOD, "id": org_id}), type=Organization)


def test_generated_and_cordis_style_ids_and_keys_still_decode():
    orgs, _, outcomes_frame, members = generate(30, seed=1)
    for org_id in [*orgs["id"].to_list(), "PIC:996470040", "FP7ORG:38018bc0820ba27bf364194"]:
        msgspec.json.decode(msgspec.json.encode({**GOOD, "id": org_id}), type=Organization)
    key = outcomes_frame["key"][0]
    body = {"key": key, "members": ["a", "b"], "stage": "meeting", "at": "2025-04-01T09:00:00Z"}
    assert msgspec.json.decode(msgspec.json.encode(body), type=Outcome).key == key


def test_short_generated_outcome_keys_can_be_posted_back():
    body = {"key": "gen-7-1", "members": ["a", "b"], "stage": "meeting", "at": "2025-04-01T09:00:00Z"}
    assert msgspec.json.decode(msgspec.json.encode(body), type=Outcome).key == "gen-7-1"


def test_outcome_times_without_a_timezone_are_rejected():
    body = {"key": "k-1", "members": ["a", "b"], "stage": "meeting", "at": "2025-04-01T09:00:00"}
    with pytest.raises(msgspec.ValidationError, match=r"\$\.at"):
        msgspec.json.decode(msgspec.json.encode(body), type=Outcome)
    with pytest.raises(ValueError, match="timezone"):
        Outcome(key="k-1", members=("a", "b"), stage="meeting", at=datetime(2025, 4, 1))


def test_outcomes_in_the_future_beyond_the_clock_skew_are_rejected():
    soon = datetime.now(UTC) + MAX_CLOCK_SKEW - timedelta(seconds=30)
    Outcome(key="k-1", members=("a", "b"), stage="meeting", at=soon)
    later = datetime.now(UTC) + MAX_CLOCK_SKEW + timedelta(minutes=1)
    body = {"key": "k-1", "members": ["a", "b"], "stage": "meeting", "at": later.isoformat()}
    with pytest.raises(msgspec.ValidationError, match="future"):
        msgspec.json.decode(msgspec.json.encode(body), type=Outcome)
