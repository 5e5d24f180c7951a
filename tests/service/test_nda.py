"""NDA steps on an introduction: who may record them, when, and that a refused one writes nothing."""

from __future__ import annotations

from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


def _requested(api) -> str:
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG})
    assert made.status_code == 201, made.text
    return made.json()["id"]


def _steps(api, intro: str) -> int:
    return api.client.app.state.store.read("SELECT count(*) FROM nda_steps WHERE intro_id=?", (intro,))[0][0]


def _nda(api, intro: str, who: str, body: dict):
    return api.call("POST", f"/v1/introductions/{intro}/nda", who, json=body)


def test_an_nda_before_acceptance_or_after_a_decline_is_409_naming_action(api):
    intro = _requested(api)
    early = _nda(api, intro, "office", {"key": "n1", "by": OFFICE_ORG, "action": "confirm"})
    assert (early.status_code, early.json()["field"]) == (409, "$.action")
    api.call("POST", f"/v1/introductions/{intro}/decline", "stranger", json={"reason": "timing"})
    late = _nda(api, intro, "stranger", {"key": "n2", "by": STRANGER_ORG, "action": "confirm"})
    assert (late.status_code, late.json()["field"]) == (409, "$.action")
    assert _steps(api, intro) == 0


def test_only_a_side_itself_or_an_admin_records_an_nda_step(api):
    intro = _requested(api)
    api.call("POST", f"/v1/introductions/{intro}/accept", "stranger")
    outsider = _nda(api, intro, "admin", {"key": "x", "by": "org-0000005", "action": "confirm"})
    assert (outsider.status_code, outsider.json()["field"]) == (403, "$.by")
    for_other = _nda(api, intro, "office", {"key": "y", "by": STRANGER_ORG, "action": "confirm"})
    assert (for_other.status_code, for_other.json()["field"]) == (403, "$.by")
    analyst = _nda(api, intro, "analyst", {"key": "z", "by": STRANGER_ORG, "action": "confirm"})
    assert analyst.status_code == 403
    assert _steps(api, intro) == 0


def test_nda_steps_are_idempotent_by_key_and_checked_against_the_state(api):
    intro = _requested(api)
    api.call("POST", f"/v1/introductions/{intro}/accept", "stranger")
    nothing = _nda(api, intro, "office", {"key": "r0", "by": OFFICE_ORG, "action": "revoke"})
    assert (nothing.status_code, nothing.json()["field"]) == (409, "$.action")
    body = {"key": "c1", "by": OFFICE_ORG, "action": "confirm"}
    first = _nda(api, intro, "office", body)
    assert first.status_code == 201 and first.json()["confirmed_by"] == [OFFICE_ORG]
    assert _nda(api, intro, "office", body).status_code == 200
    changed = _nda(api, intro, "office", {**body, "action": "revoke"})
    assert changed.status_code == 409 and changed.json()["code"] == "idempotency_conflict"
    twice = _nda(api, intro, "office", {"key": "c2", "by": OFFICE_ORG, "action": "confirm"})
    assert (twice.status_code, twice.json()["field"]) == (409, "$.action")
    assert _steps(api, intro) == 1


def test_malformed_nda_bodies_name_the_field(api):
    intro = _requested(api)
    bad_action = _nda(api, intro, "office", {"key": "k", "by": OFFICE_ORG, "action": "sign"})
    assert (bad_action.status_code, bad_action.json()["field"]) == (422, "$.action")
    no_key = _nda(api, intro, "office", {"by": OFFICE_ORG, "action": "confirm"})
    assert (no_key.status_code, no_key.json()["field"]) == (422, "$.key")
    unknown = api.call("POST", "/v1/introductions/intro-nope/nda", "office",
                       json={"key": "k", "by": OFFICE_ORG, "action": "confirm"})
    assert unknown.status_code == 404


def test_a_side_cannot_revoke_a_confirmation_it_never_made_and_wipe_the_others(api):
    intro = _requested(api)
    api.call("POST", f"/v1/introductions/{intro}/accept", "stranger")
    _nda(api, intro, "office", {"key": "c1", "by": OFFICE_ORG, "action": "confirm"})
    revoke = _nda(api, intro, "stranger", {"key": "r1", "by": STRANGER_ORG, "action": "revoke"})
    assert (revoke.status_code, revoke.json()["field"]) == (409, "$.action")
    assert _steps(api, intro) == 1
    again = _nda(api, intro, "office", {"key": "c1", "by": OFFICE_ORG, "action": "confirm"})
    assert again.json()["confirmed_by"] == [OFFICE_ORG]
