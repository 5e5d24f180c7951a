"""Signing out leaves no cookie behind."""

from __future__ import annotations

SIGNIN = "/console/signin"


def set_cookies(response) -> list[str]:
    return response.headers.get_list("set-cookie")


def cookie_named(response, name: str) -> str:
    found = [c for c in set_cookies(response) if c.startswith(f"{name}=")]
    assert len(found) == 1, set_cookies(response)
    return found[0]


def test_sign_out_clears_the_cookie_at_once(console):
    console.sign_in("office")
    r = console.post("/console/signout", {})
    assert r.status_code == 303 and r.headers["location"] == SIGNIN
    cookie = cookie_named(r, "kyoso_console")
    assert "Max-Age=0" in cookie and "Max-Age=28800" not in cookie
    assert "kyoso_console" not in console.client.cookies
    assert console.client.get("/console/profile", follow_redirects=False).status_code == 303
