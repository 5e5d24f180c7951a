"""Events recorded on an introduction after it was asked for: stages, notes, next contacts.

Each stage event is also an outcome in the log, written in the same transaction; both are
idempotent by the client's key.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from datetime import date, datetime

import msgspec

from data import frames as F
from data.records import Key, Outcome
from data.slices import rows_among
from data.store import OutcomeConflict, Store


class IntroductionEvent(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    intro_id: str
    kind: str
    by: str
    at: datetime
    reason: str | None = None
    note: str | None = None
    next_contact: date | None = None


_COLUMNS = "key, intro_id, kind, by_org, at, reason, note, next_contact"


def _event(row: tuple) -> IntroductionEvent:
    return IntroductionEvent(key=row[0], intro_id=row[1], kind=row[2], by=row[3], at=F.parse_ts(row[4]),
                             reason=row[5], note=row[6],
                             next_contact=date.fromisoformat(row[7]) if row[7] else None)


def _hash(event: IntroductionEvent) -> str:
    # The time is the server's, so a retry of the same request hashes the same without it.
    body = msgspec.structs.replace(event, at=datetime(2000, 1, 1))
    return hashlib.sha256(msgspec.json.encode(body)).hexdigest()


def outcome_key(intro_id: str, key: Key) -> str:
    return f"{intro_id}:event:{key}"


# The introduction workflow keys its own outcomes `<intro id>:<stage>` and
# `<intro id>:event:<key>`; a client's outcome under such a key would block a side's later step.
_WORKFLOW_KEY = re.compile(r"^intro-[^:]*:")


def is_workflow_key(key: str) -> bool:
    """Whether ``key`` lies in the namespace reserved for the introduction workflow's outcomes."""
    return _WORKFLOW_KEY.match(key) is not None


class IntroductionEvents:
    def __init__(self, store: Store) -> None:
        self.store = store

    def of(self, intro_ids: list[str]) -> dict[str, list[IntroductionEvent]]:
        """Events of each introduction, in the order they were recorded."""
        found: dict[str, list[IntroductionEvent]] = {i: [] for i in intro_ids}
        for row in rows_among(self.store.read, f"SELECT {_COLUMNS} FROM introduction_events", "intro_id",
                              intro_ids, "ORDER BY seq"):
            found[row[1]].append(_event(row))
        return found

    def find(self, key: str) -> IntroductionEvent | None:
        rows = self.store.read(f"SELECT {_COLUMNS} FROM introduction_events WHERE key=?", (key,))
        return _event(rows[0]) if rows else None

    def same_as_stored(self, event: IntroductionEvent) -> IntroductionEvent | None:
        """The stored event under this key if its body matches; None if the key is new.

        Raises:
            OutcomeConflict: the key was used with a different body.
        """
        rows = self.store.read(f"SELECT {_COLUMNS}, body_hash FROM introduction_events WHERE key=?",
                               (event.key,))
        if not rows:
            return None
        if rows[0][-1] != _hash(event):
            raise OutcomeConflict(event.key)
        return _event(rows[0][:-1])

    def record(self, event: IntroductionEvent, outcome: Outcome | None,
               check: Callable[[], None] = lambda: None) -> None:
        """Store the event and its outcome in one transaction, after ``check`` passed inside
        it (so two events at once cannot both pass against the same earlier state)."""
        with self.store.transaction() as conn:
            check()
            conn.execute(f"INSERT INTO introduction_events({_COLUMNS}, body_hash) VALUES (?,?,?,?,?,?,?,?,?)",
                         (event.key, event.intro_id, event.kind, event.by, F.format_ts(event.at),
                          event.reason, event.note,
                          event.next_contact.isoformat() if event.next_contact else None, _hash(event)))
            if event.kind == "declined":
                conn.execute("UPDATE introductions SET status='declined', reason=? WHERE id=?",
                             (event.reason, event.intro_id))
            if outcome is not None:
                self.store.insert_outcome(conn, outcome)
