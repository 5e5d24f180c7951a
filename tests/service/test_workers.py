"""Two server processes over one store serve the same generation and model within the bound."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from data.registry import Registry
from data.store import Store
from tests.service.conftest import make_store
from tests.service.test_model_swap import register_random_model

POLL = 0.5
BOUND_SECONDS = 2.0  # stated in the README: poll + applying the changes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, key: str | None = None) -> tuple[int, dict]:
    request = urllib.request.Request(url, headers={"X-API-Key": key} if key else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def post(url: str, body: dict, key: str) -> int:
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={"X-API-Key": key, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return r.status


def wait_until(check, timeout: float) -> float:
    """Seconds until ``check()`` held (polling), or fail after ``timeout``."""
    started = time.monotonic()
    while not check():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not within {timeout}s")
        time.sleep(0.05)
    return time.monotonic() - started


@pytest.fixture
def two_servers(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db)
    with Store(db) as store:
        register_random_model(store, tmp_path / "models", "v-first", 1, 0.3)
        register_random_model(store, tmp_path / "models", "v-second", 2, 0.4)
        Registry(store).switch("v-first", "promote", "test", None)
        key = store.create_api_key("admin")[1]
    env = {**os.environ, "KYOSO_DB": db, "KYOSO_MODELS_DIR": str(tmp_path / "models"),
           "KYOSO_POLL_SECONDS": str(POLL)}
    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([sys.executable, "-m", "service.cli", "serve", "--port", str(p)],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
               for p in ports]
    bases = [f"http://127.0.0.1:{p}" for p in ports]
    try:
        for base in bases:
            wait_until(lambda b=base: ready(b) is not None, 120)
        yield bases, key, env
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)


def ready(base: str) -> dict | None:
    try:
        status, body = get(base + "/ready")
    except OSError:
        return None
    return body if status == 200 else None


def test_a_registration_through_one_is_served_by_the_other(two_servers):
    (a, b), key, _ = two_servers
    newcomer = {"id": "org-two-1", "name": "Kanazawa EV Carts", "kind": "startup", "region": "JP-17",
                "strengths": [{"tag": "mob.lowspeed", "text": "low-speed electric carts for towns"}]}
    assert post(a + "/v1/organizations", newcomer, key) == 201
    # The other process answers for the newcomer at once (it catches up before answering) ...
    status, body = get(b + "/v1/organizations/org-two-1/suggestions?k=5", key)
    assert status == 200 and len(body["suggestions"]) == 5
    # ... and on its own within the bound.
    generation = ready(a)["store_generation"]
    wait_until(lambda: ready(b)["generation"] >= generation, BOUND_SECONDS)


def test_a_promotion_from_the_cli_is_served_by_every_process(two_servers):
    bases, _, env = two_servers
    done = subprocess.run([sys.executable, "-m", "service.cli", "models", "promote", "v-second",
                           "--force"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    for base in bases:
        wait_until(lambda b=base: ready(b)["model_version"] == "v-second", BOUND_SECONDS)
    assert Path(env["KYOSO_DB"]).exists()


def test_the_default_server_answers_a_huge_request_line_with_a_4xx(two_servers):
    (a, _), _, _ = two_servers
    host, port = a.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /v1/organizations?q=" + b"x" * 1_000_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = sock.recv(200)
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer  # never a reset connection or a 5xx


def test_a_training_job_started_through_one_is_answered_by_the_other(two_servers):
    (a, b), key, _ = two_servers
    request = urllib.request.Request(a + "/v1/models/train", data=b"", method="POST",
                                     headers={"X-API-Key": key})
    with urllib.request.urlopen(request, timeout=30) as r:
        job = json.loads(r.read())
    status, seen = get(f"{b}/v1/models/jobs/{job['id']}", key)
    assert status == 200 and seen["id"] == job["id"]
    if seen["status"] in ("queued", "running"):  # one job at a time across the workers
        try:
            urllib.request.urlopen(urllib.request.Request(
                b + "/v1/models/train", data=b"", method="POST", headers={"X-API-Key": key}),
                timeout=30)
            raise AssertionError("a second job started")
        except urllib.error.HTTPError as exc:
            assert exc.code == 409
    wait_until(lambda: get(f"{b}/v1/models/jobs/{job['id']}", key)[1]["status"]
               in ("done", "failed"), 120)
    assert get(f"{a}/v1/models/jobs/{job['id']}", key)[1] == \
        get(f"{b}/v1/models/jobs/{job['id']}", key)[1]
