"""Staged disclosure over the store: who a caller is to the rule, what it is shown, what is
logged, and the NDA steps that open ``nda``-tier items. The rule itself is
``matching.visibility.Viewer``; this module only gathers its inputs and applies it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime

import msgspec

from data.introductions import Introductions
from data.ndas import NdaRecord, Ndas, nda_key
from data.records import Key, NeedMatch, Organization, OrgId
from data.store import Store
from matching.nda import NdaAction, NdaStep, check_nda_step, confirmed_by, in_force
from matching.visibility import DISCLOSED_TIERS, Viewer


class NdaBody(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """One side confirms that the NDA is signed, or revokes it."""

    key: Key
    by: OrgId
    action: NdaAction


class NdaState(msgspec.Struct, frozen=True, kw_only=True):
    """An introduction's NDA after a step: who has confirmed, and whether it holds."""

    introduction: str
    step: NdaRecord
    confirmed_by: list[str]
    in_force: bool


def _steps(records: list[NdaRecord]) -> list[NdaStep]:
    return [NdaStep(action=r.action, by=r.by, at=r.at) for r in records]


def nda_partners_of(store: Store, org_id: str) -> set[str]:
    """Organisations with which ``org_id`` has an NDA in force on an accepted introduction."""
    return {parties[1] if parties[0] == org_id else parties[0]
            for parties, records in Ndas(store).accepted_with(org_id).values()
            if in_force(parties, _steps(records))}


def viewer_for(store: Store, org_id: str | None, *, sees_all: bool = False) -> Viewer:
    """The disclosure rule's view of a caller (organisation ids; ``Viewer.indexed`` for the engine)."""
    if sees_all:
        return Viewer(sees_all=True)
    if org_id is None:
        return Viewer()
    return Viewer(org=org_id, partners=frozenset(Introductions(store).partners_of(org_id)),
                  nda_partners=frozenset(nda_partners_of(store, org_id)))


def visible_organization(org: Organization, viewer: Viewer) -> Organization:
    """The organisation with only the items ``viewer`` may see."""
    return msgspec.structs.replace(
        org, strengths=tuple(i for i in org.strengths if viewer.can_see(org.id, i.tier)),
        needs=tuple(i for i in org.needs if viewer.can_see(org.id, i.tier)))


Disclosed = dict[str, Counter]  # owner → items shown by tier (partner, nda)


def disclosed_items(orgs: Iterable[Organization], viewer: Viewer) -> Disclosed:
    """What showing these (already filtered) organisations discloses to ``viewer``."""
    found: Disclosed = {}
    for org in orgs:
        tiers = Counter(i.tier for i in (*org.strengths, *org.needs) if viewer.discloses(org.id, i.tier))
        if tiers:
            found[org.id] = tiers
    return found


def disclosed_matches(matches: Iterable[NeedMatch], viewer: Viewer) -> Disclosed:
    """What quoting these need ↔ strength matches discloses to ``viewer``."""
    found: Disclosed = {}
    for m in matches:
        for owner, tier in ((m.need_org, m.need_tier), (m.strength_org, m.strength_tier)):
            if viewer.discloses(owner, tier):
                found.setdefault(owner, Counter())[tier] += 1
    return found


def log_disclosed(store: Store, viewer: Viewer, disclosed: Disclosed, route: str) -> None:
    """Record, for each owner, the partner- and nda-tier items shown to the viewer's organisation."""
    if viewer.org is None or viewer.sees_all:
        return
    rows = {owner: (c["partner"], c["nda"]) for owner, c in disclosed.items()
            if owner != viewer.org and any(c[t] for t in DISCLOSED_TIERS)}
    if rows:
        Introductions(store).log_disclosures(str(viewer.org), rows, route)


def nda_state(store: Store, intro_id: str) -> tuple[tuple[str, str], list[NdaStep]]:
    intro = Introductions(store).get(intro_id)
    return (intro.requester, intro.target), _steps(Ndas(store).of([intro_id])[intro_id])


def record_nda(store: Store, intro_id: str, body: NdaBody,
               now: datetime | None = None) -> tuple[NdaState, bool]:
    """Check and store one NDA step; (state after it, created).

    Raises:
        EventRejected: the step does not fit the introduction (``field`` names why).
        OutcomeConflict: the key was used with a different body.
    """
    now = now or datetime.now(UTC)
    intro = Introductions(store).get(intro_id)
    record = NdaRecord(key=nda_key(intro.id, body.key), intro_id=intro.id, action=body.action,
                       by=body.by, at=now)
    ndas = Ndas(store)
    stored = ndas.same_as_stored(record)
    created = stored is None
    if created:
        def check() -> None:  # against the state the write transaction sees
            current = Introductions(store).get(intro_id)
            check_nda_step(current.status, _steps(ndas.of([intro_id])[intro_id]), body.action,
                           body.by, (intro.requester, intro.target))

        ndas.record(record, check)
    parties, steps = nda_state(store, intro_id)
    return NdaState(introduction=intro.id, step=stored or record,
                    confirmed_by=sorted(confirmed_by(steps)), in_force=in_force(parties, steps)), created
