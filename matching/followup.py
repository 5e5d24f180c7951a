"""Follow-up of introductions: stages, who acts next, and the stall rules — pure, no I/O.

Every rule about an introduction's progress lives here, evaluated over its records and a
given day, so the API, the digest and tests on fixed dates apply the same rules.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

import msgspec

# An introduction's stages in order; declined ends it at any point.
PIPELINE_STAGES: tuple[str, ...] = ("requested", "accepted", "meeting", "poc", "contract", "launched")
EventKind = Literal["meeting", "poc", "contract", "launched", "declined", "note"]
STAGE_EVENTS: tuple[str, ...] = ("meeting", "poc", "contract", "launched")
# A next contact further ahead is a typo (9999-12-31), and would hold off the quiet rule for good.
NEXT_CONTACT_MAX_DAYS = 730


class StallRules(msgspec.Struct, frozen=True, kw_only=True):
    """When an introduction counts as stalled (days)."""

    unanswered_days: int = 14      # a request nobody answered
    quiet_days: int = 30           # no event since acceptance or the last event
    poc_days: int = 90             # a PoC without a contract


class EventRejected(Exception):
    """An event that does not fit the introduction; ``field`` names the part at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotAParty(EventRejected):
    """The organisation named as acting is neither side of the introduction."""


class InvalidEvent(EventRejected):
    """An event whose own values are wrong (a next contact in the past, a missing reason)."""


class Step(msgspec.Struct, frozen=True, kw_only=True):
    """One recorded event of an introduction (as the rules see it)."""

    kind: str
    at: datetime
    by: str
    next_contact: date | None = None


class Stall(msgspec.Struct, frozen=True, kw_only=True):
    rule: Literal["unanswered", "quiet", "poc_without_contract", "next_contact_passed"]
    reason: str


def current_stage(status: str, steps: list[Step]) -> str:
    """The furthest stage reached (declined wins)."""
    if status == "declined" or any(s.kind == "declined" for s in steps):
        return "declined"
    stage = status
    for s in steps:
        if s.kind in STAGE_EVENTS and PIPELINE_STAGES.index(s.kind) > PIPELINE_STAGES.index(stage):
            stage = s.kind
    return stage


def check_event(status: str, steps: list[Step], kind: str, by: str, parties: tuple[str, str],
                next_contact: date | None, today: date) -> None:
    """Raise EventRejected unless ``kind`` by ``by`` may be recorded now."""
    if by not in parties:
        raise NotAParty(f"{by} is not a party of this introduction ({parties[0]}, {parties[1]})",
                        "$.by")
    stage = current_stage(status, steps)
    if stage == "declined":
        raise EventRejected("the introduction is declined; nothing more can be recorded on it", "$.kind")
    if stage == "requested":
        raise EventRejected(f"a {kind} event needs an accepted introduction; it is still requested"
                            " (the target accepts or declines it first)", "$.kind")
    # Stages only move forward; a second meeting is still a meeting.
    repeat_meeting = kind == "meeting" and stage in ("accepted", "meeting")
    if (kind in STAGE_EVENTS and PIPELINE_STAGES.index(kind) <= PIPELINE_STAGES.index(stage)
            and not repeat_meeting):
        raise EventRejected(f"a {kind} event is out of order: the introduction is already at {stage}",
                                "$.kind")
    if stage == "launched" and kind != "note":
        raise EventRejected("the introduction is launched; only notes can follow", "$.kind")
    if next_contact is not None and next_contact < today:
        raise InvalidEvent(f"next_contact {next_contact} lies in the past (today is {today})",
                           "$.next_contact")
    if next_contact is not None and next_contact > today + timedelta(days=NEXT_CONTACT_MAX_DAYS):
        raise InvalidEvent(f"next_contact {next_contact} lies more than {NEXT_CONTACT_MAX_DAYS} days"
                           f" ahead (today is {today})", "$.next_contact")


def next_contact_of(steps: list[Step]) -> date | None:
    """The next contact agreed most recently (either side may set it)."""
    dated = [s for s in steps if s.next_contact is not None]
    return dated[-1].next_contact if dated else None


def acts_next(stage: str, parties: tuple[str, str], steps: list[Step]) -> str | None:
    """Who moves the introduction on: the target answers a request; afterwards the side that
    did not record the last event; nobody once it is declined or launched."""
    requester, target = parties
    if stage == "requested":
        return target
    if stage in ("declined", "launched"):
        return None
    if not steps:
        return requester
    return target if steps[-1].by == requester else requester


def stall_of(stage: str, created: datetime, accepted: datetime | None, steps: list[Step],
             today: date, rules: StallRules) -> Stall | None:
    """The first stall rule an introduction breaks on ``today``, or None.

    The rules, in the order they are tried (the first that applies is the one shown): a request
    unanswered too long; a next contact passed with nothing recorded since; a PoC too long
    without a contract; too long without any event. The quiet rule leaves out an introduction
    with a next contact agreed for today or later: both sides have agreed when to talk next,
    so the silence until then is not a stall.
    """
    if stage in ("declined", "launched"):
        return None
    if stage == "requested":
        waited = (today - created.date()).days
        if waited > rules.unanswered_days:
            return Stall(rule="unanswered", reason=f"the request has waited {waited} days for an"
                         f" answer (more than {rules.unanswered_days})")
        return None
    last = max([s.at for s in steps] + [accepted or created]).date()
    due = next_contact_of(steps)
    if due is not None and due < today and last < due:
        return Stall(rule="next_contact_passed",
                     reason=f"the next contact agreed for {due} passed with nothing recorded")
    if stage == "poc":
        poc_at = min(s.at for s in steps if s.kind == "poc").date()
        if (today - poc_at).days > rules.poc_days:
            return Stall(rule="poc_without_contract", reason=f"a PoC since {poc_at}, more than"
                         f" {rules.poc_days} days, without a contract")
    quiet = (today - last).days
    if quiet > rules.quiet_days and (due is None or due < today):
        return Stall(rule="quiet", reason=f"no event for {quiet} days (more than {rules.quiet_days})")
    return None
