"""Retractions: corrections to the outcome log without rewriting it.

A retraction names an outcome by its key, with a reason and who made it. It is stored
append-only beside the log, once per key (retracting again returns the first
retraction); snapshots, and so training, evaluation and scoring, leave retracted
outcomes out, while the log itself keeps them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from data import frames as F
from data.errors import KyosoError
from data.generations import record_change
from data.slices import rows_among
from data.store import Store


class UnknownOutcome(KyosoError):
    def __init__(self, key: str) -> None:
        super().__init__(f"unknown outcome key: {key}")
        self.key = key


class Retraction(msgspec.Struct, frozen=True, kw_only=True):
    key: str
    reason: str
    actor: str  # who retracted: an API key id, or "cli"
    role: str
    at: str


class Retractions:
    """Retractions of outcomes, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def retract(self, key: str, reason: str, actor: str, role: str) -> tuple[Retraction, bool]:
        """Retract the outcome ``key``; returns (retraction, created). Again: the first one.

        Raises:
            UnknownOutcome: no outcome has this key.
        """
        with self.store.transaction() as conn:
            if not conn.execute("SELECT 1 FROM outcomes WHERE key=?", (key,)).fetchone():
                raise UnknownOutcome(key)
            row = conn.execute("SELECT key, reason, actor, role, at FROM retractions WHERE key=?",
                               (key,)).fetchone()
            if row is not None:
                return Retraction(key=row[0], reason=row[1], actor=row[2], role=row[3],
                                  at=row[4]), False
            made = Retraction(key=key, reason=reason, actor=actor, role=role,
                              at=F.format_ts(datetime.now(UTC)))
            conn.execute("INSERT INTO retractions(key, reason, actor, role, at) VALUES (?,?,?,?,?)",
                         (made.key, made.reason, made.actor, made.role, made.at))
            record_change(conn, "retraction", key, made.at)
        return made, True

    def get(self, key: str) -> Retraction | None:
        rows = self.store.read("SELECT key, reason, actor, role, at FROM retractions WHERE key=?",
                               (key,))
        return Retraction(key=rows[0][0], reason=rows[0][1], actor=rows[0][2], role=rows[0][3],
                          at=rows[0][4]) if rows else None

    def among(self, keys: list[str]) -> list[str]:
        """Those of ``keys`` that are retracted (keys come in pages of at most a few hundred)."""
        if not keys:
            return []
        marks = ",".join("?" * len(keys))
        return [r[0] for r in self.store.read(
            f"SELECT key FROM retractions WHERE key IN ({marks}) ORDER BY seq", keys)]

    def outcome_seqs(self, keys: list[str]) -> list[int]:
        """The log seqs of the outcomes these keys name (retracted ones, for the engine)."""
        return [r[0] for r in rows_among(self.store.read, "SELECT seq FROM outcomes", "key", keys)]
