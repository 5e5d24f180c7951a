"""The HTTP edge: what a request must look like before any handler sees it."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time

import pytest
import uvicorn

from service.api.app import create_app
from service.api.bodies import MAX_BODY_DEPTH, nesting_depth
from service.api.edge import MAX_QUERY_BYTES
from service.settings import Settings
from tests.service.conftest import OFFICE_ORG, STRANGER_ORG, make_store
from tests.service.test_api import NEW_ORG

BODY_ROUTES = ["/v1/organizations", "/v1/outcomes", "/v1/consortia", "/v1/introductions"]


def raw_post(api, path: str, body: bytes, content_type: str = "application/json", who="admin"):
    headers = {"Content-Type": content_type}
    if who:
        headers["X-API-Key"] = api.keys[who]
    return api.client.post(path, content=body, headers=headers)


def test_string_founded_is_rejected(api):
    r = api.call("POST", "/v1/organizations", json={**NEW_ORG, "founded": "1999"})
    assert r.status_code == 422, r.text
    assert r.json()["code"] == "invalid_input" and r.json()["field"] == "$.founded"
    assert api.call("GET", f"/v1/organizations/{NEW_ORG['id']}").status_code == 404


def test_string_numbers_and_booleans_in_bodies_are_not_coerced(api):
    r = api.call("POST", "/v1/consortia", json={"lead": OFFICE_ORG, "need": "AI", "size": "3"})
    assert r.status_code == 422 and r.json()["field"] == "$.size"
    r = api.call("POST", "/v1/models/v-none/promote", json={"force": "true"})
    assert r.status_code == 422 and r.json()["field"] == "$.force"


def test_whitespace_only_names_and_texts_are_rejected_by_the_api(api):
    for body, field in (({**NEW_ORG, "name": "   "}, "$.name"),
                        ({**NEW_ORG, "needs": [{"tag": "ai.forecast", "text": " \n"}]}, "$.needs[0].text")):
        r = api.call("POST", "/v1/organizations", json=body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text


@pytest.mark.parametrize("text", ["a\u0000b", "\u202eabc", "abc\ufeff", "bell\u0007"])
def test_control_and_direction_override_characters_are_rejected_by_the_api(api, text):
    """They would hide or reorder what another office reads of a profile."""
    for body, field in (({**NEW_ORG, "name": text}, "$.name"),
                        ({**NEW_ORG, "needs": [{"tag": "ai.forecast", "text": text}]}, "$.needs[0].text")):
        r = api.call("POST", "/v1/organizations", json=body)
        assert r.status_code == 422 and r.json()["field"] == field, r.text
    ok = api.call("POST", "/v1/organizations", json={
        **NEW_ORG, "needs": [{"tag": "ai.forecast", "text": "行1\n\t行2 (line two)"}]})
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("org_id", [".", "..", ".env"])
def test_organisation_ids_that_read_as_paths_are_rejected_by_the_api(api, org_id):
    r = api.call("POST", "/v1/organizations", json={**NEW_ORG, "id": org_id})
    assert r.status_code == 422 and r.json()["field"] == "$.id"


def test_text_plain_body_is_a_415_with_a_clear_message(api):
    r = raw_post(api, "/v1/organizations", json.dumps(NEW_ORG).encode(), "text/plain")
    assert r.status_code == 415
    assert r.json()["code"] == "unsupported_media_type" and "application/json" in r.json()["message"]


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_deeply_nested_body_is_a_400_not_a_500(api, path):
    deep = b"[" * 990 + b"]" * 990
    r = raw_post(api, path, deep)
    assert r.status_code == 400 and r.json()["code"] == "body_too_deep", r.text
    nested_object = b'{"a":' * 40 + b"1" + b"}" * 40
    assert raw_post(api, path, nested_object).status_code == 400


def test_nesting_depth_ignores_brackets_inside_strings():
    assert nesting_depth(b'{"text": "[[[[{{{{\\"]]]]"}') == 1
    assert nesting_depth(b"[" * MAX_BODY_DEPTH + b"]" * MAX_BODY_DEPTH) == MAX_BODY_DEPTH


def test_empty_body_names_what_is_missing(api):
    r = raw_post(api, "/v1/outcomes", b"")
    assert r.status_code == 400 and r.json()["code"] == "body_required"
    assert "body" in r.json()["message"]


@pytest.mark.parametrize("body", [b"{nope", b"[" * 990 + b"]" * 990, b'{"founded": "1999"}'])
def test_a_request_without_a_key_gets_401_before_its_body_is_read(api, body):
    for path in BODY_ROUTES:
        r = raw_post(api, path, body, who=None)
        assert r.status_code == 401 and r.json()["code"] == "unauthorized", (path, r.text)
    r = raw_post(api, "/v1/outcomes", body, "text/plain", who=None)
    assert r.status_code == 401


def test_a_long_query_string_is_a_414(api):
    r = api.call("GET", "/v1/organizations?q=" + "x" * (MAX_QUERY_BYTES + 1))
    assert r.status_code == 414 and r.json()["code"] == "query_too_long"
    assert api.call("GET", "/v1/organizations?q=" + "x" * 150).status_code == 200


def test_every_request_leaves_one_access_line_without_secrets(api, caplog):
    caplog.set_level(logging.INFO, logger="kyoso.access")
    secret_text = "a very private need text"
    body = {**NEW_ORG, "needs": [{"tag": "ai.forecast", "text": secret_text, "tier": "confidential"}]}
    api.call("POST", "/v1/organizations", json=body)
    api.call("GET", f"/v1/organizations/{OFFICE_ORG}", who="office")
    api.call("GET", "/v1/themes", who=None)
    access = [r.getMessage() for r in caplog.records if r.name == "kyoso.access"]
    lines = [json.loads(line) for line in access]
    assert len(lines) == 3
    posted, read, anonymous = lines
    assert posted["method"] == "POST" and posted["route"] == "/v1/organizations"
    assert posted["status"] == 201 and posted["role"] == "admin" and posted["key_id"]
    assert read["route"] == "/v1/organizations/{org_id}" and read["role"] == "office"
    assert isinstance(read["ms"], float)
    assert anonymous["status"] == 401 and anonymous["key_id"] is None
    logged = "\n".join(access)
    assert secret_text not in logged and OFFICE_ORG not in logged
    assert not any(key in logged for key in api.keys.values())


def test_office_cannot_record_an_outcome_for_another_actor(api):
    body = {"key": "crm-1", "members": [STRANGER_ORG, OFFICE_ORG], "stage": "meeting",
            "at": "2026-10-01T09:00:00Z"}
    r = api.call("POST", "/v1/outcomes", json=body, who="office")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"
    group = {**body, "key": "crm-2", "members": ["org-0000003", OFFICE_ORG, STRANGER_ORG]}
    assert api.call("POST", "/v1/outcomes", json=group, who="office").status_code == 403
    mine = {**body, "key": "crm-3", "members": [OFFICE_ORG, STRANGER_ORG, "org-0000003"]}
    assert api.call("POST", "/v1/outcomes", json=mine, who="office").status_code == 201
    assert api.call("POST", "/v1/outcomes", json=body, who="admin").status_code == 201


def test_a_client_holding_a_body_open_is_timed_out_with_408_on_a_real_server(tmp_path):
    db = str(tmp_path / "k.db")
    make_store(db, n=60)
    from data.store import Store
    with Store(db) as store:
        key = store.create_api_key("admin")[1]
    app = create_app(Settings(db=db, models_dir=str(tmp_path / "m"), body_timeout=1.0))
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))  # bound here, so no other process can take the port first
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"POST /v1/outcomes HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                         b"X-API-Key: " + key.encode() + b"\r\nContent-Length: 500\r\n\r\n{\"key\":")
            started = time.monotonic()
            answer = sock.recv(65536)
            waited = time.monotonic() - started
            while b"\r\n\r\n" in answer and not answer.split(b"\r\n\r\n", 1)[1]:
                answer += sock.recv(65536)  # the body may follow the headers in its own segment
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"body_timeout" in answer and waited < 8
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET /v1/organizations?q=" + b"x" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n"
                         b"X-API-Key: " + key.encode() + b"\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 414")
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()


def test_unknown_routes_are_logged_and_bounded_too(api, caplog):
    caplog.set_level(logging.INFO, logger="kyoso.access")
    assert api.call("GET", "/v1/nothing-here").status_code == 404
    assert api.call("GET", "/v1/nothing-here?q=" + "x" * (MAX_QUERY_BYTES + 1)).status_code == 414
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kyoso.access"]
    assert [line["status"] for line in lines] == [404, 414]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/v1/outcomes", {"key": "f-1", "members": [OFFICE_ORG, STRANGER_ORG], "stage": "meeting",
                      "at": "2099-01-01T00:00:00Z"}, "$.at"),
    ("/v1/outcomes", {"key": "f-2", "members": [OFFICE_ORG, OFFICE_ORG], "stage": "meeting",
                      "at": "2026-01-01T00:00:00Z"}, "$.members"),
    ("/v1/outcomes", {"key": "f-3", "members": [OFFICE_ORG, "org-9999999"], "stage": "meeting",
                      "at": "2026-01-01T00:00:00Z"}, "$.members[1]"),
    ("/v1/consortia", {"lead": OFFICE_ORG, "theme": "airport-tourism-dx", "require_kinds": {"bank": 1}},
     "$.require_kinds"),
    ("/v1/consortia", {"lead": OFFICE_ORG, "need": "   "}, "$.need"),
])
def test_errors_from_a_records_own_checks_name_the_field(api, path, body, field):
    r = api.call("POST", path, json=body)
    assert 400 <= r.status_code < 500, r.text
    assert r.json()["field"] == field, r.json()


def test_a_blank_retraction_reason_is_rejected(api):
    body = {"key": "r-1", "members": [OFFICE_ORG, STRANGER_ORG], "stage": "meeting",
            "at": "2026-01-01T00:00:00Z"}
    assert api.call("POST", "/v1/outcomes", json=body).status_code == 201
    r = api.call("POST", "/v1/outcomes/r-1/retract", json={"reason": "  "})
    assert r.status_code == 422 and r.json()["field"] == "$.reason"


def test_an_office_acting_for_another_or_an_unknown_lead_names_the_field(api):
    body = {"key": "f-9", "members": [STRANGER_ORG, OFFICE_ORG], "stage": "meeting",
            "at": "2026-01-01T00:00:00Z"}
    r = api.call("POST", "/v1/outcomes", json=body, who="office")
    assert r.status_code == 403 and r.json()["field"] == "$.members[0]"
    r = api.call("POST", "/v1/consortia", json={"lead": "org-nope", "theme": "airport-tourism-dx"})
    assert r.status_code == 404 and r.json()["field"] == "$.lead"
