"""Scoring registrants for the nightly batch, a chunk at a time.

Pure: an engine and ids in, stored-list material out. The local run and the Dask run
call the same function, so they produce the same lists.
"""

from __future__ import annotations

from dataclasses import dataclass

import msgspec
import numpy as np

from data.records import Suggestion
from matching.engine import Engine

# Stored lists are what an office sees by default: co-creation mode, public reasons.
BATCH_MODE = "co-creation"
# Partners per registrant whose own lists the registrant may enter (best reverse scores).
REVERSE_TOP = 50


@dataclass(frozen=True)
class Scored:
    """One registrant: its list, or why it was skipped, and who might want it."""

    org_id: str
    rows: tuple[tuple[str, float, bytes], ...] = ()  # (partner_id, score, Suggestion JSON)
    skipped: str | None = None
    # (partner_id, score as that partner's own list would rank the registrant), best first
    reverse: tuple[tuple[str, float], ...] = ()


def unusable_reason(engine: Engine, a: int) -> str | None:
    """Why a profile cannot be matched, or None: it needs a strength or need to score on."""
    eco, text = engine.eco, engine.ctx.text
    if eco.strengths[a].any() or eco.needs[a].any():
        return None
    if text.strengths.rows([a]).nnz or text.needs.rows([a]).nnz:
        return None
    return "no public or partner-tier strengths or needs to match on"


def suggestion_row(s: Suggestion) -> tuple[str, float, bytes]:
    return s.partner_id, s.score, msgspec.json.encode(s)


def score_registrant(engine: Engine, org_id: str, k: int) -> Scored:
    a = engine.index_of(org_id)
    reason = unusable_reason(engine, a)
    if reason is not None:
        return Scored(org_id, skipped=reason)
    ranked = engine.rank(a, mode=BATCH_MODE)
    found = engine.suggestions_from(a, ranked, k=k)
    best = np.argsort(-ranked.reverse, kind="stable")[:REVERSE_TOP]
    reverse = tuple((str(engine.eco.ids[ranked.partners[i]]), float(ranked.reverse[i])) for i in best)
    return Scored(org_id, rows=tuple(suggestion_row(s) for s in found), reverse=reverse)


def score_chunk(engine: Engine, org_ids: list[str], k: int) -> list[Scored]:
    """Every registrant of a chunk; one that cannot be scored is skipped with the reason."""
    out = []
    for org_id in org_ids:
        try:
            out.append(score_registrant(engine, org_id, k))
        except Exception as exc:  # one bad profile must not stop the night's run
            out.append(Scored(org_id, skipped=f"{type(exc).__name__}: {exc}"))
    return out


def merge_entry(rows: list[tuple[str, float, bytes]], entry: tuple[str, float, bytes],
                k: int) -> list[tuple[str, float, bytes]] | None:
    """The list with ``entry`` placed by score (the lowest dropped past ``k``), or None if
    it does not get in or is there already."""
    if any(pid == entry[0] for pid, _, _ in rows):
        return None
    if len(rows) >= k:
        lowest = min(range(len(rows)), key=lambda i: (rows[i][1], i))
        if entry[1] <= rows[lowest][1]:
            return None
        rows = rows[:lowest] + rows[lowest + 1:]
    at = next((i for i, r in enumerate(rows) if r[1] < entry[1]), len(rows))
    return rows[:at] + [entry] + rows[at:]
