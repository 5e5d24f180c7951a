from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest

from data.errors import UnknownOrganization
from data.introductions import IntroductionError
from data.registry import NoEarlierModel, UnknownModel
from data.retractions import UnknownOutcome
from data.store import OutcomeConflict, Store
from data.stored_lists import StoredLists
from matching.consortia import ConsortiumImpossible, UnknownTheme
from matching.ranker import NotFitted
from service.api.auth import Forbidden, Unauthorized
from service.api.errors import (
    STATUS,
    BodyRequired,
    BodyTimeout,
    BodyTooDeep,
    InvalidBody,
    MalformedBody,
    QueryTooLong,
    UnsupportedMediaType,
)
from service.batch import run_batch
from service.lifecycle import WorseModel
from service.modeling import TooFewQueries
from service.verify import ModelDamaged
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG

NEW_ORG = {
    "id": "org-new-1", "name": "みらい食品株式会社", "kind": "company", "region": "JP-26",
    "industries": ["food"],
    "strengths": [{"tag": "fa.foodtech", "text": "代替たんぱく質の食品加工技術"}],
    "needs": [{"tag": "ai.forecast", "text": "需要予測のパートナーを探しています"},
              {"tag": "iot.sensors", "text": "secret sensor plan", "tier": "confidential"}],
}


@pytest.mark.parametrize(("exc", "status"), [
    (UnknownOrganization, 404), (Unauthorized, 401), (Forbidden, 403), (OutcomeConflict, 409),
    (IntroductionError, 409), (ConsortiumImpossible, 422), (NotFitted, 503), (UnknownModel, 404),
    (InvalidBody, 422), (MalformedBody, 400), (BodyRequired, 400), (BodyTooDeep, 400),
    (UnsupportedMediaType, 415), (QueryTooLong, 414), (BodyTimeout, 408), (UnknownTheme, 422),
    (ModelDamaged, 422), (TooFewQueries, 422), (WorseModel, 409), (NoEarlierModel, 409),
    (UnknownOutcome, 404),
])
def test_domain_errors_map_to_statuses(exc, status):
    assert STATUS[exc][0] == status


def test_health_and_ready(api):
    assert api.call("GET", "/health", who=None).json() == {"status": "ok"}
    ready = api.call("GET", "/ready", who=None).json()
    assert ready["status"] == "ready" and ready["organizations"] == 300
    assert ready["scorer"] == "heuristic"  # no model trained in this store yet


def test_keys_are_required_and_checked(api):
    r = api.call("GET", "/v1/themes", who=None)
    assert r.status_code == 401 and r.json()["code"] == "unauthorized"
    r = api.client.get("/v1/themes", headers={"X-API-Key": "ky_nope"})
    assert r.status_code == 401
    r = api.client.get("/v1/themes", headers={"Authorization": f"Bearer {api.keys['analyst']}"})
    assert r.status_code == 200 and len(r.json()["themes"]) >= 25


def test_register_read_update_list(api):
    r = api.call("POST", "/v1/organizations", json=NEW_ORG)
    assert r.status_code == 201, r.text
    assert api.call("POST", "/v1/organizations", json=NEW_ORG).status_code == 409
    # An analyst sees public items only; the confidential need is withheld.
    seen = api.call("GET", "/v1/organizations/org-new-1", who="analyst").json()
    assert [n["tag"] for n in seen["needs"]] == ["ai.forecast"]
    assert len(api.call("GET", "/v1/organizations/org-new-1").json()["needs"]) == 2  # admin
    updated = {**NEW_ORG, "name": "Mirai Foods"}
    assert api.call("PUT", "/v1/organizations/org-new-1", json=updated).json()["name"] == "Mirai Foods"
    assert api.call("PUT", "/v1/organizations/org-new-1", json=updated,
                    who="office").status_code == 403
    page = api.call("GET", "/v1/organizations?kind=company&limit=5&offset=5").json()
    assert len(page["items"]) == 5 and page["offset"] == 5 and page["total"] > 5
    assert api.call("GET", "/v1/organizations?q=代替たんぱく質").json()["total"] == 1
    assert api.call("GET", "/v1/organizations?q=secret sensor").json()["total"] == 0
    # A new registrant gets suggestions at once (cold start).
    found = api.call("GET", "/v1/organizations/org-new-1/suggestions?k=5").json()
    assert len(found["suggestions"]) == 5


@pytest.mark.parametrize(("body", "field"), [
    ({**NEW_ORG, "kind": "bank"}, "kind"),
    ({**NEW_ORG, "needs": [{"tag": "ai.forecast", "text": ""}]}, "needs[0].text"),
    ({**NEW_ORG, "extra": 1}, "extra"),
    ({**NEW_ORG, "id": "bad id"}, "id"),
])
def test_bad_bodies_name_the_field_and_write_nothing(api, body, field):
    r = api.call("POST", "/v1/organizations", json=body)
    assert r.status_code in (400, 422), r.text
    err = r.json()
    assert err["code"] == "invalid_input" and field in (err.get("field") or "") + err["message"]
    assert api.call("GET", "/v1/organizations?q=みらい食品").json()["total"] == 0


