"""Which generation of the ecosystem the store is at, read cheaply by every serving process.

Every write that changes what the engine serves appends a row to the change log in the
same transaction (a registration or profile update, an outcome, a bulk load), so the
log's highest sequence number is the store's generation: a process that has applied the
changes up to it serves exactly what the store holds. The text vectoriser all processes
use is stored here too, so two processes that index the same organisations build the
same vectors, however long each has been running.
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Literal

import msgspec
import numpy as np

from data.frames import now_text

if TYPE_CHECKING:
    from data.store import Store

ChangeKind = Literal["organization", "outcome", "retraction", "bulk", "reindex"]
_terms = msgspec.json.Decoder(list[str])


class Change(msgspec.Struct, frozen=True):
    seq: int
    kind: ChangeKind
    ref: str | None  # organisation id, outcome seq; None for bulk and reindex


class TextModel(msgspec.Struct, frozen=True):
    """A fitted vectoriser as data: its terms in column order and their idf weights."""

    generation: int  # the change seq it was learned at
    terms: list[str]
    idf: np.ndarray


def record_change(conn: sqlite3.Connection, kind: ChangeKind, ref: str | None, now: str) -> int:
    """Append to the change log inside the caller's transaction; returns the new generation."""
    return int(conn.execute("INSERT INTO changes(kind, ref, at) VALUES (?,?,?)",
                            (kind, ref, now)).lastrowid)


class Generations:
    """The change log and the shared text vectoriser, on the store's connection."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def current(self) -> int:
        return int(self.store.read("SELECT coalesce(max(seq), 0) FROM changes")[0][0])

    def since(self, seq: int, limit: int = 100_000) -> list[Change]:
        return [Change(*row) for row in self.store.read(
            "SELECT seq, kind, ref FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", (seq, limit))]

    def reindex(self, terms: list[str], idf: np.ndarray) -> TextModel:
        """Store a newly learned vectoriser and, in the same transaction, ask every serving
        process to rebuild its engine with it."""
        now = now_text()
        with self.store.transaction() as conn:
            generation = record_change(conn, "reindex", None, now)
            conn.execute("INSERT INTO text_models VALUES (?,?,?,?)",
                         (generation, now, msgspec.json.encode(terms).decode(),
                          np.asarray(idf, dtype="<f8").tobytes()))
        return TextModel(generation, terms, np.asarray(idf, dtype=np.float64))

    def text_model(self) -> TextModel | None:
        rows = self.store.read("SELECT generation, terms, idf FROM text_models"
                               " ORDER BY generation DESC LIMIT 1")
        if not rows:
            return None
        generation, terms, idf = rows[0]
        return TextModel(int(generation), _terms.decode(terms), np.frombuffer(idf, dtype="<f8").copy())

    def save_text_model(self, model: TextModel) -> TextModel:
        """Store a vectoriser unless one was stored at the same generation (two processes
        fitting on the same store learn the same one); returns the one stored."""

        with self.store.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO text_models VALUES (?,?,?,?)",
                         (model.generation, now_text(), msgspec.json.encode(model.terms).decode(),
                          np.asarray(model.idf, dtype="<f8").tobytes()))
        stored = self.text_model()
        assert stored is not None
        return stored
