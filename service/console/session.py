"""Who is signed in to the console: a server-side session that holds the key's id (never the
key) and its CSRF token, kept only once a key signs in; the check every state-changing form
passes; and the sign-in form's own token, which needs no session."""

from __future__ import annotations

import hmac
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
from anyio import to_thread
from litestar import Litestar, Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.stores.base import StorageObject
from litestar.stores.file import FileStore
from litestar.types import Empty, Message, ScopeSession

from service.api.auth import Principal, caller_of, remember
from service.settings import Settings

SESSION_COOKIE = "kyoso_console"
SESSION_STORE = "console_sessions"
CSRF_FIELD = "_csrf"
SIGNIN_COOKIE = "kyoso_signin"  # the sign-in form's token, the other half of its double submit
SESSION_HOURS = 8
TOKEN = re.compile(r"[\w-]{43}")  # secrets.token_urlsafe(32)


class NotSignedIn(Exception):
    """A console page asked for without a session: the visitor is sent to sign in."""


class CsrfRefused(Exception):
    """A state-changing form without the session's CSRF token (or, signing in, the cookie's)."""


class SessionBackend(ServerSideSessionBackend):
    """Litestar's, but an empty session is neither stored nor given a cookie (Litestar stores one
    for every visitor, so anyone could fill the folder), and a session that ends deletes its
    cookie at once: Litestar's deletion cookie keeps the configured Max-Age, which browsers obey
    over its past expiry."""

    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        if scope_session is not Empty:
            if scope_session:
                await super().store_in_message(scope_session, message, connection)
            return
        store = self.config.get_store_from_app(connection.app)
        await self.delete(self.get_session_id(connection), store=store)
        cookie = Cookie(key=self.config.key, value="", path=self.config.path, domain=self.config.domain,
                        secure=self.config.secure, httponly=self.config.httponly,
                        samesite=self.config.samesite, max_age=0, expires=0)
        MutableScopeHeaders.from_message(message).add("Set-Cookie", cookie.to_header(header=""))


@dataclass
class SessionConfig(ServerSideSessionConfig):
    _backend_class = SessionBackend


def session_config() -> ServerSideSessionConfig:
    """HttpOnly, SameSite=Strict; only console paths carry it (the API keeps its header keys)."""
    return SessionConfig(
        key=SESSION_COOKIE, store=SESSION_STORE, httponly=True, samesite="strict", secure=False,
        max_age=SESSION_HOURS * 3600, exclude=[r"^/v1/", r"^/docs", r"^/health", r"^/ready", r"^/static/"])


def session_store(settings: Settings) -> FileStore:
    """Beside the store, so every worker process of one `kyoso serve` reads the same sessions."""
    return FileStore(Path(settings.db).resolve().parent / "console-sessions", create_directories=True)


def drop_expired(folder: Path) -> int:
    """Delete the session files past their age, and how many: the store drops an expired one
    only when it is asked for again, and most are never asked for again."""
    dropped = 0
    for file in folder.glob("*"):
        if ".tmp" in file.name:  # being written by a request right now (then renamed)
            continue
        try:
            stored = StorageObject.from_bytes(file.read_bytes())
        except FileNotFoundError:  # signed out meanwhile
            continue
        except msgspec.DecodeError:  # not a session the store could ever read again
            stored = None
        if stored is None or stored.expired:
            file.unlink(missing_ok=True)
            dropped += 1
    return dropped


def sessions_of(app: Litestar) -> FileStore:
    return app.stores.get(SESSION_STORE)  # type: ignore[return-value]


async def drop_expired_sessions(app: Litestar) -> None:
    """At start-up, and on every sign-in and sign-out (never for a refused key, which would let
    anyone make the server walk the folder)."""
    await to_thread.run_sync(drop_expired, Path(str(sessions_of(app).path)))


def csrf_token(request: Request) -> str:
    """The signed-in session's CSRF token; none for a visitor, whose page starts no session."""
    return (request.session or {}).get("csrf") or ""


def signin_token(request: Request) -> str:
    """The sign-in form's token: the one this browser's cookie holds (a second tab keeps it), or
    a new one."""
    held = request.cookies.get(SIGNIN_COOKIE) or ""
    return held if TOKEN.fullmatch(held) else secrets.token_urlsafe(32)


def same_token(sent: Any, expected: str) -> bool:
    """In constant time, and as bytes: a str that is not ASCII makes compare_digest raise."""
    return bool(expected) and hmac.compare_digest(str(sent or "").encode(), expected.encode())


async def sign_in(request: Request, key_id: str) -> None:
    """A fresh session for the key that signed in: a new token and a new session id, so an id
    handed out before sign-in (or planted by someone else) never becomes a signed-in one. The
    session it replaces is deleted, not left to expire."""
    before = request.cookies.pop(SESSION_COOKIE, None)  # the backend reuses the id it finds here
    if before:
        await sessions_of(request.app).delete(before)
    request.clear_session()
    request.set_session({"key_id": key_id, "csrf": secrets.token_urlsafe(32)})
    await drop_expired_sessions(request.app)


def flash(request: Request, **what: Any) -> None:
    """Keep what a form did for the page the browser is sent to next (post-redirect-get)."""
    request.set_session({**(request.session or {}), "flash": what})


def take_flash(request: Request) -> dict[str, Any]:
    """What the form before this page did, once: a reload shows it no more."""
    session = dict(request.session or {})
    what = session.pop("flash", None)
    if what is not None:
        request.set_session(session)
    return what or {}


async def console_user(request: Request) -> Principal:
    """The signed-in key, checked again on every page (a revoked key ends the session)."""
    key_id = (request.session or {}).get("key_id")
    key = request.app.state.key_store.api_key_by_id(key_id) if key_id else None
    if key is None:
        if request.session:  # kept, every visit would write it again and renew its age
            request.clear_session()
        raise NotSignedIn()
    return remember(request.scope, Principal(key))


def signed_in(request: Request) -> Principal | None:
    """Who this page is for (None on the sign-in page), for the navigation."""
    return caller_of(request.scope)


async def checked_form(request: Request) -> dict[str, Any]:
    """The posted form, once its CSRF token matches the session's; else CsrfRefused."""
    return await form_with_token(request, csrf_token(request))


async def checked_signin_form(request: Request) -> dict[str, Any]:
    """The sign-in form, once its token matches its cookie's (there is no session yet to hold
    one); else CsrfRefused."""
    return await form_with_token(request, request.cookies.get(SIGNIN_COOKIE) or "")


async def form_with_token(request: Request, expected: str) -> dict[str, Any]:
    form = await request.form()
    if not same_token(form.get(CSRF_FIELD), expected):
        raise CsrfRefused()
    return {k: form.get(k) for k in form}
