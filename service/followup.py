"""Pipelines of introductions: the store's records put through the follow-up rules."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

import msgspec

from data import frames as F
from data.errors import UnknownOrganization
from data.introduction_events import IntroductionEvent, IntroductionEvents, outcome_key
from data.introductions import Introduction, Introductions
from data.ndas import NdaRecord, Ndas
from data.records import DeclineReason, Key, Note, OrgId, Outcome
from data.store import Store
from matching.followup import (
    EventKind,
    InvalidEvent,
    Stall,
    StallRules,
    Step,
    acts_next,
    check_event,
    current_stage,
    next_contact_of,
    stall_of,
)
from matching.nda import confirmed_by, in_force
from service.nda import nda_steps


class EventBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """An event on an introduction, by one of its two organisations."""

    key: Key
    kind: EventKind
    by: OrgId
    reason: DeclineReason | None = None
    note: Note | None = None
    next_contact: date | None = None


class PipelineEntry(msgspec.Struct, frozen=True, kw_only=True):
    introduction: str
    requester: str
    target: str
    partner: str
    stage: str
    reached: dict[str, str]
    acts_next: str | None
    next_contact: date | None
    stalled: bool
    stall: Stall | None
    decline_reason: str | None = None
    decline_note: str | None = None
    nda_confirmed_by: list[str] = []
    nda_in_force: bool = False


class Pipeline(msgspec.Struct, frozen=True, kw_only=True):
    organization: str
    date: date
    introductions: list[PipelineEntry]


def _steps(events: list[IntroductionEvent]) -> list[Step]:
    return [Step(kind=e.kind, at=e.at, by=e.by, next_contact=e.next_contact) for e in events]


def entry(intro: Introduction, events: list[IntroductionEvent], org: str, today: date,
          rules: StallRules, ndas: Sequence[NdaRecord] = ()) -> PipelineEntry:
    steps = _steps(events)
    stage = current_stage(intro.status, steps)
    created = F.parse_ts(intro.created_at)
    decided = F.parse_ts(intro.decided_at) if intro.decided_at else None
    declined = next((e for e in events if e.kind == "declined"), None)
    reached = {"requested": intro.created_at}
    if decided and (intro.status != "declined" or declined is not None):  # accepted first
        reached["accepted"] = intro.decided_at  # type: ignore[assignment]
    for e in events:
        if e.kind != "note":
            reached.setdefault(e.kind, F.format_ts(e.at))
    if intro.status == "declined" and declined is None and intro.decided_at:
        reached["declined"] = intro.decided_at
    stall = stall_of(stage, created, decided, steps, today, rules)
    ndas_now = nda_steps(list(ndas))
    return PipelineEntry(
        introduction=intro.id, requester=intro.requester, target=intro.target,
        partner=intro.target if org == intro.requester else intro.requester, stage=stage,
        reached=reached, acts_next=acts_next(stage, (intro.requester, intro.target), steps),
        next_contact=next_contact_of(steps) if stage not in ("declined", "launched") else None,
        stalled=stall is not None, stall=stall,
        decline_reason=declined.reason if declined else intro.reason,
        decline_note=declined.note if declined else intro.note,
        nda_confirmed_by=sorted(confirmed_by(ndas_now)) if stage != "declined" else [],
        nda_in_force=stage != "declined" and in_force((intro.requester, intro.target), ndas_now))


def pipeline(store: Store, org: str, today: date, rules: StallRules) -> Pipeline:
    """Every introduction ``org`` is part of, newest first, as of ``today``."""
    if not store.has_organization(org):
        raise UnknownOrganization(org)
    intros = Introductions(store).for_org(org, limit=10_000)
    ids = [i.id for i in intros]
    events, ndas = IntroductionEvents(store).of(ids), Ndas(store).of(ids)
    return Pipeline(organization=org, date=today,
                    introductions=[entry(i, events[i.id], org, today, rules, ndas[i.id]) for i in intros])


def record_event(store: Store, intro_id: str, body: EventBody,
                 now: datetime | None = None) -> tuple[IntroductionEvent, bool]:
    """Check and store an event (and its outcome) in one transaction; (event, created).

    Raises:
        EventRejected: the event does not fit the introduction.
        OutcomeConflict: the key was used with a different body.
    """
    now = now or datetime.now(UTC)
    intro = Introductions(store).get(intro_id)
    event = IntroductionEvent(key=outcome_key(intro.id, body.key), intro_id=intro.id,
                              kind=body.kind, by=body.by, at=now, reason=body.reason,
                              note=body.note, next_contact=body.next_contact)
    events = IntroductionEvents(store)
    stored = events.same_as_stored(event)
    if stored is not None:
        return stored, False
    if (body.kind == "declined") != (body.reason is not None):
        raise InvalidEvent("reason is required for kind 'declined' and only for it", "$.reason")

    def check() -> None:  # against the state the write transaction sees
        current = Introductions(store).get(intro_id)
        check_event(current.status, _steps(events.of([intro_id])[intro_id]), body.kind, body.by,
                    (intro.requester, intro.target), body.next_contact, now.date())
        if body.kind == "note" and body.note is None and body.next_contact is None:
            raise InvalidEvent("a note event carries a note or a next contact (or both)", "$.note")

    outcome = None
    if body.kind != "note":
        other = intro.target if body.by == intro.requester else intro.requester
        outcome = Outcome(key=event.key, members=(body.by, other), stage=body.kind, at=now,
                          reason=body.reason, suggestion_id=intro.id)
    events.record(event, outcome, check)
    return event, True
