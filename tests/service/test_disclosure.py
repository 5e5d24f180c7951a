"""No response ever carries an item the caller may not see (staged disclosure)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.stored_lists import StoredLists
from matching.batch import score_chunk
from tests.service.conftest import CANARY, OFFICE_ORG, STRANGER_ORG, open_api

MARK = re.compile(CANARY + r"-(partner|nda|confidential)-([^#]+)#")

# Who holds which key, and what stands between them (see the fixture).
ORG_OF = {"admin": None, "analyst": None, "office": OFFICE_ORG, "stranger": STRANGER_ORG,
          "target": "org-0000045", "half": "org-0000014", "revoked": "org-0000018",
          "ended": "org-0000020"}


def _intro(api, requester: str, target: str) -> str:
    made = api.call("POST", "/v1/introductions", who=requester,
                    json={"requester": ORG_OF[requester], "target": ORG_OF[target]})
    assert made.status_code == 201, made.text
    intro = made.json()["id"]
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who=target).status_code == 200
    return intro


def _nda(api, intro: str, who: str, action: str = "confirm", key: str | None = None):
    r = api.call("POST", f"/v1/introductions/{intro}/nda", who=who,
                 json={"key": key or f"{who}-{action}", "by": ORG_OF[who], "action": action})
    assert r.status_code == 201, r.text
    return r.json()


@pytest.fixture(scope="module")
def leaky(tmp_path_factory):
    gen = open_api(tmp_path_factory.mktemp("leak"), canaries=True)
    api = next(gen)
    store = api.client.app.state.store
    for who in ("target", "half", "revoked", "ended"):
        api.keys[who] = store.create_api_key("office", ORG_OF[who])[1]
    # office ↔ target: accepted, NDA confirmed by both (partner and nda items open).
    signed = _intro(api, "office", "target")
    _nda(api, signed, "office")
    assert _nda(api, signed, "target")["in_force"] is True
    # stranger ↔ half: accepted, only one side confirmed (partner items only).
    _nda(api, _intro(api, "stranger", "half"), "half")
    # stranger ↔ revoked: both confirmed, then one side revoked (partner items only).
    revoked = _intro(api, "stranger", "revoked")
    _nda(api, revoked, "stranger")
    _nda(api, revoked, "revoked")
    assert _nda(api, revoked, "revoked", "revoke")["in_force"] is False
    # office ↔ ended: both confirmed, then declined (nothing beyond public).
    ended = _intro(api, "ended", "office")
    _nda(api, ended, "office")
    _nda(api, ended, "ended")
    declined = api.call("POST", f"/v1/introductions/{ended}/events", who="ended",
                        json={"key": "end", "kind": "declined", "by": ORG_OF["ended"], "reason": "timing"})
    assert declined.status_code == 201, declined.text
    # Stored lists (what the nightly batch writes) for every role and some others, so the
    # default suggestions request is answered from them.
    engine = api.client.app.state.live.served.engine
    stored = StoredLists(store)
    for scored in score_chunk(engine, sorted({o for o in ORG_OF.values() if o}
                                             | {f"org-{i:07d}" for i in range(0, 60, 3)}), 30):
        if scored.skipped is None:
            stored.replace(scored.org_id, list(scored.rows), api.client.app.state.live.version)
    partners = {OFFICE_ORG: {ORG_OF["target"]}, ORG_OF["target"]: {OFFICE_ORG},
                STRANGER_ORG: {ORG_OF["half"], ORG_OF["revoked"]},
                ORG_OF["half"]: {STRANGER_ORG}, ORG_OF["revoked"]: {STRANGER_ORG}}
    ndas = {OFFICE_ORG: {ORG_OF["target"]}, ORG_OF["target"]: {OFFICE_ORG}}
    yield api, partners, ndas
    gen.close()


def allowed(who: str, partners: dict[str, set[str]], ndas: dict[str, set[str]], tier: str,
            owner: str) -> bool:
    """The rule, written out apart from ``Viewer``."""
    if who == "admin":
        return True
    me = ORG_OF[who]
    if me == owner:
        return True
    if tier == "partner":
        return owner in partners.get(me, set())
    return tier == "nda" and owner in ndas.get(me, set())


ENDPOINTS = st.sampled_from(["org", "list", "suggest", "fit", "consortia", "themes"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(who=st.sampled_from(sorted(ORG_OF)),
       endpoint=ENDPOINTS, org=st.integers(0, 299), other=st.sampled_from(
           [*range(0, 300, 7), 1, 2, 14, 18, 20, 45]),
       mode=st.sampled_from(["co-creation", "collaboration"]), k=st.integers(1, 30),
       new_only=st.booleans())
def test_no_canary_where_the_rule_forbids_it(leaky, who, endpoint, org, other, mode, k, new_only):
    api, partners, ndas = leaky
    subject = ORG_OF[who] or f"org-{org:07d}"
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
        assert allowed(who, partners, ndas, tier, owner), (who, endpoint, tier, owner)


@pytest.mark.parametrize("who", sorted(w for w, org in ORG_OF.items() if org))
def test_stored_lists_quote_nothing_beyond_public(leaky, who):
    api, partners, ndas = leaky
    r = api.call("GET", f"/v1/organizations/{ORG_OF[who]}/suggestions?k=10", who=who)
    assert r.status_code == 200 and r.json()["source"] == "stored", r.text
    assert all(allowed(who, partners, ndas, tier, owner) for tier, owner in MARK.findall(r.text))


def _tiers(api, org: str, who: str) -> set[str]:
    return {t for t, _ in MARK.findall(api.call("GET", f"/v1/organizations/{org}", who=who).text)}


def test_allowed_viewers_do_see_the_canaries(leaky):
    api, _, _ = leaky
    target = ORG_OF["target"]
    assert _tiers(api, target, "admin") == {"partner", "nda", "confidential"}
    assert _tiers(api, target, "office") == {"partner", "nda"}
    assert _tiers(api, target, "stranger") == set()
    assert _tiers(api, OFFICE_ORG, "target") <= {"partner", "nda"}


def test_one_confirmation_a_revocation_or_a_decline_keeps_nda_items_closed(leaky):
    api, _, _ = leaky
    assert _tiers(api, STRANGER_ORG, "half") == {"partner"}  # the stranger holds both tiers
    assert _tiers(api, STRANGER_ORG, "revoked") == {"partner"}
    assert _tiers(api, ORG_OF["revoked"], "stranger") == {"partner"}
    assert _tiers(api, OFFICE_ORG, "ended") == set()


def test_nda_items_open_on_both_confirmations_are_logged_and_close_on_revocation(tmp_path):
    gen = open_api(tmp_path, canaries=True)
    api = next(gen)
    try:
        api.keys["target"] = api.client.app.state.store.create_api_key("office", ORG_OF["target"])[1]
        intro = _intro(api, "office", "target")
        assert _tiers(api, ORG_OF["target"], "office") == {"partner"}
        _nda(api, intro, "target")
        assert _tiers(api, ORG_OF["target"], "office") == {"partner"}  # one side is not enough
        _nda(api, intro, "office")
        assert _tiers(api, ORG_OF["target"], "office") == {"partner", "nda"}
        log = api.call("GET", f"/v1/disclosures?owner={ORG_OF['target']}", who="target").json()
        assert [(d["viewer_org"], d["items"], d["nda_items"]) for d in log["disclosures"]][-1] == (
            OFFICE_ORG, 1, 1)
        _nda(api, intro, "office", "revoke")
        assert _tiers(api, ORG_OF["target"], "office") == {"partner"}
        # Confirming again on one side does not reopen it: both confirm after a revocation.
        _nda(api, intro, "office", key="again")
        assert _tiers(api, ORG_OF["target"], "office") == {"partner"}
    finally:
        gen.close()