def test_malformed_json_and_oversized_bodies(api):
    r = api.client.post("/v1/organizations", content=b"{nope",
                        headers={"X-API-Key": api.keys["admin"], "Content-Type": "application/json"})
    assert r.status_code == 400
    big = {**NEW_ORG, "name": "x" * 300_000}
    assert api.call("POST", "/v1/organizations", json=big).status_code == 413


def test_suggestions_parameters_are_validated(api):
    base = f"/v1/organizations/{OFFICE_ORG}/suggestions"
    for query in ("k=0", "k=101", "mode=friendship", "kind=bank", "region=Tokyo", "new_only=maybe"):
        r = api.call("GET", f"{base}?{query}")
        assert r.status_code in (400, 422), query
        assert r.json()["code"] == "invalid_input"
    assert api.call("GET", "/v1/organizations/ghost/suggestions").status_code == 404
    r = api.call("GET", f"{base}?k=7&mode=collaboration&kind=university&kind=municipality",
                 who="office").json()
    assert 0 < len(r["suggestions"]) <= 7
    assert {s["partner_kind"] for s in r["suggestions"]} <= {"university", "municipality"}
    s = r["suggestions"][0]
    assert {"score_forward", "score_backward", "explanation", "themes"} <= set(s)
    assert api.call("GET", base, who="stranger").status_code == 403


def test_fit_of_one_pair(api):
    r = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/fit/{STRANGER_ORG}", who="office")
    assert r.status_code == 200 and r.json()["partner_id"] == STRANGER_ORG
    assert api.call("GET", f"/v1/organizations/{OFFICE_ORG}/fit/{OFFICE_ORG}").status_code == 422
    assert api.call("GET", f"/v1/organizations/{OFFICE_ORG}/fit/ghost").status_code == 404


def test_consortia(api):
    body = {"lead": OFFICE_ORG, "theme": "regional-it-talent", "size": 4,
            "require_kinds": {"university": 1, "municipality": 1}, "teams": 2}
    r = api.call("POST", "/v1/consortia", json=body, who="office")
    assert r.status_code == 200, r.text
    for team in r.json()["consortia"]:
        assert team["members"][0] == OFFICE_ORG and len(team["members"]) == 4
        assert {"university", "municipality"} <= set(team["kinds"])
    need = {"lead": OFFICE_ORG, "need": "高齢者の見守りと移動支援", "size": 3}
    assert api.call("POST", "/v1/consortia", json=need).status_code == 200
    impossible = {**body, "regions": ["FI"], "require_kinds": {"municipality": 1}}
    r = api.call("POST", "/v1/consortia", json=impossible)
    assert r.status_code == 422 and r.json()["code"] == "consortium_impossible"
    assert api.call("POST", "/v1/consortia", json={"lead": OFFICE_ORG}).status_code in (400, 422)
    assert api.call("POST", "/v1/consortia", json={**body, "theme": "nope"}).status_code == 422
    assert api.call("POST", "/v1/consortia", json={**body, "size": 9}).status_code in (400, 422)


def test_themes_for_an_organisation(api):
    r = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/themes?k=3").json()
    assert r["organization_id"] == OFFICE_ORG and len(r["themes"]) <= 3


def test_introduction_flow_unlocks_partner_items_between_exactly_two(api):
    with_partner = [o for o in api.call("GET", "/v1/organizations?limit=200").json()["items"]
                    if any(i["tier"] == "partner" for i in (*o["strengths"], *o["needs"]))
                    and o["id"] not in (OFFICE_ORG, STRANGER_ORG)]
    target = with_partner[0]["id"]
    target_key = api.client.app.state.store.create_api_key("office", target)[1]
    api.keys["target"] = target_key

    def partner_items(who):
        org = api.call("GET", f"/v1/organizations/{target}", who=who).json()
        return [i for i in (*org["strengths"], *org["needs"]) if i["tier"] == "partner"]

    assert partner_items("office") == []
    r = api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": target},
                 who="office")
    assert r.status_code == 201
    intro = r.json()["id"]
    assert api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": target},
                    who="office").status_code == 409
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="office").status_code == 403
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="target").status_code == 200
    assert api.call("POST", f"/v1/introductions/{intro}/accept", who="target").status_code == 409
    assert partner_items("office")  # unlocked for the office ...
    assert partner_items("stranger") == []  # ... and for nobody else
    stages = [o["outcome"]["stage"] for o in api.call("GET", f"/v1/outcomes?org={target}").json()["outcomes"]
              if o["outcome"]["suggestion_id"] == intro]
    assert stages == ["contacted", "meeting"]
    from data.introductions import Introductions
    assert Introductions(api.client.app.state.store).disclosures(target)


def test_declining_needs_a_reason(api):
    r = api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": STRANGER_ORG},
                 who="office").json()
    bad = api.call("POST", f"/v1/introductions/{r['id']}/decline", json={}, who="stranger")
    assert bad.status_code in (400, 422)
    ok = api.call("POST", f"/v1/introductions/{r['id']}/decline", json={"reason": "timing"},
                  who="stranger")
    assert ok.json()["status"] == "declined"


