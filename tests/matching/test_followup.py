from datetime import UTC, date, datetime

import pytest

from matching.followup import (
    EventRejected,
    InvalidEvent,
    NotAParty,
    StallRules,
    Step,
    acts_next,
    check_event,
    current_stage,
    stall_of,
)

A, B = "org-a", "org-b"
RULES = StallRules(unanswered_days=14, quiet_days=30, poc_days=90)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def test_an_unanswered_request_stalls_after_k_days():
    assert stall_of("requested", at("2026-01-01"), None, [], date(2026, 1, 15), RULES) is None
    stall = stall_of("requested", at("2026-01-01"), None, [], date(2026, 1, 16), RULES)
    assert stall is not None and stall.rule == "unanswered"


def test_no_event_for_n_days_after_acceptance_stalls():
    assert stall_of("accepted", at("2026-01-01"), at("2026-01-02"), [], date(2026, 2, 1), RULES) is None
    stall = stall_of("accepted", at("2026-01-01"), at("2026-01-02"), [], date(2026, 2, 2), RULES)
    assert stall is not None and stall.rule == "quiet"


def test_a_poc_without_contract_stalls_after_m_days_even_with_recent_notes():
    steps = [Step(kind="poc", at=at("2026-01-10"), by=A),
             Step(kind="note", at=at("2026-04-09"), by=B)]
    stall = stall_of("poc", at("2026-01-01"), at("2026-01-02"), steps, date(2026, 4, 11), RULES)
    assert stall is not None and stall.rule == "poc_without_contract"


def test_a_passed_next_contact_with_nothing_recorded_stalls():
    steps = [Step(kind="meeting", at=at("2026-03-01"), by=A, next_contact=date(2026, 3, 10))]
    assert stall_of("meeting", at("2026-01-01"), at("2026-02-28"), steps, date(2026, 3, 10), RULES) is None
    stall = stall_of("meeting", at("2026-01-01"), at("2026-02-28"), steps, date(2026, 3, 11), RULES)
    assert stall is not None and stall.rule == "next_contact_passed"
    later = [*steps, Step(kind="note", at=at("2026-03-11"), by=B)]
    assert stall_of("meeting", at("2026-01-01"), at("2026-02-28"), later, date(2026, 3, 12), RULES) is None


def test_a_stage_moves_forward_only_and_the_other_side_acts_next():
    steps = [Step(kind="poc", at=at("2026-01-10"), by=A)]
    assert current_stage("accepted", steps) == "poc"
    assert acts_next("poc", (A, B), steps) == B
    assert acts_next("requested", (A, B), []) == B
    with pytest.raises(EventRejected, match="out of order"):
        check_event("accepted", steps, "meeting", A, (A, B), None, date(2026, 1, 11))


@pytest.mark.parametrize(("status", "kind", "by", "next_contact", "error", "field"), [
    ("requested", "contract", A, None, EventRejected, "$.kind"),
    ("declined", "note", A, None, EventRejected, "$.kind"),
    ("accepted", "meeting", "org-c", None, NotAParty, "$.by"),
    ("accepted", "meeting", A, date(2026, 1, 1), InvalidEvent, "$.next_contact"),
])
def test_bad_events_are_refused_naming_the_field(status, kind, by, next_contact, error, field):
    with pytest.raises(error) as refused:
        check_event(status, [], kind, by, (A, B), next_contact, date(2026, 2, 1))
    assert refused.value.field == field


def test_an_agreed_future_contact_is_not_a_quiet_stall_and_a_passed_one_is_shown_first():
    agreed = [Step(kind="meeting", at=at("2026-01-10"), by=A, next_contact=date(2026, 4, 1))]
    assert stall_of("meeting", at("2026-01-01"), at("2026-01-02"), agreed, date(2026, 3, 23), RULES) is None
    passed = stall_of("meeting", at("2026-01-01"), at("2026-01-02"), agreed, date(2026, 4, 2), RULES)
    assert passed is not None and passed.rule == "next_contact_passed"
