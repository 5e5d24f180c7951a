"""NDAs over the store: the steps recorded on an introduction (checked by ``matching.nda``
inside the transaction that writes them, idempotent by the client's key), and the
organisations an NDA is in force with."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from data.introductions import Introductions
from data.ndas import NdaRecord, Ndas, nda_key
from data.records import Key, OrgId
from data.store import Store
from matching.nda import NdaAction, NdaStep, check_nda_step, confirmed_by, in_force


def nda_steps(records: list[NdaRecord]) -> list[NdaStep]:
    return [NdaStep(action=r.action, by=r.by, at=r.at) for r in records]


def nda_partners_of(store: Store, org_id: str) -> set[str]:
    """Organisations with which ``org_id`` has an NDA in force on an accepted introduction."""
    return {parties[1] if parties[0] == org_id else parties[0]
            for parties, records in Ndas(store).accepted_with(org_id).values()
            if in_force(parties, nda_steps(records))}


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


def nda_state(store: Store, intro_id: str) -> tuple[tuple[str, str], list[NdaStep]]:
    intro = Introductions(store).get(intro_id)
    return (intro.requester, intro.target), nda_steps(Ndas(store).of([intro_id])[intro_id])


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
            check_nda_step(current.status, nda_steps(ndas.of([intro_id])[intro_id]), body.action,
                           body.by, (intro.requester, intro.target))

        ndas.record(record, check)
    parties, steps = nda_state(store, intro_id)
    return NdaState(introduction=intro.id, step=stored or record,
                    confirmed_by=sorted(confirmed_by(steps)), in_force=in_force(parties, steps)), created
