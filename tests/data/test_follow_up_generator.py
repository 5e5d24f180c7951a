"""The generated follow-up: introductions, events, next contacts and NDA steps that the
API's own rules accept, and that show every state on the bundled ecosystem."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from data import frames as F
from data.generator import END, generate, public_frame
from data.generator.follow_up import follow_up
from data.introduction_history import load_follow_up
from data.store import Store
from matching.followup import PIPELINE_STAGES, StallRules
from service.followup import pipeline


@pytest.fixture(scope="module")
def eco():
    frames = generate(2000, seed=7)
    return frames, follow_up(frames[0], frames[2], frames[3], 7, END)


def test_same_seed_same_follow_up_and_the_history_is_untouched(eco):
    frames, rows = eco
    again = follow_up(frames[0], frames[2], frames[3], 7, END)
    for a, b in zip((rows.introductions, rows.events, rows.ndas),
                    (again.introductions, again.events, again.ndas), strict=True):
        assert a.equals(b)
    assert generate(2000, seed=7)[2].equals(frames[2])


def test_every_state_appears_and_nothing_lies_after_the_end(eco):
    _, rows = eco
    assert set(rows.introductions["status"]) == {"requested", "accepted", "declined"}
    assert {"poc", "contract", "declined", "note"} <= set(rows.events["kind"])
    assert {"confirm", "revoke"} <= set(rows.ndas["action"])
    end = F.format_ts(END)
    for frame, column in ((rows.introductions, "created_at"), (rows.events, "at"), (rows.ndas, "at")):
        assert frame[column].max() <= end
    due = rows.events["next_contact"].drop_nulls()
    assert due.min() < END.date().isoformat() < due.max()  # some passed, some still ahead


def test_the_pipeline_reads_the_generated_follow_up_with_stalls_and_ndas(eco, tmp_path):
    (orgs, items, outcomes, members), rows = eco
    with Store(tmp_path / "k.db") as store:
        store.load_frames(public_frame(orgs), items, outcomes, members)
        load_follow_up(store, rows)
        load_follow_up(store, rows)  # loading again adds nothing
        assert store.count("introductions") == rows.introductions.height
        parties = pl.concat([rows.introductions["requester"], rows.introductions["target"]]).unique()
        entries = [e for org in parties.to_list()[:400]
                   for e in pipeline(store, org, date(2026, 10, 1), StallRules()).introductions]
    stages = {e.stage for e in entries}
    assert {"requested", "declined"} <= stages and stages & set(PIPELINE_STAGES[2:])
    assert {e.stall.rule for e in entries if e.stall} >= {"unanswered", "next_contact_passed"}
    assert any(e.nda_in_force for e in entries) and any(e.nda_confirmed_by and not e.nda_in_force
                                                         for e in entries)


def test_every_generated_event_passes_the_rules_an_api_event_passes(eco):
    from datetime import date as Date

    from matching.followup import Step, check_event

    _, rows = eco
    status = {r["id"]: r for r in rows.introductions.iter_rows(named=True)}
    steps: dict[str, list[Step]] = {}
    for e in rows.events.iter_rows(named=True):
        intro = status[e["intro_id"]]
        done = steps.setdefault(e["intro_id"], [])
        due = Date.fromisoformat(e["next_contact"]) if e["next_contact"] else None
        at = F.parse_ts(e["at"])
        # As the API saw it then: accepted, whatever the introduction became later.
        check_event("accepted", done, e["kind"], e["by_org"], (intro["requester"], intro["target"]),
                    due, at.date())
        done.append(Step(kind=e["kind"], at=at, by=e["by_org"], next_contact=due))


def test_nda_steps_fall_between_acceptance_and_any_decline(eco):
    _, rows = eco
    intros = rows.introductions.select("id", "decided_at")
    declines = rows.events.filter(pl.col("kind") == "declined").select("intro_id", declined="at")
    steps = (rows.ndas.join(intros, left_on="intro_id", right_on="id")
             .join(declines, on="intro_id", how="left"))
    assert steps.height and (steps["at"] > steps["decided_at"]).all()
    assert steps.filter(pl.col("declined").is_not_null() & (pl.col("at") > pl.col("declined"))).height == 0
