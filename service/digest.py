"""What an office should act on today: requests awaiting its answer, stalled introductions,
next contacts coming due, and newcomers the last nightly batch found fitting.

Built from the pipeline (``service.followup``, whose rules are ``matching.followup``) and the
stored lists; the nightly batch stores each office's digest for a mailer to deliver.
"""

from __future__ import annotations

from datetime import date, timedelta

import msgspec

from data import frames as F
from data.batch_runs import BatchRun, BatchRuns
from data.digests import Digests
from data.errors import UnknownOrganization
from data.records import Suggestion
from data.store import Store
from data.stored_lists import StoredLists
from matching.followup import StallRules
from matching.kpis import NEWCOMER_DAYS
from service.followup import PipelineEntry, pipeline

DUE_WITHIN_DAYS = 7  # next contacts this many days ahead are listed with the overdue ones
_suggestion = msgspec.json.Decoder(Suggestion)


class AwaitingAnswer(msgspec.Struct, frozen=True, kw_only=True):
    introduction: str
    requester: str
    asked_on: str
    waiting_days: int


class StalledIntroduction(msgspec.Struct, frozen=True, kw_only=True):
    introduction: str
    partner: str
    stage: str
    rule: str
    reason: str
    acts_next: str | None


class DueContact(msgspec.Struct, frozen=True, kw_only=True):
    introduction: str
    partner: str
    stage: str
    next_contact: date
    overdue: bool


class FittingNewcomer(msgspec.Struct, frozen=True, kw_only=True):
    partner_id: str
    partner_name: str
    partner_kind: str
    score: float
    registered_at: str
    reasons: list[str]


class Digest(msgspec.Struct, frozen=True, kw_only=True):
    organization: str
    date: date
    batch_run: str | None  # the nightly run its newcomers come from
    awaiting_answer: list[AwaitingAnswer]
    stalled: list[StalledIntroduction]
    next_contacts: list[DueContact]
    newcomers: list[FittingNewcomer]

    @property
    def empty(self) -> bool:
        return not (self.awaiting_answer or self.stalled or self.next_contacts or self.newcomers)


def _awaiting(org: str, entries: list[PipelineEntry], on: date) -> list[AwaitingAnswer]:
    return [AwaitingAnswer(introduction=e.introduction, requester=e.requester,
                           asked_on=e.reached["requested"][:10],
                           waiting_days=(on - F.parse_ts(e.reached["requested"]).date()).days)
            for e in entries if e.stage == "requested" and e.target == org]


def _stalled(entries: list[PipelineEntry]) -> list[StalledIntroduction]:
    return [StalledIntroduction(introduction=e.introduction, partner=e.partner, stage=e.stage,
                                rule=e.stall.rule, reason=e.stall.reason, acts_next=e.acts_next)
            for e in entries if e.stall is not None]


def _due(entries: list[PipelineEntry], on: date) -> list[DueContact]:
    horizon = on + timedelta(days=DUE_WITHIN_DAYS)
    due = [DueContact(introduction=e.introduction, partner=e.partner, stage=e.stage,
                      next_contact=e.next_contact, overdue=e.next_contact < on)
           for e in entries if e.next_contact is not None and e.next_contact <= horizon]
    return sorted(due, key=lambda d: (d.next_contact, d.introduction))


def _known_to(store: Store, org: str) -> set[str]:
    """Organisations ``org`` already has an introduction (any state, either way) or an outcome
    (not retracted) with."""
    rows = store.read(
        "SELECT CASE WHEN requester=? THEN target ELSE requester END FROM introductions"
        " WHERE requester=? OR target=?"
        " UNION SELECT other.org_id FROM outcome_members mine"
        " JOIN outcome_members other ON other.seq = mine.seq AND other.org_id != mine.org_id"
        " JOIN outcomes o ON o.seq = mine.seq"
        " WHERE mine.org_id=? AND o.key NOT IN (SELECT key FROM retractions)",
        (org, org, org, org))
    return {r[0] for r in rows}


