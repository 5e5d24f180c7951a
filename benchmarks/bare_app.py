"""A bare Litestar endpoint returning 10 small Structs: the floor the API is measured against."""

from __future__ import annotations

import msgspec
from litestar import Litestar, get


class Small(msgspec.Struct):
    id: int
    name: str
    score: float


ITEMS = [Small(id=i, name=f"item-{i}", score=i / 10) for i in range(10)]


@get("/bare", sync_to_thread=False)
def bare() -> list[Small]:
    return ITEMS


app = Litestar(route_handlers=[bare])
