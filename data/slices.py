"""Ids queried in slices: old SQLite builds bind at most 999 parameters to a statement."""

from __future__ import annotations

from collections.abc import Iterator

_SLICE = 900


def id_slices(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), _SLICE):
        yield ids[start:start + _SLICE]
