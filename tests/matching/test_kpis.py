"""KPIs against a small log computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from data import frames as F
from matching.kpis import RequestRecord, compute_kpis


def ts(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


ORGS = pl.DataFrame({
    "id": ["A", "B", "C", "D"],
    "kind": ["company", "startup", "university", "company"],
    "region": ["JP-13", "JP-01", "JP-27", "JP-23"],
    "size_band": ["large", "micro", None, "large"],
    "registered_at": [ts("2020-01-01"), ts("2026-03-01"), ts("2019-01-01"), ts("2025-12-01")],
}, schema_overrides={"registered_at": F.TS})

LOG = [  # (members, stage, day, reason)
    (("A", "B"), "suggested", "2026-01-10", None),
    (("A", "B"), "contacted", "2026-01-20", None),
    (("A", "B"), "meeting", "2026-02-09", None),
    (("A", "B"), "poc", "2026-03-11", None),
    (("A", "C"), "suggested", "2026-02-01", None),
    (("C", "A"), "declined", "2026-02-05", "no_fit"),
    (("D", "C"), "contacted", "2026-03-01", None),  # asked through the API: no suggestion logged
    (("D", "C"), "meeting", "2026-03-05", None),
    (("C", "D"), "contract", "2026-04-04", None),  # the PoC was skipped
    (("C", "D"), "launched", "2026-08-01", None),  # after the window
    (("B", "D"), "suggested", "2025-12-01", None),  # began before the window
    (("B", "D"), "contacted", "2026-01-05", None),
    (("A", "B", "C"), "contract", "2026-02-01", None),  # a group: no pair journey
]


def log_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    outcomes = pl.DataFrame({
        "seq": list(range(1, len(LOG) + 1)), "key": [f"k{i}" for i in range(len(LOG))],
        "stage": [s for _, s, _, _ in LOG], "at": [ts(d) for _, _, d, _ in LOG],
        "reason": [r for *_, r in LOG], "suggestion_id": [None] * len(LOG), "theme": [None] * len(LOG),
    }, schema=F.OUTCOME_SCHEMA)
    members = pl.DataFrame(
        [(i + 1, pos, org) for i, (m, *_) in enumerate(LOG) for pos, org in enumerate(m)],
        schema=F.MEMBER_SCHEMA, orient="row")
    return outcomes, members


SLOTS = pl.DataFrame({"org_id": ["A", "A", "A", "C", "C"], "partner_id": ["B", "C", "D", "A", "B"],
                      "created_at": [ts("2026-01-01")] * 5}, schema_overrides={"created_at": F.TS})
RECORDS = [
    RequestRecord(requester="A", target="B", created=ts("2026-01-20"), answer="accepted"),
    RequestRecord(requester="D", target="C", created=ts("2026-03-01"), answer="accepted"),
    RequestRecord(requester="D", target="A", created=ts("2026-05-01"), answer="pending",
                  stall_rule="unanswered"),
    RequestRecord(requester="B", target="C", created=ts("2026-06-01"), answer="declined"),
    RequestRecord(requester="A", target="C", created=ts("2025-06-01"), answer="declined"),  # before
]
WINDOW = (date(2026, 1, 1), date(2026, 6, 30))


@pytest.fixture
def whole():
    return compute_kpis(*log_frames(), ORGS, SLOTS, RECORDS, *WINDOW)


def test_the_funnel_counts_journeys_that_reached_each_stage_with_conversion_and_median_days(whole):
    assert whole.journeys == 3
    assert [(f.stage, f.journeys, f.conversion, f.median_days) for f in whole.funnel] == [
        ("suggested", 3, None, 0.0),
        ("contacted", 2, 0.6667, 5.0),   # A-B after 10 days, C-D at once
        ("meeting", 2, 1.0, 17.0),       # 30 and 4 days
        ("poc", 2, 1.0, 47.0),           # 60, and C-D's contract at 34 counts as past the PoC
        ("contract", 1, 0.5, 34.0),
        ("launched", 0, 0.0, None),      # C-D's launch lies after the window
    ]


def test_requests_declines_acted_on_and_stalls(whole):
    r = whole.requests
    assert (r.requested, r.accepted, r.declined, r.pending, r.acceptance_rate) == (4, 2, 1, 1, 0.6667)
    assert whole.decline_reasons == {"no_fit": 1}
    a = whole.acted_on
    assert (a.suggestions, a.acted_on, a.share) == (2, 1, 0.5)  # A-B went on, A-C did not
    assert (a.stored_slots, a.stored_slots_acted_on, a.stored_share) == (5, 1, 0.2)
    assert (whole.stalled, whole.stalled_by_rule) == (1, {"unanswered": 1})


def test_exposure_of_newcomers_smes_and_regions_beside_their_share_of_the_ecosystem(whole):
    got = {e.group: (e.stored_slots, e.introductions, e.ecosystem) for e in whole.exposure}
    # Slots go to B, C, D, A, B; introductions asked B (of A) and C (of D).
    assert got == {"newcomers": (0.6, 0.5, 0.5),             # B and D are under a year old
                   "startups_smes": (0.4, 0.5, 0.25),        # B only (D is large)
                   "outside_metropolitan": (0.4, 0.5, 0.25)}  # B only (C Osaka, D Aichi)


def test_one_organisation_sees_only_its_own_journeys():
    mine = compute_kpis(*log_frames(), ORGS, SLOTS.filter(pl.col("org_id") == "A"),
                        [r for r in RECORDS if "A" in (r.requester, r.target)], *WINDOW, org="A")
    assert mine.journeys == 2
    assert [f.journeys for f in mine.funnel] == [2, 1, 1, 1, 0, 0]
    assert mine.acted_on.stored_share == pytest.approx(1 / 3, abs=1e-4)
    assert {e.group: e.introductions for e in mine.exposure} == {
        "newcomers": 1.0, "startups_smes": 1.0, "outside_metropolitan": 1.0}  # its one partner, B
    assert mine.requests.requested == 2


def test_an_empty_window_has_no_rates_instead_of_a_division_by_zero():
    empty = compute_kpis(*log_frames(), ORGS, SLOTS.clear(), [], date(2030, 1, 1), date(2030, 2, 1))
    assert empty.journeys == 0 and all(f.journeys == 0 for f in empty.funnel)
    assert empty.requests.acceptance_rate is None and empty.acted_on.share is None
    assert all(e.stored_slots is None and e.introductions is None for e in empty.exposure)