def test_outcomes_are_idempotent_by_key(api):
    body = {"key": "crm-000000042", "members": [OFFICE_ORG, STRANGER_ORG], "stage": "poc",
            "at": "2026-10-01T09:00:00Z"}
    first = api.call("POST", "/v1/outcomes", json=body)
    again = api.call("POST", "/v1/outcomes", json=body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["seq"] == again.json()["seq"]
    clash = api.call("POST", "/v1/outcomes", json={**body, "stage": "contract"})
    assert clash.status_code == 409 and clash.json()["code"] == "idempotency_conflict"
    ghost = api.call("POST", "/v1/outcomes", json={**body, "key": "crm-000000043",
                                                   "members": [OFFICE_ORG, "ghost"]})
    assert ghost.status_code == 404
    assert api.call("POST", "/v1/outcomes", who="office",
                    json={**body, "key": "crm-000000044",
                          "members": [STRANGER_ORG, "org-0000003"]}).status_code == 403


def test_models_are_for_analysts(api):
    assert api.call("GET", "/v1/models", who="office").status_code == 403
    assert api.call("GET", "/v1/models", who="analyst").json() == {"live": None, "models": [],
                                                                      "verdict": None}
    assert api.call("POST", "/v1/models/rollback").status_code == 409
    assert api.call("POST", "/v1/models/v-none/promote", json={}).status_code == 404


def test_unknown_routes_and_methods_use_the_error_body(api):
    r = api.call("GET", "/v1/nothing-here")
    assert r.status_code == 404 and msgspec.json.decode(r.content)["code"] == "not_found"
    assert api.call("DELETE", "/v1/themes").status_code == 405


def test_huge_sequence_numbers_are_rejected_not_a_server_error(api):
    r = api.call("GET", "/v1/outcomes?after=4498962686586232766464")
    assert r.status_code in (400, 422) and r.json()["field"]


def test_default_suggestions_come_from_the_nightly_list_until_the_profile_changes(api):
    with Store(api.db) as store:
        run_batch(store, since=datetime(2026, 3, 1, tzinfo=UTC), k=10, log=lambda _m: None,
                  progress=False)
        org = store.read("SELECT org_id FROM suggestions GROUP BY org_id HAVING COUNT(*) = 10")[0][0]
        nightly = [r[0] for r in StoredLists(store).of([org])[org]]
    base = f"/v1/organizations/{org}/suggestions"
    r = api.call("GET", base + "?k=5").json()
    assert r["source"] == "stored" and r["computed_at"]
    assert [s["partner_id"] for s in r["suggestions"]] == nightly[:5]
    for query in ("?k=5&fresh=true", "?k=5&kind=university", "?k=5&mode=collaboration", "?k=11"):
        assert api.call("GET", base + query).json()["source"] == "live", query
    profile = api.call("GET", f"/v1/organizations/{org}").json()
    assert api.call("PUT", f"/v1/organizations/{org}", json={**profile, "name": "Renamed"}).status_code == 200
    assert api.call("GET", base + "?k=5").json()["source"] == "live"


def test_reasons_come_in_the_asked_language(api):
    path = f"/v1/organizations/{OFFICE_ORG}/suggestions?k=5&fresh=true"
    ja = api.client.get(path, headers={"X-API-Key": api.keys["admin"],
                                       "Accept-Language": "ja-JP,ja;q=0.9,en;q=0.5"}).json()
    en = api.call("GET", path + "&lang=en").json()
    assert all(s["lang"] == "ja" and s["reasons"] for s in ja["suggestions"])
    assert all(s["lang"] == "en" and s["reasons"] for s in en["suggestions"])
    assert [s["partner_id"] for s in ja["suggestions"]] == [s["partner_id"] for s in en["suggestions"]]
    for s_ja, s_en in zip(ja["suggestions"], en["suggestions"], strict=True):
        ja_factors, en_factors = s_ja["explanation"]["factors"], s_en["explanation"]["factors"]
        assert [f["name"] for f in ja_factors] == [f["name"] for f in en_factors]  # raw names stay
        assert ja_factors and all(f["label"] != f["name"] for f in ja_factors + en_factors)
        assert all(any("\u3040" <= c <= "\u9fff" for c in f["label"]) for f in ja_factors)
        assert all(f["label"].isascii() for f in en_factors)
    for s in en["suggestions"]:
        assert 0 <= s["score_forward"] <= 1 and 0 <= s["score_backward"] <= 1 and 0 <= s["score"] <= 1
        assert s["position_by_score"] >= 1


def test_a_theme_keeps_the_partners_that_bring_it_and_says_how_each_covers_it(api):
    base = f"/v1/organizations/{OFFICE_ORG}/suggestions?k=10"
    lists = {t: api.call("GET", f"{base}&theme={t}").json()["suggestions"]
             for t in ("airport-tourism-dx", "telemedicine-remote")}
    ids = {t: [s["partner_id"] for s in found] for t, found in lists.items()}
    assert ids["airport-tourism-dx"] != ids["telemedicine-remote"]
    for t, found in lists.items():
        assert found and all(s["theme"]["theme_id"] == t and s["theme"]["covered"] for s in found)
