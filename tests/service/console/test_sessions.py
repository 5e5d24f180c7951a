"""Session files beside the store: written only for a signed-in key, deleted once expired (at
start-up, sign-in and sign-out)."""

from __future__ import annotations

from pathlib import Path

import anyio
from litestar.stores.file import FileStore
from litestar.testing import TestClient

from data.store import Store
from tests.service.conftest import app_with_keys
from tests.service.console.conftest import Console


def put(folder: Path, key: str, expires_in: int) -> None:
    anyio.run(lambda: FileStore(folder, create_directories=True).set(key, b"{}", expires_in=expires_in))


def kept(folder: Path, *keys: str) -> list[str]:
    store = FileStore(folder)
    return [k for k in keys if anyio.run(store.exists, k)]


def count(folder: Path) -> int:
    return sum(1 for _ in folder.iterdir()) if folder.exists() else 0


def folder_of(console: Console) -> Path:
    return Path(console.db).parent / "console-sessions"


def test_expired_sessions_are_deleted_at_start_up_sign_in_and_sign_out(tmp_path):
    app, keys, db = app_with_keys(tmp_path)
    folder = Path(db).parent / "console-sessions"
    put(folder, "stale-before-start", -60)
    put(folder, "still-valid", 3600)
    with TestClient(app, base_url="http://127.0.0.1") as client:
        console = Console(client, keys, db)
        assert kept(folder, "stale-before-start", "still-valid") == ["still-valid"]
        assert count(folder) == 1
        put(folder, "stale-before-sign-in", -1)
        (folder / "garbage").write_bytes(b"not a session")
        console.sign_in("office")
        assert kept(folder, "stale-before-sign-in", "still-valid") == ["still-valid"]
        assert not (folder / "garbage").exists()
        assert count(folder) == 2  # the valid one and the signed-in one
        put(folder, "stale-before-sign-out", -1)
        assert console.post("/console/signout", {}).status_code == 303
        assert kept(folder, "stale-before-sign-out", "still-valid") == ["still-valid"]
        assert count(folder) == 1


def test_a_refused_key_does_not_sweep_the_folder(console):
    folder = folder_of(console)
    put(folder, "stale", -1)
    r = console.client.post("/console/signin", data={"key": "ky_wrong", "_csrf": console.csrf()})
    assert r.status_code == 401 and count(folder) == 1  # the stale one, and nothing written


ANONYMOUS = ["/", "/console", "/console/signin", "/console/kpis", "/console/profile", "/console/models",
             "/console/no-such-page", "/console/lang/ja?next=/console/kpis"]


def test_anonymous_visits_write_no_session(console):
    folder = folder_of(console)
    for _ in range(30):
        for path in ANONYMOUS:
            console.client.cookies.clear()
            assert console.client.get(path, follow_redirects=False).status_code < 500, path
        # Refused sign-ins and forms: a wrong key, an empty one, no token, a forged session id.
        assert console.client.post("/console/signin", data={"key": "ky_wrong", "_csrf": console.csrf()}
                                   ).status_code == 401
        assert console.client.post("/console/signin", data={"key": "", "_csrf": console.csrf()}
                                   ).status_code == 422
        assert console.client.post("/console/signin", data={"key": "ky_wrong"}).status_code == 403
        console.client.cookies.set("kyoso_console", "planted")
        assert console.client.get("/console", follow_redirects=False).status_code == 303
        assert console.client.post("/console/signout", data={"_csrf": "x"}).status_code == 403
    assert count(folder) == 0
    console.sign_in("office")
    assert count(folder) == 1


def test_an_anonymous_page_sets_no_session_cookie(console):
    for path in ANONYMOUS:
        console.client.cookies.clear()
        r = console.client.get(path, follow_redirects=False)
        assert "kyoso_console" not in r.headers.get("set-cookie", ""), path


def test_a_session_whose_key_was_revoked_is_deleted_not_kept(console):
    folder = folder_of(console)
    console.sign_in("office")
    assert count(folder) == 1
    with Store(console.db) as store:
        key = store.find_api_key(console.keys["office"])
        assert store.revoke_api_key(key.id)
    r = console.client.get("/console/profile", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/signin"
    assert count(folder) == 0 and "kyoso_console" not in console.client.cookies
