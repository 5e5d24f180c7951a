"""Ids queried in slices: old SQLite builds bind at most 999 parameters to a statement."""

from __future__ import annotations

from collections.abc import Callable, Iterator

_SLICE = 900


def id_slices(ids: list) -> Iterator[list]:
    for start in range(0, len(ids), _SLICE):
        yield ids[start:start + _SLICE]


def rows_among(read: Callable[[str, list], list], select: str, column: str, ids: list,
               order: str = "") -> list[tuple]:
    """Rows of ``select`` whose ``column`` is among ``ids``, read a slice of ids at a time."""
    return [row for part in id_slices(list(ids))
            for row in read(f"{select} WHERE {column} IN ({','.join('?' * len(part))}) {order}", part)]
