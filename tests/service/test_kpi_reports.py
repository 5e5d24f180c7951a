"""KPI reports are computed off the request path, once per state of their inputs: a report
is served again until something it reads changes, and every such change is noticed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import service.kpis as service_kpis
from data import kpi_reports
from data.kpi_reports import KpiReports
from data.records import Outcome
from data.stored_lists import StoredLists
from service.batch import run_batch
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


@pytest.fixture
def computed(monkeypatch) -> list[str | None]:
    """The organisations (None: the ecosystem) whose KPIs were computed, in order."""
    seen: list[str | None] = []
    real = service_kpis.kpis

    def counting(store, org, *args, **kwargs):
        seen.append(org)
        return real(store, org, *args, **kwargs)

    monkeypatch.setattr(service_kpis, "kpis", counting)
    return seen


def test_a_report_is_computed_once_and_again_after_each_change_it_reads(api, computed):
    def requests() -> dict:
        r = api.call("GET", f"/v1/organizations/{OFFICE_ORG}/kpis", "office")
        assert r.status_code == 200, r.text
        return r.json()["requests"]

    assert requests()["requested"] == 0 and requests()["requested"] == 0
    assert computed == [OFFICE_ORG]  # the second answer was the kept report
    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG}).json()["id"]
    assert requests()["requested"] == 1
    api.call("POST", f"/v1/introductions/{made}/accept", "stranger")
    assert (requests()["accepted"], requests()["acceptance_rate"]) == (1, 1.0)
    assert computed == [OFFICE_ORG] * 3


def test_every_kind_of_write_a_report_reads_changes_its_inputs(api):
    store = api.client.app.state.store
    reports = KpiReports(store)
    seen = [reports.inputs()]

    def changed() -> bool:
        seen.append(reports.inputs())
        return seen[-1] != seen[-2]

    made = api.call("POST", "/v1/introductions", "office",
                    json={"requester": OFFICE_ORG, "target": STRANGER_ORG}).json()["id"]
    assert changed(), "a request"
    api.call("POST", f"/v1/introductions/{made}/accept", "stranger")
    assert changed(), "an answer"
    event = api.call("POST", f"/v1/introductions/{made}/events", "office",
                     json={"key": "k1", "kind": "note", "by": OFFICE_ORG, "note": "call"})
    assert event.status_code == 201, event.text
    assert changed(), "an event"
    store.append_outcome(Outcome(key="kpi-1", members=(OFFICE_ORG, STRANGER_ORG), stage="meeting",
                                 at=datetime.now(UTC)))
    assert changed(), "an outcome"
    StoredLists(store).replace(OFFICE_ORG, [], None)
    assert changed(), "a stored list written"
    profile = api.call("GET", f"/v1/organizations/{STRANGER_ORG}", "admin").json()
    StoredLists(store).replace(OFFICE_ORG, [(STRANGER_ORG, 0.5, b"{}")], None)
    changed()
    api.call("PUT", f"/v1/organizations/{STRANGER_ORG}", "admin", json={**profile, "name": "Renamed"})
    assert changed(), "a profile update (and the stored lists quoting it dropped)"


def test_a_batch_run_leaves_the_reports_of_the_ecosystem_and_of_each_office_ready(api, computed):
    run_batch(api.client.app.state.store, since=datetime(2026, 3, 1, tzinfo=UTC), k=5,
              log=lambda _m: None, progress=False)
    assert None in computed and OFFICE_ORG in computed and STRANGER_ORG in computed
    computed.clear()
    assert api.call("GET", "/v1/kpis", "analyst").status_code == 200
    assert api.call("GET", f"/v1/organizations/{OFFICE_ORG}/kpis", "office").status_code == 200
    assert computed == []  # both answered from the reports the run left


def test_the_store_keeps_the_newest_reports_up_to_its_bound(api, monkeypatch):
    monkeypatch.setattr(kpi_reports, "KEEP_MOST", 3)
    reports = KpiReports(api.client.app.state.store)
    for i in range(6):
        reports.put(f"range-{i}", "inputs", f"2026-12-0{i + 1}T00:00:00.000000Z", b"{}")
    kept = api.client.app.state.store.read("SELECT key FROM kpi_reports ORDER BY key")
    assert [k for (k,) in kept] == ["range-3", "range-4", "range-5"]
