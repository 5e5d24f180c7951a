"""The pair-fit page finds the other organisation by name; what it cannot find it names."""

from __future__ import annotations

import re

from data.store import Store
from service.console.teams import NAMES_SHOWN
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


def name_of(console, org_id: str) -> str:
    with Store(console.db) as store:
        return store.get_organization(org_id).name


def test_a_name_that_several_hold_is_a_list_to_pick_from_without_the_asker(console):
    console.sign_in("office")
    own = name_of(console, OFFICE_ORG)
    r = console.client.get("/console/fit", params={"name": own[:2]})
    assert r.status_code == 200 and 'class="matches"' in r.text
    assert f"/console/fit?other={OFFICE_ORG}" not in r.text
    lines = re.findall(r'<li><a href="/console/fit\?other=([^"]+)"[^>]*>.*?</li>', r.text)
    assert lines and all(f'<span translate="no">{i}</span>' in r.text for i in lines)  # same names told apart


def test_an_id_or_a_whole_name_shows_the_fit_at_once(console):
    console.sign_in("office")
    name = name_of(console, STRANGER_ORG)
    for given in (STRANGER_ORG, name):
        r = console.client.get("/console/fit", params={"name": given})
        assert r.status_code == 200 and 'class="reasons"' in r.text and name in r.text, given


def test_a_name_nobody_holds_or_a_too_long_one_is_named(console):
    console.sign_in("office")
    for given, status in (("no such organisation 存在しない", 404), ("x" * 201, 422)):
        r = console.client.get("/console/fit", params={"name": given})
        assert r.status_code == status and 'data-field="name"' in r.text and "Field: Name" in r.text, given


def test_a_name_with_like_wildcards_matches_them_literally(console):
    with Store(console.db) as store:
        assert store.organizations_named("%") == [] and store.organizations_named("_") == []


def test_ones_own_name_or_id_says_it_cannot_be_paired_with_itself(console):
    console.sign_in("office")
    own = name_of(console, OFFICE_ORG)
    for given in (OFFICE_ORG, own):
        r = console.client.get("/console/fit", params={"name": given})
        assert r.status_code == 422 and "An organisation cannot be paired with itself." in r.text, given
        assert "No organisation&#39;s name holds this." not in r.text and 'class="reasons"' not in r.text


def test_no_empty_needs_strengths_heading_when_nothing_matches(console):
    console.sign_in("office")
    with Store(console.db) as store:
        ids = [o.id for o in store.list_organizations(limit=40)[0] if o.id != OFFICE_ORG]
    said_none = 0
    for other in ids:
        r = console.client.get("/console/fit", params={"other": other})
        if r.status_code != 200:
            continue
        assert "Needs ↔ Strengths</h3>\n<ul></ul>" not in r.text, other
        said_none += "No need of one side meets a strength of the other" in r.text
    assert said_none, "no pair without a match among the first organisations"


def test_a_name_more_hold_than_are_listed_says_to_type_more(console):
    console.sign_in("office")
    page = console.client.get("/console/fit", params={"name": "a"}).text  # hundreds of names hold it
    assert len(re.findall(r'<li><a href="/console/fit\?other=', page)) == NAMES_SHOWN
    assert "type more of it" in page