def _newcomers(store: Store, org: str, run: BatchRun | None, on: date,
               placed: set[str] | None = None) -> list[FittingNewcomer]:
    """Partners of the org's stored list that registered in the run's window, less than a year
    before ``on`` (the KPIs' newcomers), and that the org has no history with yet: a partner it
    was already introduced to, or has an outcome with, is no newcomer to it. ``placed``: the
    run's newcomers, when already read."""
    if run is None:
        return []
    placed = set(BatchRuns(store).newcomers(run)) if placed is None else placed
    fresh = placed - _known_to(store, org)
    registered = dict(store.read(
        "SELECT o.id, o.registered_at FROM suggestions s JOIN organizations o ON o.id = s.partner_id"
        " WHERE s.org_id = ?", (org,)))
    cutoff = on - timedelta(days=NEWCOMER_DAYS)
    found = []
    for partner, score, body in StoredLists(store).of([org])[org]:
        at = registered.get(partner)
        if partner not in fresh or at is None or not cutoff < F.parse_ts(at).date() <= on:
            continue
        s = _suggestion.decode(body)
        found.append(FittingNewcomer(partner_id=partner, partner_name=s.partner_name,
                                     partner_kind=s.partner_kind, score=round(score, 4),
                                     registered_at=at[:10], reasons=[r.text for r in s.reasons]))
    return found


def digest(store: Store, org: str, on: date, rules: StallRules, run: BatchRun | None = None,
           placed: set[str] | None = None) -> Digest:
    """The digest of ``org`` on ``on``; newcomers from ``run`` (default: the last finished run;
    ``placed``: its newcomers, when already read).

    Raises:
        UnknownOrganization: ``org`` is not in the store.
    """
    if not store.has_organization(org):
        raise UnknownOrganization(org)
    run = run or BatchRuns(store).last_done()
    entries = pipeline(store, org, on, rules).introductions
    return Digest(organization=org, date=on, batch_run=run.id if run else None,
                  awaiting_answer=_awaiting(org, entries, on), stalled=_stalled(entries),
                  next_contacts=_due(entries, on), newcomers=_newcomers(store, org, run, on, placed))


def office_orgs(store: Store) -> list[str]:
    """Organisations with an active office key: those a digest can be delivered to."""
    return [r[0] for r in store.read("SELECT DISTINCT k.org_id FROM api_keys k JOIN organizations o"
                                     " ON o.id = k.org_id WHERE k.role='office'"
                                     " AND k.revoked_at IS NULL ORDER BY k.org_id")]


def write_run_digests(store: Store, run: BatchRun, on: date, rules: StallRules) -> int:
    """Store the digest of every office with something to act on, for ``run``; how many."""
    bodies = {}
    placed = set(BatchRuns(store).newcomers(run))  # the same for every office
    for org in office_orgs(store):
        d = digest(store, org, on, rules, run, placed)
        if not d.empty:
            bodies[org] = msgspec.json.encode(d)
    Digests(store).write(run.id, on.isoformat(), bodies)
    return len(bodies)


def render_text(d: Digest) -> str:
    """The digest as plain text, the way a mail would carry it."""
    lines = [f"Kyoso digest for {d.organization} on {d.date}", ""]
    if d.empty:
        return "\n".join(lines + ["Nothing to act on today."])
    if d.awaiting_answer:
        lines.append(f"Requests awaiting your answer ({len(d.awaiting_answer)}):")
        lines += [f"  - {a.requester} asked on {a.asked_on} ({a.waiting_days} days ago) [{a.introduction}]"
                  for a in d.awaiting_answer]
        lines.append("")
    if d.stalled:
        lines.append(f"Stalled introductions ({len(d.stalled)}):")
        lines += [f"  - with {s.partner} at {s.stage}: {s.reason} [{s.rule}; {s.introduction}]"
                  for s in d.stalled]
        lines.append("")
    if d.next_contacts:
        lines.append(f"Next contacts due ({len(d.next_contacts)}):")
        lines += [f"  - {c.next_contact}{' (overdue)' if c.overdue else ''}: {c.partner} at {c.stage}"
                  f" [{c.introduction}]" for c in d.next_contacts]
        lines.append("")
    if d.newcomers:
        lines.append(f"Newcomers that fit you, from the nightly batch ({len(d.newcomers)}):")
        for n in d.newcomers:
            lines.append(f"  - {n.partner_name} ({n.partner_id}, {n.partner_kind}, registered "
                         f"{n.registered_at}), score {n.score:.2f}")
            lines += [f"      {r}" for r in n.reasons]
    return "\n".join(lines).rstrip()
