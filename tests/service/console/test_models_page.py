"""The models page: promote, roll back and train answer with a redirect (post-redirect-get), and
the page they lead to shows what was done once."""

from __future__ import annotations

import re

import pytest

from data.registry import Registry
from data.store import Store
from data.training_jobs import TrainingJobs
from service.modeling import split_span
from tests.service.test_model_swap import register_random_model, seed_evaluations


@pytest.mark.parametrize(("path", "data", "shown"), [
    ("/console/models/rollback", {"confirm": "1"}, "nothing earlier than"),
    ("/console/models/v-none/promote", {"confirm": "1", "force": "1"}, "unknown model version"),
])
def test_a_step_answers_with_a_redirect_and_its_outcome_is_shown_once(console, path, data, shown):
    console.sign_in("analyst")
    r = console.post(path, data, page="/console/models")
    assert r.status_code == 303 and r.headers["location"] == "/console/models"
    after = console.client.get("/console/models")
    assert after.status_code == 200 and shown in after.text and 'role="alert"' in after.text
    again = console.client.get("/console/models")  # a reload asks for nothing and shows nothing
    assert shown not in again.text and 'role="alert"' not in again.text


def test_the_rules_verdict_is_shown_after_the_redirect_and_a_reload_changes_nothing(console, tmp_path):
    store = console.client.app.state.store
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.30)
    register_random_model(store, tmp_path / "m", "v-b", 2, 0.35)
    seed_evaluations(store, {"v-a": 0.30, "v-b": 0.35})
    console.sign_in("analyst")
    for path, data, verdict in (
            ("/console/models/v-a/promote", {"confirm": "1", "force": "1"}, "v-a: forced by key"),
            ("/console/models/v-b/promote", {"confirm": "1"}, "NDCG@10 0.3500: at least the live"),
            ("/console/models/rollback", {"confirm": "1"}, "rolled back to v-a")):
        assert console.post(path, data, page="/console/models").status_code == 303
        shown = console.client.get("/console/models").text
        assert 'class="ok verdict"' in shown and verdict in shown, verdict
        history = len(Registry(store).history())
        assert 'class="ok verdict"' not in console.client.get("/console/models").text
        assert len(Registry(store).history()) == history
    assert store.live_model_version() == "v-a"


def test_the_jobs_table_polls_while_a_job_is_going_and_stops_when_none_is(console):
    console.sign_in("analyst")
    jobs = TrainingJobs(console.client.app.state.store)
    assert "hx-trigger" not in console.client.get("/console/models/jobs").text
    job = jobs.start("test")["id"]
    for page in ("/console/models", "/console/models/jobs"):
        text = console.client.get(page).text
        section = text[text.index('<section id="jobs"'):]
        assert section.split(">", 1)[0].count('hx-get="/console/models/jobs"') == 1, page
        assert job in section and "queued" in section
    jobs.finish(job, version="v-x", metrics={})
    polled = console.client.get("/console/models/jobs", headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in polled and "done" in polled and 'href="/console/models"' in polled


def figures(html: str, start: str, row: str, value: str) -> dict[str, str]:
    part = html[html.index(start):]
    part = part[:part.index("</table>" if "table" in start else "</svg>")]
    return dict(re.findall(row + r"\s*" + value, part, re.S))


def test_the_chart_and_the_table_show_the_same_split_in_words(console, tmp_path):
    store = console.client.app.state.store
    old_split = "19000.000/19100.000/19191.000/19373.000@10n10"
    split = seed_evaluations(store, {"v-a": 0.30, "v-b": 0.35})
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.91, split_id=old_split)
    register_random_model(store, tmp_path / "m", "v-c", 3, 0.25, split_id=old_split)
    register_random_model(store, tmp_path / "m", "v-b", 2, 0.82, split_id=split)
    console.sign_in("analyst")
    html = console.client.get("/console/models").text
    table = figures(html, '<table id="versions"', r'<th scope="row">([^<]+)</th>', r"<td>([^<]+)</td>")
    chart = figures(html, '<figure id="comparison"', r'<text x="0" y="\d+">([^<]+)</text>',
                    r'<rect[^>]*/>\s*<text[^>]*>([^<]+)</text>')
    assert table == chart and table["v-a"] == "0.3000" and table["v-b"] == "0.3500"
    assert table["v-c*"] == "0.2500" and table["baseline: popularity"] == "0.1000"
    assert split not in html and old_split not in html  # split keys are not words
    span = split_span(split)
    assert f"Figures on the held-out days {span.test_from} to {span.test_to}" in html
    assert ("v-c*: * figures on its own training split: the held-out days 2022-07-18 to 2023-01-15"
            " (an outcome log of 10 events)") in html


@pytest.mark.parametrize("path", ["/console/models/train", "/console/models/v1/promote",
                                  "/console/models/rollback"])
def test_an_office_posting_to_an_analysts_action_is_refused_with_403(console, path):
    console.sign_in("office")
    with Store(console.db) as store:
        before = (Registry(store).history(), TrainingJobs(store).recent(5))
    r = console.post(path, {"confirm": "1", "force": "1"})
    assert r.status_code == 403
    assert "location" not in r.headers and "This key may not do this." in r.text
    with Store(console.db) as store:
        assert (Registry(store).history(), TrainingJobs(store).recent(5)) == before
