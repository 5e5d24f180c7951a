"""NDA confirmations and revocations on introductions, idempotent by the client's key."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Literal

import msgspec

from data import frames as F
from data.slices import rows_among
from data.store import OutcomeConflict, Store


class NdaRecord(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    intro_id: str
    action: Literal["confirm", "revoke"]
    by: str
    at: datetime


_COLUMNS = "key, intro_id, action, by_org, at"


def _record(row: tuple) -> NdaRecord:
    return NdaRecord(key=row[0], intro_id=row[1], action=row[2], by=row[3], at=F.parse_ts(row[4]))


def _hash(record: NdaRecord) -> str:
    # The time is the server's, so a retry of the same request hashes the same without it.
    body = msgspec.structs.replace(record, at=datetime(2000, 1, 1))
    return hashlib.sha256(msgspec.json.encode(body)).hexdigest()


def nda_key(intro_id: str, key: str) -> str:
    return f"{intro_id}:nda:{key}"


class Ndas:
    def __init__(self, store: Store) -> None:
        self.store = store

    def of(self, intro_ids: list[str]) -> dict[str, list[NdaRecord]]:
        """Steps of each introduction, in the order they were recorded."""
        found: dict[str, list[NdaRecord]] = {i: [] for i in intro_ids}
        for row in rows_among(self.store.read, f"SELECT {_COLUMNS} FROM nda_steps", "intro_id",
                              intro_ids, "ORDER BY seq"):
            found[row[1]].append(_record(row))
        return found

    def accepted_with(self, org_id: str) -> dict[str, tuple[tuple[str, str], list[NdaRecord]]]:
        """For every accepted introduction of ``org_id`` with NDA steps: its two parties and steps."""
        rows = self.store.read(
            f"SELECT i.requester, i.target, {', '.join('n.' + c.strip() for c in _COLUMNS.split(','))}"
            " FROM introductions i JOIN nda_steps n ON n.intro_id = i.id"
            " WHERE i.status = 'accepted' AND (i.requester = ? OR i.target = ?) ORDER BY n.seq",
            (org_id, org_id))
        found: dict[str, tuple[tuple[str, str], list[NdaRecord]]] = {}
        for row in rows:
            found.setdefault(row[3], ((row[0], row[1]), []))[1].append(_record(row[2:]))
        return found

    def same_as_stored(self, record: NdaRecord) -> NdaRecord | None:
        """The stored step under this key if its body matches; None if the key is new.

        Raises:
            OutcomeConflict: the key was used with a different body.
        """
        rows = self.store.read(f"SELECT {_COLUMNS}, body_hash FROM nda_steps WHERE key=?", (record.key,))
        if not rows:
            return None
        if rows[0][-1] != _hash(record):
            raise OutcomeConflict(record.key)
        return _record(rows[0][:-1])

    def record(self, record: NdaRecord, check: Callable[[], None]) -> None:
        """Store the step after ``check`` passed inside the same transaction (so a step that
        races another is judged against the state it will follow)."""
        with self.store.transaction() as conn:
            check()
            conn.execute(f"INSERT INTO nda_steps({_COLUMNS}, body_hash) VALUES (?,?,?,?,?,?)",
                         (record.key, record.intro_id, record.action, record.by,
                          F.format_ts(record.at), _hash(record)))
