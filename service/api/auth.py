"""API keys and roles: who is asking, and what they may do."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Request

from data.store import ApiKey
from matching.engine import Engine
from matching.visibility import Viewer


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

    def acts_for(self, org_id: str) -> None:
        """Offices act for their own organisation only; admins and analysts for any."""
        if self.role == "office" and self.org != org_id:
            raise Forbidden(f"an office key of {self.org} cannot act for {org_id}")

    def viewer(self, engine: Engine, partners: set[str]) -> Viewer:
        """The disclosure rule for this key, in the engine's indices."""
        if self.role == "admin":
            return Viewer(sees_all=True)
        if self.role == "office" and self.org in engine.eco.index:
            return Viewer(org=engine.eco.index[self.org],
                          partners=frozenset(engine.eco.index[p] for p in partners
                                             if p in engine.eco.index))
        return Viewer()


def key_from(request: Request) -> str | None:
    key = request.headers.get("x-api-key")
    if key:
        return key
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else None


async def principal(request: Request) -> Principal:
    plain = key_from(request)
    if not plain:
        raise Unauthorized("an API key is required (header X-API-Key or Authorization: Bearer)")
    key = request.app.state.store.find_api_key(plain)
    if key is None:
        raise Unauthorized("unknown or revoked API key")
    return Principal(key)
