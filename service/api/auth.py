"""API keys and roles: who is asking, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.types import Scope

from data.errors import shown
from data.store import ApiKey


class Unauthorized(Exception):
    """No key, or a key that is unknown or revoked."""


class Forbidden(Exception):
    """A valid key that may not do this."""


@dataclass(frozen=True)
class Principal:
    key: ApiKey

    @property
    def role(self) -> str:
        return self.key.role

    @property
    def org(self) -> str | None:
        return self.key.org_id

    def require(self, *roles: str) -> None:
        if self.role not in roles:
            raise Forbidden(f"this needs the role {' or '.join(roles)}; the key has {self.role}")

    def acts_for(self, org_id: str, field: str | None = None) -> None:
        """Offices act for their own organisation only; admins and analysts for any.
        ``field``: where the request named ``org_id``, for the error body."""
        if self.role == "office" and self.org != org_id:
            refused = Forbidden(f"an office key of {self.org} cannot act for {shown(org_id)}")
            refused.field = field
            raise refused

    def acts_as_side(self, org_id: str, field: str | None = None) -> None:
        """Act as one side of an introduction (accept, decline, its events, its NDA): only that
        side's office or an admin. These steps open or close the side's items, so nobody else
        (analysts included) may take them on its behalf."""
        if self.role not in ("admin", "office"):
            refused = Forbidden(f"only the side's own office or an admin acts for {shown(org_id)};"
                                f" the key has {self.role}")
            refused.field = field
            raise refused
        self.acts_for(org_id, field)


def key_from(request: ASGIConnection) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


_SCOPE_KEY = "kyoso.principal"


def resolve(connection: ASGIConnection) -> Principal:
    """The one place a request's key is checked."""
    plain = key_from(connection)
    if not plain:
        raise Unauthorized("an API key is required (header X-API-Key or Authorization: Bearer)")
    # Its own connection: the guard runs on the event loop, and must not wait for a request
    # thread's statement on the shared one.
    key = connection.app.state.key_store.find_api_key(plain)
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(key)


def authenticated(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Guard: a handler that takes a ``principal`` checks the key before the body is read."""
    if "principal" in handler.parsed_fn_signature.parameters:
        remember(connection.scope, resolve(connection))


def remember(scope: Scope, caller: Principal) -> Principal:
    """Record who this request is for (the access log names the key of every request)."""
    scope[_SCOPE_KEY] = caller  # type: ignore[literal-required]
    return caller


def caller_of(scope: Scope) -> Principal | None:
    """Who the guard found this request to be (None before the guard, or without a key)."""
    return scope.get(_SCOPE_KEY)  # type: ignore[return-value]


async def principal(request: Request) -> Principal:
    return caller_of(request.scope) or resolve(request)
