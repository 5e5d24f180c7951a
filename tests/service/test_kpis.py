"""KPIs over HTTP: who may read them, the window, and figures that follow the log."""

from __future__ import annotations

from datetime import date

import service.kpis as service_kpis
from matching.followup import StallRules
from matching.kpis import compute_kpis
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


def test_ecosystem_kpis_are_for_admins_and_analysts(api):
    whole = api.call("GET", "/v1/kpis?from=2020-01-01&to=2026-12-31", "analyst")
    assert whole.status_code == 200, whole.text
    body = whole.json()
    assert (body["from"], body["to"], body["organization"]) == ("2020-01-01", "2026-12-31", None)
    assert [f["stage"] for f in body["funnel"]] == ["suggested", "contacted", "meeting", "poc",
                                                    "contract", "launched"]
    assert body["funnel"][0]["journeys"] == body["journeys"] > 0
    assert {e["group"] for e in body["exposure"]} == {"newcomers", "startups_smes", "outside_metropolitan"}
    assert api.call("GET", "/v1/kpis", "office").status_code == 403


def test_an_office_reads_its_own_kpis_and_its_requests_count(api):
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG}).json()["id"]
    api.call("POST", f"/v1/introductions/{made}/accept", "stranger")
    mine = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/kpis", "office")
    assert mine.status_code == 200, mine.text
    requests = mine.json()["requests"]
    assert (requests["requested"], requests["accepted"], requests["acceptance_rate"]) == (1, 1, 1.0)
    assert api.call("GET", f"/v1/organizations/{STRANGER_ORG}/kpis", "office").status_code == 403
    assert api.call("GET", f"/v1/kpis?org={OFFICE_ORG}", "admin").json()["requests"] == requests


def test_bad_kpi_queries_name_the_parameter(api):
    backwards = api.call("GET", "/v1/kpis?from=2026-02-01&to=2026-01-01", "admin")
    assert (backwards.status_code, backwards.json()["field"]) == (422, "from")
    not_a_date = api.call("GET", "/v1/kpis?to=yesterday", "admin")
    assert (not_a_date.status_code, not_a_date.json()["field"]) == (422, "to")
    unknown = api.call("GET", "/v1/kpis?org=org-nope", "admin")
    assert (unknown.status_code, unknown.json()["field"]) == (404, "org")
    assert api.call("GET", "/v1/organizations/org-nope/kpis", "admin").status_code == 404


def test_dates_far_outside_any_log_are_a_422_not_an_overflow(api):
    for query, field in (("to=0001-01-01", "to"), ("from=9999-12-31", "from")):
        r = api.call("GET", f"/v1/kpis?{query}", "admin")
        assert (r.status_code, r.json()["field"]) == (422, field)


def test_one_organisations_kpis_read_its_outcomes_only_and_equal_those_of_the_whole_log(api):
    store = api.client.app.state.store
    busiest = store.read("SELECT org_id FROM outcome_members GROUP BY org_id ORDER BY COUNT(*) DESC"
                         " LIMIT 1")[0][0]
    start, end, rules = date(2020, 1, 1), date(2026, 12, 31), StallRules()
    outcomes, members = store.outcome_frames()  # the whole log, as the ecosystem's KPIs read it
    whole = compute_kpis(outcomes, members, service_kpis.org_frame(store),
                         service_kpis.slot_frame(store, busiest),
                         service_kpis.request_records(store, busiest, end, rules), start, end, busiest)
    mine = service_kpis.kpis(store, busiest, start, end, rules, today=end)
    assert mine.journeys > 0 and mine == whole
