from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from litestar.testing import TestClient

from service.console import pending
from tests.service.conftest import app_with_keys

CSRF = re.compile(r'name="_csrf" value="([^"]+)"')
UPDATING = re.compile(r'id="kpi-report"[^>]*hx-get')  # the report part still asks again


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

    def kpis(self, path: str = "/console/kpis") -> str:
        """The KPI page once its report is current (it is computed off the request)."""
        for _ in range(300):
            text = self.client.get(path).text
            if not UPDATING.search(text):
                return text
            time.sleep(0.1)
        raise AssertionError(f"{path}: the KPI report never became current")

    def post(self, path: str, data: dict, page: str = "/console"):
        return self.client.post(path, data={**data, "_csrf": self.csrf(page)}, follow_redirects=False)


@pytest.fixture(autouse=True)
def lists_in_the_page(monkeypatch) -> None:
    """Pages wait for their live lists here (a loaded test machine must not turn a page into its
    progress line); the progress itself is tested on its own."""
    monkeypatch.setattr(pending, "PAGE_WAIT", 60.0)


def open_console(tmp_path, *, canaries: bool = False) -> Iterator[Console]:
    app, keys, db = app_with_keys(tmp_path, canaries=canaries)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield Console(client, keys, db)


@pytest.fixture
def console(tmp_path) -> Iterator[Console]:
    yield from open_console(tmp_path)
