"""The API contract: one vocabulary on every surface, literal search, pages that can be followed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from data.records import MAX_CLOCK_SKEW, Outcome
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG
from tests.service.test_api import NEW_ORG

OUTCOME = {"key": "crm-7", "members": [OFFICE_ORG, STRANGER_ORG], "stage": "poc",
           "at": "2026-10-01T09:00:00Z"}


def test_unknown_outcome_theme_is_a_422_naming_theme(api):
    r = api.call("POST", "/v1/outcomes", json={**OUTCOME, "theme": "banana"})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("unknown_theme", "$.theme")
    ok = api.call("POST", "/v1/outcomes", json={**OUTCOME, "theme": "regional-it-talent"})
    assert ok.status_code == 201, ok.text


def test_a_theme_already_in_the_outcome_log_is_accepted(api):
    store = api.client.app.state.store
    store.append_outcome(msgspec_outcome("imported-1", theme="H2020-EU.3.1."))
    r = api.call("POST", "/v1/outcomes", json={**OUTCOME, "theme": "H2020-EU.3.1."})
    assert r.status_code == 201, r.text


def msgspec_outcome(key: str, theme: str) -> Outcome:
    return Outcome(key=key, members=(OFFICE_ORG, STRANGER_ORG), stage="contract",
                   at=datetime(2020, 1, 1, tzinfo=UTC), theme=theme)


def test_unknown_suggestion_theme_is_a_422_not_ignored(api):
    r = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?theme=banana")
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("unknown_theme", "theme")
    assert api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?theme=gov-dx&k=3").status_code == 200


def test_unknown_consortium_theme_has_the_same_error_body(api):
    r = api.call("POST", "/v1/consortia", json={"lead": OFFICE_ORG, "theme": "banana"})
    assert r.status_code == 422
    assert (r.json()["code"], r.json()["field"]) == ("unknown_theme", "$.theme")


@pytest.mark.parametrize(("query", "field"), [
    ("industry=banana", "industry"), ("kind=bank", "kind"), ("region=Tokyo", "region")])
def test_search_rejects_words_outside_the_vocabulary(api, query, field):
    r = api.call("GET", f"/v1/organizations?{query}")
    assert r.status_code in (400, 422) and r.json()["code"] == "invalid_input"
    assert r.json()["field"] == field
    assert api.call("GET", f"/v1/organizations/{OFFICE_ORG}/suggestions?{query}").status_code in (400, 422)


def test_search_by_industry_still_filters(api):
    page = api.call("GET", "/v1/organizations?industry=food&limit=200").json()
    assert page["total"] > 0 and all("food" in o["industries"] for o in page["items"])


@pytest.mark.parametrize("wildcard", ["%", "_"])
def test_like_wildcards_match_literally(api, wildcard):
    assert api.call("GET", f"/v1/organizations?q={wildcard}").json()["total"] == 0
    body = {**NEW_ORG, "strengths": [{"tag": "fa.foodtech", "text": f"yield 100{wildcard} up"}]}
    assert api.call("POST", "/v1/organizations", json=body).status_code == 201
    found = api.call("GET", f"/v1/organizations?q=100{wildcard}").json()
    assert [o["id"] for o in found["items"]] == [NEW_ORG["id"]]
    assert api.call("GET", f"/v1/organizations?q={wildcard}").json()["total"] == 1


def test_an_outcome_in_the_future_is_a_422(api):
    later = (datetime.now(UTC) + MAX_CLOCK_SKEW + timedelta(minutes=2)).isoformat()
    r = api.call("POST", "/v1/outcomes", json={**OUTCOME, "at": later})
    assert r.status_code == 422 and "future" in r.json()["message"]
    naive = api.call("POST", "/v1/outcomes", json={**OUTCOME, "at": "2026-10-01T09:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "$.at"


def test_outcome_pages_can_be_followed_with_their_seq(api):
    seen, after, pages = [], 0, 0
    while after is not None:
        page = api.call("GET", f"/v1/outcomes?org={OFFICE_ORG}&limit=3&after={after}").json()
        seen += [e["seq"] for e in page["outcomes"]]
        after, pages = page["next_after"], pages + 1
        assert pages < 500
    everything = api.call("GET", f"/v1/outcomes?org={OFFICE_ORG}&limit=500").json()["outcomes"]
    assert seen == [e["seq"] for e in everything] and len(seen) > 3
    assert seen == sorted(set(seen))


def test_a_read_outcome_can_be_posted_back_unchanged(api):
    entry = api.call("GET", "/v1/outcomes?limit=1").json()["outcomes"][0]
    assert entry["outcome"]["key"].startswith("gen-")
    again = api.call("POST", "/v1/outcomes", json=entry["outcome"])
    assert again.status_code == 200, again.text
    assert again.json()["seq"] == entry["seq"] and again.json()["created"] is False


def test_introductions_are_paged(api):
    for target in ("org-0000003", "org-0000004", "org-0000005"):
        r = api.call("POST", "/v1/introductions", json={"requester": OFFICE_ORG, "target": target},
                     who="office")
        assert r.status_code == 201
    first = api.call("GET", "/v1/introductions?limit=2", who="office").json()
    second = api.call("GET", "/v1/introductions?limit=2&offset=2", who="office").json()
    assert len(first["introductions"]) == 2 and len(second["introductions"]) == 1
    ids = {i["id"] for i in first["introductions"]} | {i["id"] for i in second["introductions"]}
    assert len(ids) == 3
    for bad in ("limit=0", "limit=201", "offset=-1"):
        assert api.call("GET", f"/v1/introductions?{bad}", who="office").status_code in (400, 422)


def test_openapi_documents_tuples_as_arrays_and_the_error_body_that_is_sent(api):
    spec = api.call("GET", "/docs/openapi.json").json()
    schemas = spec["components"]["schemas"]
    strengths = schemas["Organization"]["properties"]["strengths"]
    assert strengths["items"] == {"$ref": "#/components/schemas/Item"} and strengths["maxItems"] == 32
    assert set(schemas["ErrorBody"]["properties"]) == {"code", "message", "field"}
    error_ref = {"$ref": "#/components/schemas/ErrorBody"}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
            assert "500" in errors, (method, path)
            for status, response in errors.items():
                assert response["content"]["application/json"]["schema"] == error_ref, (path, status)
    outcomes = spec["paths"]["/v1/outcomes"]["post"]["responses"]
    assert {"200", "201", "401", "403", "404", "409", "413", "415", "422"} <= set(outcomes)
