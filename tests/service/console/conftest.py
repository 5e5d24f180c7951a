from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from data.store import Store
from service.api import create_app
from service.settings import Settings
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG, make_store

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')


@dataclass
class Console:
    client: TestClient
    keys: dict[str, str]
    db: str

    def csrf(self, path: str = "/console/signin") -> str:
        found = CSRF.search(self.client.get(path).text)
        assert found, f"no CSRF token in {path}"
        return found.group(1)

    def sign_in(self, who: str) -> None:
        self.client.cookies.clear()
        r = self.client.post("/console/signin", data={"key": self.keys[who], "_csrf": self.csrf()},
                             follow_redirects=False)
        assert r.status_code == 303, r.text

    def post(self, path: str, data: dict, page: str = "/console"):
        return self.client.post(path, data={**data, "_csrf": self.csrf(page)}, follow_redirects=False)


def open_console(tmp_path, *, canaries: bool = False) -> Iterator[Console]:
    db = str(tmp_path / "k.db")
    make_store(db, canaries=canaries)
    with Store(db) as store:
        keys = {role: store.create_api_key(role)[1] for role in ("admin", "analyst")}
        keys["office"] = store.create_api_key("office", OFFICE_ORG)[1]
        keys["stranger"] = store.create_api_key("office", STRANGER_ORG)[1]
    app = create_app(Settings(db=db, models_dir=str(tmp_path / "models")))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Console(client, keys, db)


@pytest.fixture
def console(tmp_path) -> Iterator[Console]:
    yield from open_console(tmp_path)
