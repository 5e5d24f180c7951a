"""Signing in and out: the sign-in form's double-submit token, a new session id, and a sign-out
that leaves no cookie behind."""

from __future__ import annotations

import re

import pytest

SIGNIN = "/console/signin"


def set_cookies(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def cookie_named(response, name: str) -> str:
    found = [c for c in set_cookies(response) if c.startswith(f"{name}=")]
    assert len(found) == 1, set_cookies(response)
    return found[0]


def test_the_sign_in_token_is_in_a_strict_httponly_cookie_for_console_paths_only(console):
    r = console.client.get(SIGNIN)
    cookie = cookie_named(r, "kyoso_signin")
    token = re.search(r"kyoso_signin=([^;]+)", cookie).group(1)
    assert f'value="{token}"' in r.text
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/console;" in cookie + ";"
    # A second page for the same browser keeps its token (two tabs both sign in).
    assert f'value="{token}"' in console.client.get(SIGNIN).text


@pytest.mark.parametrize("sent", ["missing_cookie", "missing_field", "mismatch", "empty", "non_ascii"])
def test_a_sign_in_without_a_matching_token_pair_is_refused(console, sent):
    token = console.csrf()
    data = {"key": console.keys["office"], "_csrf": token}
    if sent == "missing_cookie":
        console.client.cookies.clear()
    elif sent == "missing_field":
        del data["_csrf"]
    elif sent == "mismatch":
        data["_csrf"] = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif sent == "empty":
        console.client.cookies.set("kyoso_signin", "", path="/console")
        data["_csrf"] = ""
    elif sent == "non_ascii":
        data["_csrf"] = "é" * len(token)
    r = console.client.post(SIGNIN, data=data, follow_redirects=False)
    assert r.status_code == 403 and "_csrf" in r.text, (sent, r.status_code)
    assert "kyoso_console" not in r.headers.get("set-cookie", "")
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303


def test_a_token_from_another_browser_is_refused(console):
    theirs = console.csrf()
    console.client.cookies.clear()
    console.csrf()  # this browser's own cookie
    r = console.client.post(SIGNIN, data={"key": console.keys["office"], "_csrf": theirs},
                            follow_redirects=False)
    assert r.status_code == 403


def test_a_matching_pair_signs_in_and_the_sign_in_token_is_dropped(console):
    r = console.client.post(SIGNIN, data={"key": console.keys["office"], "_csrf": console.csrf()},
                            follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console"
    dropped = cookie_named(r, "kyoso_signin")
    assert "Max-Age=0" in dropped and "HttpOnly" in dropped and "samesite=strict" in dropped.lower()
    session = cookie_named(r, "kyoso_console")
    assert "HttpOnly" in session and "samesite=strict" in session.lower()
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 200


def test_sign_in_gives_a_new_session_id_and_a_planted_one_is_not_signed_in(console):
    console.client.cookies.set("kyoso_console", "planted-by-someone-else")
    r = console.client.post(SIGNIN, data={"key": console.keys["office"], "_csrf": console.csrf()},
                            follow_redirects=False)
    after = re.search(r"kyoso_console=([^;]+)", cookie_named(r, "kyoso_console")).group(1)
    assert after not in ("planted-by-someone-else", "null", '""')
    console.client.cookies.clear()
    console.client.cookies.set("kyoso_console", "planted-by-someone-else")
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303


def test_signing_in_again_replaces_the_session_before(console):
    console.sign_in("office")
    before = console.client.cookies.get("kyoso_console")
    r = console.client.post(SIGNIN, data={"key": console.keys["stranger"], "_csrf": console.csrf()},
                            follow_redirects=False)
    after = re.search(r"kyoso_console=([^;]+)", cookie_named(r, "kyoso_console")).group(1)
    assert before and after != before
    console.client.cookies.clear()
    console.client.cookies.set("kyoso_console", before)
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303


def test_sign_out_clears_the_cookie_at_once(console):
    console.sign_in("office")
    r = console.post("/console/signout", {})
    assert r.status_code == 303 and r.headers["location"] == SIGNIN
    cookie = cookie_named(r, "kyoso_console")
    assert "Max-Age=0" in cookie and "Max-Age=28800" not in cookie
    assert "kyoso_console" not in console.client.cookies
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303
