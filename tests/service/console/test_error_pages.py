"""Errors under /console are console pages (in the visitor's language, with the right status and
a link back); the API's errors stay its JSON."""

from __future__ import annotations

import pytest

import service.console.office as office

LONG_QUERY = "?q=" + "a" * 9000
CASES = [("GET", "/console/no-such-page", 404), ("GET", "/console/static/none.css", 404),
         ("PUT", "/console/profile", 405), ("GET", "/console/profile" + LONG_QUERY, 414),
         ("GET", "/console/models/jobs?job=job-none", 404)]
HEADLINES = {404: ("このアドレスのページはありません。", "There is no page at this address."),
             405: ("このページはその操作を受け付けません。", "This page does not take that kind of request."),
             414: ("アドレスが長すぎます。", "The address is too long."),
             413: ("送信内容が大きすぎます。", "What was sent is too large.")}


def assert_page(r, status: int, lang: str, headline: str | None = None) -> None:
    assert r.status_code == status, r.text[:300]
    assert r.headers["content-type"].startswith("text/html"), r.headers["content-type"]
    assert f'<html lang="{lang}">' in r.text and 'role="alert"' in r.text
    assert '<a href="/console">' in r.text  # the way back
    assert "no-store" in r.headers.get("cache-control", "")
    assert headline is None or headline in r.text


@pytest.mark.parametrize(("method", "path", "status"), CASES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_a_console_error_is_a_page_in_the_visitors_language(console, method, path, status, lang):
    console.sign_in("analyst")
    console.client.cookies.set("kyoso_lang", lang)
    r = console.client.request(method, path, follow_redirects=False)
    known = {404: "unknown_job"} if "job-none" in path else {}
    assert_page(r, status, lang, None if known else HEADLINES[status][lang == "en"])


def test_a_body_too_large_for_a_console_form_is_a_page(console):
    console.client.headers["Accept-Language"] = "ja"
    r = console.client.post("/console/signin", data={"key": "x" * 300_000, "_csrf": console.csrf()})
    assert_page(r, 413, "ja", HEADLINES[413][0])


def test_an_unexpected_error_on_a_console_page_is_a_page_and_is_logged(console, monkeypatch, caplog):
    console.sign_in("office")

    def broken(*_a, **_k):
        raise RuntimeError("boom")
    monkeypatch.setattr(office, "store_names", broken)
    with caplog.at_level("ERROR", logger="kyoso.api"):
        r = console.client.get("/console/inbox")
    assert_page(r, 500, "en", "Something unexpected went wrong; it was logged.")
    assert "boom" not in r.text and any("console page" in m for m in caplog.messages)


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/v1/no-such-route", 404, "not_found"), ("PUT", "/v1/organizations/org-0000001/suggestions", 405,
                                                     "method_not_allowed"),
    ("GET", "/v1/organizations" + LONG_QUERY, 414, "query_too_long"), ("GET", "/consoles", 404, "not_found")])
def test_the_apis_errors_stay_json(console, method, path, status, code):
    r = console.client.request(method, path, headers={"X-API-Key": console.keys["admin"],
                                                      "Accept-Language": "ja"})
    assert r.status_code == status and r.headers["content-type"] == "application/json"
    assert r.json()["code"] == code
