"""The model registry: versions with their artefact checksums, the live pointer, the
promotion history (every promote, rollback and fallback, with who and when) and
evaluations keyed by the split they were made on.

The live version is the top of the history's stack: a promotion pushes a version, a
rollback pops one, a fallback pops down to the version it fell back to.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from data import frames as F
from data.errors import shown
from data.store import Store, StoreError

Action = Literal["promote", "rollback", "fallback"]
_json = msgspec.json.Encoder(order="deterministic")


class UnknownModel(StoreError):
    def __init__(self, version: str) -> None:
        super().__init__(f"unknown model version: {shown(version)}")
        self.version = version


class NoEarlierModel(StoreError):
    """Rollback asked for, but the promotion history holds nothing earlier."""


class LiveChanged(StoreError):
    """The live version changed between reading it and switching (another process acted)."""


class ModelEntry(msgspec.Struct, frozen=True, kw_only=True):
    version: str
    path: str
    fingerprint: str
    metrics: dict[str, Any]
    created_at: str
    checksum: str | None = None  # sha256 of model.txt at registration; None for older rows
    probed: str | None = None  # the sha256 of the bytes a child process loaded and scored with
    live: bool = False


class HistoryEntry(msgspec.Struct, frozen=True, kw_only=True):
    seq: int
    action: Action
    version: str | None  # None: the heuristic scorer (nothing servable was left)
    previous: str | None
    actor: str
    reason: str | None
    at: str


class StoredEvaluation(msgspec.Struct, frozen=True, kw_only=True):
    split_id: str
    system: str  # a model version, or "baseline:<name>"
    ndcg: float
    queries: int
    metrics: dict[str, Any]
    at: str


def stack_of(history: list[HistoryEntry]) -> list[str]:
    """The versions that were live, oldest first, with rollbacks and fallbacks applied."""
    stack: list[str] = []
    for event in history:
        if event.action == "promote" and event.version is not None:
            stack.append(event.version)
        elif event.action == "rollback":
            stack.pop() if stack else None
        elif event.action == "fallback":
            if event.version in stack:  # back down to the version that still served
                while stack[-1] != event.version:
                    stack.pop()
            elif stack and stack[-1] == event.previous:
                # To the heuristic: only the version that failed leaves; those under it stay,
                # to be tried again by a later fallback (an artefact may have been restored).
                stack.pop()
    return stack


class Registry:
    """The model registry on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def register(self, version: str, path: str, fingerprint: str, metrics: dict[str, Any],
                 checksum: str | None) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO models(version, path, fingerprint, metrics, created_at,"
                         " checksum) VALUES (?,?,?,?,?,?)",
                         (version, path, fingerprint, _json.encode(metrics).decode(), F.now_text(),
                          checksum))

    def models(self) -> list[ModelEntry]:
        live = self.live()
        rows = self.store.read("SELECT version, path, fingerprint, metrics, created_at, checksum,"
                               " probed FROM models ORDER BY created_at, version")
        return [ModelEntry(version=r[0], path=r[1], fingerprint=r[2],
                           metrics=msgspec.json.decode(r[3]), created_at=r[4], checksum=r[5],
                           probed=r[6], live=r[0] == live) for r in rows]

    def mark_probed(self, version: str, digest: str) -> None:
        """Record that the bytes with this checksum loaded and scored in a child process."""
        with self.store.transaction() as conn:
            conn.execute("UPDATE models SET probed=? WHERE version=?", (digest, version))

    def model(self, version: str) -> ModelEntry:
        for entry in self.models():
            if entry.version == version:
                return entry
        raise UnknownModel(version)

    def live(self) -> str | None:
        return self.store.live_model_version()

    def history(self) -> list[HistoryEntry]:
        return [HistoryEntry(seq=r[0], action=r[1], version=r[2], previous=r[3], actor=r[4],
                             reason=r[5], at=r[6])
                for r in self.store.read("SELECT seq, action, version, previous, actor, reason, at"
                                         " FROM promotions ORDER BY seq")]

    def stack(self) -> list[str]:
        return stack_of(self.history())

    def switch(self, version: str | None, action: Action, actor: str, reason: str | None,
               *, expect_live: str | None = None, check_live: bool = False) -> str | None:
        """Make ``version`` live (None: no model) and record it in the history, in one
        transaction; returns the version it replaced.

        Raises:
            UnknownModel: no such version.
            LiveChanged: with ``check_live``, the live version is no longer ``expect_live``.
        """
        with self.store.transaction() as conn:
            if version is not None and not conn.execute(
                    "SELECT 1 FROM models WHERE version=?", (version,)).fetchone():
                raise UnknownModel(version)
            row = conn.execute("SELECT version FROM live_model WHERE slot=1").fetchone()
            previous = row[0] if row else None
            if check_live and previous != expect_live:
                raise LiveChanged(f"the live model changed meanwhile ({expect_live} -> {previous});"
                                  " try again")
            now = F.now_text()
            if version is None:
                conn.execute("DELETE FROM live_model")
            else:
                conn.execute("INSERT OR REPLACE INTO live_model VALUES (1, ?, ?, ?)",
                             (version, previous, now))
            conn.execute("INSERT INTO promotions(action, version, previous, actor, reason, at)"
                         " VALUES (?,?,?,?,?,?)", (action, version, previous, actor, reason, now))
        return previous

    def record_evaluation(self, split_id: str, system: str, ndcg: float, queries: int,
                          metrics: dict[str, Any]) -> None:
        with self.store.transaction() as conn:
            conn.execute("INSERT OR REPLACE INTO evaluations VALUES (?,?,?,?,?,?)",
                         (split_id, system, ndcg, queries, _json.encode(metrics).decode(), F.now_text()))

    def evaluation(self, split_id: str, system: str) -> StoredEvaluation | None:
        rows = self.store.read("SELECT split_id, system, ndcg, queries, metrics, at FROM"
                               " evaluations WHERE split_id=? AND system=?", (split_id, system))
        if not rows:
            return None
        r = rows[0]
        return StoredEvaluation(split_id=r[0], system=r[1], ndcg=r[2], queries=r[3],
                                metrics=msgspec.json.decode(r[4]), at=r[5])
