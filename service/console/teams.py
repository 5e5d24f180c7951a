"""An office's pair fit and consortium builder pages (the API's handlers answer them)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.response import Template

from data.records import KINDS, NAME_MAX
from data.store import Store
from data.taxonomy import REGIONS
from data.themes import THEMES
from service.api.auth import Principal
from service.api.matching_routes import Matching
from service.api.types import ConsortiumRequest
from service.console.office import own_org, store_names
from service.console.render import Problem, attempt, lang_of, page
from service.live import LiveEngine

User = NamedDependency[Principal]
StoreDep = NamedDependency[Store]
LiveDep = NamedDependency[LiveEngine]


def consortium_request(org_id: str, q: Any) -> ConsortiumRequest:
    """The builder's form as the API's body, checked by the same type (a bad field is named)."""
    need = (q.get("need") or "").strip() or None
    # Every count the visitor typed goes to the type as a number where it reads as one, so a
    # negative, fractional or wrong one is refused there with its field, not dropped here.
    require = {k: _number(q.get(f"require_{k}")) for k in KINDS
               if (q.get(f"require_{k}") or "").strip() not in ("", "0")}
    regions = chosen_regions(q)
    return msgspec.convert({"lead": org_id, "theme": q.get("theme") or None, "need": need,
                            "size": _number(q.get("size") or "4"), "require_kinds": require,
                            "regions": regions, "teams": 3}, ConsortiumRequest)


NAMES_SHOWN = 20  # organisations listed to pick from when several hold a name


def named(store: Store, org_id: str, name: str) -> tuple[list[tuple[str, str, str, str]], Problem | None]:
    """Organisations whose name holds ``name``, or a problem naming the field. The asker's own
    is left out, unless its name or id is what was asked: then it alone, for the fit to refuse
    as it refuses ``other`` naming it. One more than ``NAMES_SHOWN`` says there are more."""
    if len(name) > NAME_MAX:
        return [], Problem(422, "name_too_long", field="name")
    found = store.organizations_named(name, limit=NAMES_SHOWN + 2)  # the asker's own, and one more
    if found and found[0][0] == org_id and name in (org_id, found[0][1]):
        return found[:1], None
    matches = [m for m in found if m[0] != org_id][:NAMES_SHOWN + 1]
    if not matches:
        return [], Problem(404, "no_such_name", field="name")
    return matches, None


def chosen_regions(q: Any) -> list[str]:
    """The regions picked in the builder's list (or typed, comma-separated, into a link)."""
    return [r.strip() for given in q.getall("regions", []) for r in given.split(",") if r.strip()]


def _number(text: str | None) -> int | str:
    text = (text or "").strip()
    try:
        return int(text)
    except ValueError:
        return text


class TeamPages(Controller):
    path = "/console"
    include_in_schema = False

    @get("/fit", sync_to_thread=True)
    def fit(self, request: Request, user: User, store: StoreDep, live: LiveDep) -> Template:
        """A pair's fit: the other organisation found by its name (or id); several names that
        match are offered to pick from."""
        org_id = own_org(user)
        q = request.query_params
        other, name = (q.get("other") or "").strip(), (q.get("name") or "").strip()
        matches: list[tuple[str, str, str, str]] = []
        found, problem = (None, None)
        if name and not other:
            matches, problem = named(store, org_id, name)
            other = matches[0][0] if len(matches) == 1 else ""
        if other:
            found, problem = attempt(lambda: Matching.fit.fn(
                None, org_id=org_id, other_id=other, principal=user, store=store, live=live,
                mode=q.get("mode") or "co-creation", lang=lang_of(request), accept_language=None))
        return page(request, "fit.html", fit=found, asked=found.partner_name if found else name,
                    matches=matches if len(matches) > 1 else [], names_shown=NAMES_SHOWN,
                    problem=problem)

    @get("/consortia", sync_to_thread=True)
    def consortia(self, request: Request, user: User, store: StoreDep, live: LiveDep) -> Template:
        org_id = own_org(user)
        q = request.query_params
        found, problem = (None, None)
        if q.get("theme") or q.get("need"):
            found, problem = attempt(lambda: Matching.consortia.fn(
                None, data=consortium_request(org_id, q), principal=user, store=store, live=live))
        members = {m for c in (found.consortia if found else []) for m in c.members}
        return page(request, "consortia.html", found=found, problem=problem, themes=THEMES, kinds=KINDS,
                    regions=REGIONS, chosen_regions=chosen_regions(q),
                    names=store_names(store, members), q=dict(q.items()), asked=bool(q.get("theme") or
                                                                                   q.get("need")))
