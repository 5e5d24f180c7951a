"""The console's doors: sign in, sign out, home, the language switch."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect, Template

from data.store import Store
from service.api.auth import Principal
from service.console.errors import CONSOLE, under_console
from service.console.i18n import LANGS
from service.console.office import store_names
from service.console.render import LANG_COOKIE, Problem, page
from service.console.session import (
    CSRF_FIELD,
    SIGNIN_COOKIE,
    CsrfRefused,
    NotSignedIn,
    checked_signin_form,
    drop_expired_sessions,
    sign_in,
    signin_token,
)

User = NamedDependency[Principal]
StoreDep = NamedDependency[Store]
Form = NamedDependency[dict[str, Any]]


def signin_form(request: Request, problem: Problem | None = None) -> Template:
    """The sign-in page, its token both in the form and in a cookie: a double submit, so that
    a visitor who is not signed in costs the session store nothing."""
    token = signin_token(request)
    response = page(request, "signin.html", problem=problem, csrf=token)
    # A cross-site page can neither read the cookie nor have the browser send it.
    response.set_cookie(SIGNIN_COOKIE, token, path=CONSOLE, httponly=True, samesite="strict")
    return response


@get("/console/signin", sync_to_thread=False, include_in_schema=False)
def signin_page(request: Request) -> Template:
    return signin_form(request)


@post("/console/signin", include_in_schema=False)
async def signin(request: Request) -> Template | Redirect:
    form = await checked_signin_form(request)
    plain = str(form.get("key") or "").strip()
    if not plain:
        return signin_form(request, Problem(422, "no_key", field="key"))
    key = request.app.state.key_store.find_api_key(plain)
    if key is None:
        return signin_form(request, Problem(401, "bad_key", field="key"))
    await sign_in(request, key.id)
    response = Redirect("/console", status_code=303)
    # The session has a token of its own now; the cookie goes as it came (HttpOnly, Strict).
    response.set_cookie(SIGNIN_COOKIE, "", path=CONSOLE, httponly=True, samesite="strict", max_age=0)
    return response


@post("/console/signout", include_in_schema=False)
async def signout(request: Request, form: Form) -> Redirect:
    request.clear_session()  # the backend deletes this session's file as it answers
    await drop_expired_sessions(request.app)
    return Redirect("/console/signin", status_code=303)


@get("/console", sync_to_thread=True, include_in_schema=False)
def home(request: Request, user: User, store: StoreDep) -> Template:
    return page(request, "home.html", user=user,
                org_name=store_names(store, {user.org}).get(user.org) if user.org else None)


def console_page(given: str | None) -> str:
    """Where a link may send the browser back to: a console path as given, with no dot segments
    (however encoded), no host and no backslash; anything else is the console's home."""
    parts = urlsplit(given or "")
    path = parts.path
    decoded = path
    for _ in range(3):  # %252e%252e is %2e%2e is ..
        decoded = unquote(decoded)
    segments = decoded.split("/")
    if (parts.scheme or parts.netloc or not under_console(path) or "\\" in decoded
            or any(s in (".", "..") for s in segments) or any(ord(c) < 32 for c in decoded)):
        return CONSOLE
    return path + (f"?{parts.query}" if parts.query else "")


@get("/console/lang/{lang:str}", sync_to_thread=False, include_in_schema=False)
def switch_lang(request: Request, lang: FromPath[str]) -> Redirect:
    """A preference, not a change of state: kept in a cookie; back to a console page only."""
    if lang not in LANGS:
        raise NotFoundException(f"no console language {lang}")
    response = Redirect(console_page(request.query_params.get("next")), status_code=303)
    response.set_cookie(LANG_COOKIE, lang, httponly=True, samesite="strict", max_age=365 * 86400)
    return response


@get("/", sync_to_thread=False, include_in_schema=False)
def root() -> Redirect:
    return Redirect("/console", status_code=303)


def not_signed_in(request: Request, _: NotSignedIn) -> Response:
    return Redirect("/console/signin", status_code=303)


def csrf_refused(request: Request, _: CsrfRefused) -> Response:
    return page(request, "done.html", problem=Problem(403, "csrf", field=CSRF_FIELD))
