"""The KPI page never waits for a report being computed: it shows the kept one (or says one
is being computed) at once, and its report part asks again until the report is current."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest

import service.kpis as service_kpis
from data.records import Outcome
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG


@pytest.fixture
def held(monkeypatch) -> threading.Event:
    """KPIs computed only once the returned event is set."""
    go = threading.Event()
    real = service_kpis.kpis

    def held_back(*args, **kwargs):
        assert go.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(service_kpis, "kpis", held_back)
    return go


def _poll(console, path: str = "/console/kpis") -> str:
    for _ in range(100):
        part = console.client.get(path, headers={"HX-Request": "true"}).text
        if "hx-get" not in part:
            return part
        threading.Event().wait(0.1)
    raise AssertionError("the report never became current")


def test_the_kpi_page_answers_while_its_report_is_computed_and_then_shows_it(console, held):
    console.sign_in("analyst")
    first = console.client.get("/console/kpis?from=2020-01-01")
    assert first.status_code == 200
    assert re.search(r'id="kpi-report"[^>]*hx-get="/console/kpis\?from=2020-01-01&amp;to="', first.text)
    assert 'class="computing"' in first.text and "<table" not in first.text
    held.set()
    part = _poll(console, "/console/kpis?from=2020-01-01&to=")
    assert part.lstrip().startswith('<section id="kpi-report"') and "<html" not in part  # the part alone
    assert "Funnel" in part and "Acceptance rate" in part and "Decline reasons" in part
    # A new outcome: the kept report is shown at once, marked, while the new one is computed.
    held.clear()
    console.client.app.state.store.append_outcome(Outcome(
        key="kpi-2", members=(OFFICE_ORG, STRANGER_ORG), stage="meeting", at=datetime.now(UTC)))
    stale = console.client.get("/console/kpis?from=2020-01-01").text
    assert "Funnel" in stale and "being brought up to date" in stale and "hx-get" in stale
    held.set()
    assert "being brought up to date" not in _poll(console, "/console/kpis?from=2020-01-01&to=")


def test_ranges_asked_for_beyond_what_waits_are_refused_not_queued_without_end(console, held):
    console.client.app.state.kpis.pending = 1
    console.sign_in("analyst")
    ranges = [f"/console/kpis?from=2020-01-{day:02d}" for day in (1, 2, 3)]
    assert [console.client.get(r).status_code for r in ranges[:2]] == [200, 200]  # computing, waiting
    busy = console.client.get(ranges[2])
    assert busy.status_code == 503 and "waiting to be computed" in busy.text
    held.set()
    for r in ranges[:2]:
        assert "Funnel" in console.kpis(r)
    assert "Funnel" in console.kpis(ranges[2])  # asked again once the others are done
