"""No response ever carries an item the caller may not see (staged disclosure)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.service.conftest import CANARY, OFFICE_ORG, open_api

MARK = re.compile(CANARY + r"-(partner|confidential)-([^#]+)#")


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    gen = open_api(tmp_path_factory.mktemp("leak"), canaries=True)
    api = next(gen)
    store = api.client.app.state.store
    # The office has one mutually accepted introduction; everything else stays closed.
    target = "org-0000005"
    intro = api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": target},
                     who="office").json()["id"]
    api.keys["target"] = store.create_api_key("office", target)[1]
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="target").status_code == 200
    yield api, {OFFICE_ORG: {target}, target: {OFFICE_ORG}}
    gen.close()


def allowed(who: str, org_of: dict[str, str | None], partners: dict[str, set[str]], tier: str,
            owner: str) -> bool:
    if who == "admin":
        return True
    me = org_of[who]
    if me == owner:
        return True
    return tier == "partner" and owner in partners.get(me, set())


ENDPOINTS = st.sampled_from(["org", "list", "suggest", "fit", "consortia", "themes"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.sampled_from(["admin", "analyst", "office", "stranger", "target"]),
       endpoint=ENDPOINTS, org=st.integers(0, 299), other=st.integers(0, 299),
       mode=st.sampled_from(["co-creation", "collaboration"]), k=st.integers(1, 30),
       new_only=st.booleans())
def test_no_canary_where_the_rule_forbids_it(leaky, who, endpoint, org, other, mode, k, new_only):
    api, partners = leaky
    org_of = {"admin": None, "analyst": None, "office": OFFICE_ORG, "stranger": "org-0000002",
              "target": "org-0000005"}
    subject = org_of[who] or f"org-{org:07d}"
    other_id = f"org-{other:07d}"
    if endpoint == "org":
        r = api.call("GET", f"/v1/organizations/{other_id}", who=who)
    elif endpoint == "list":
        r = api.call("GET", f"/v1/organizations?limit=200&offset={org}", who=who)
    elif endpoint == "suggest":
        r = api.call("GET", f"/v1/organizations/{subject}/suggestions?k={k}&mode={mode}"
                     f"&new_only={str(new_only).lower()}", who=who)
    elif endpoint == "fit":
        r = api.call("GET", f"/v1/organizations/{subject}/fit/{other_id}?mode={mode}", who=who)
    elif endpoint == "consortia":
        r = api.call("POST", "/v1/consortia", who=who,
                     json={"lead": subject, "need": "AI and sensors for elderly care", "size": 3,
                           "teams": 2})
    else:
        r = api.call("GET", f"/v1/organizations/{other_id}/themes", who=who)
    assert r.status_code < 500, r.text
    for tier, owner in MARK.findall(r.text):
        assert allowed(who, org_of, partners, tier, owner), (who, endpoint, tier, owner)


def test_allowed_viewers_do_see_the_canaries(leaky):
    api, _ = leaky
    target = "org-0000005"
    as_admin = api.call("GET", f"/v1/organizations/{target}", who="admin").text
    as_office = api.call("GET", f"/v1/organizations/{target}", who="office").text
    as_stranger = api.call("GET", f"/v1/organizations/{target}", who="stranger").text
    tiers = {t for t, _ in MARK.findall(as_admin)}
    assert tiers, "the target should hold non-public items"
    assert {t for t, _ in MARK.findall(as_office)} == tiers - {"confidential"}
    assert MARK.findall(as_stranger) == []
