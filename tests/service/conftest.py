from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
import pytest
from litestar.testing import TestClient

from data.generator import generate, public_frame
from data.store import Store
from service.api.app import create_app
from service.settings import Settings

CANARY = "CANARY"
OFFICE_ORG, STRANGER_ORG = "org-0000001", "org-0000002"


@dataclass
class Api:
    client: TestClient
    keys: dict[str, str]  # who -> plain key: admin, analyst, office (OFFICE_ORG), stranger
    db: str

    def call(self, method: str, path: str, who: str | None = "admin", **kwargs):
        headers = {"X-API-Key": self.keys[who]} if who else {}
        return self.client.request(method, path, headers=headers, **kwargs)


def make_store(path: str, n: int = 300, canaries: bool = False) -> None:
    orgs, items, outcomes, members = generate(n, seed=3)
    if canaries:  # a unique marker in every non-public item, to catch leaks
        items = items.with_columns(
            pl.when(pl.col("tier") != "public")
            .then(pl.col("text") + f" {CANARY}-" + pl.col("tier") + "-" + pl.col("org_id") + "#")
            .otherwise(pl.col("text")).alias("text"))
    with Store(path) as store:
        store.load_frames(public_frame(orgs), items, outcomes, members)


def app_with_keys(tmp_path, *, canaries: bool = False):
    """A generated store with a key for each role (two offices), and an app over it."""
    db = str(tmp_path / "k.db")
    make_store(db, canaries=canaries)
    with Store(db) as store:
        keys = {role: store.create_api_key(role)[1] for role in ("admin", "analyst")}
        keys["office"] = store.create_api_key("office", OFFICE_ORG)[1]
        keys["stranger"] = store.create_api_key("office", STRANGER_ORG)[1]
    return create_app(Settings(db=db, models_dir=str(tmp_path / "models"))), keys, db


def open_api(tmp_path, *, canaries: bool = False) -> Iterator[Api]:
    app, keys, db = app_with_keys(tmp_path, canaries=canaries)
    with TestClient(app) as client:
        yield Api(client, keys, db)


@pytest.fixture
def api(tmp_path) -> Iterator[Api]:
    yield from open_api(tmp_path)
