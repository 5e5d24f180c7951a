"""An office's pages: its profile, suggestions, introductions and inbox, an organisation as
it may see it. Every page calls the API's own handler functions (the same rules, the same
Viewer), on a worker thread."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Redirect, Template

from data.records import DECLINE_REASONS, KINDS, TIERS, Kind, MatchMode, Organization, RegionCode, Suggestion
from data.store import Store
from data.taxonomy import REGIONS, TAGS
from data.themes import THEMES
from service.api.auth import Principal
from service.api.errors import InvalidBody
from service.api.exchange import Exchange
from service.api.matching_routes import Matching
from service.api.organizations import Organizations
from service.api.types import Decline, IntroductionRequest
from service.console.pending import PendingLists
from service.console.render import Problem, attempt, lang_of, page
from service.live import LiveEngine

User = NamedDependency[Principal]
Form = NamedDependency[dict[str, Any]]
StoreDep = NamedDependency[Store]
LiveDep = NamedDependency[LiveEngine]
SIDES = ("strengths", "needs")
LISTS = PendingLists()  # this process's live lists still computing for a page
SIDES_PREFIXES = tuple(f"{side}-" for side in SIDES)


def own_org(user: Principal) -> str:
    """Office pages act for the key's organisation; other roles are refused as the API would."""
    user.require("office")
    return user.org  # type: ignore[return-value]


_ROW = re.compile(r"^(strengths|needs)-(\d{1,4})-(tag|text|tier|remove|new)$")


def items_from(form: dict[str, Any], side: str) -> list[dict[str, str | None]]:
    """The rows of one side of the profile form in the order of their numbers: kept rows, and
    the new row if it has text. A gap in the numbers (a row removed in the browser) is not the
    end of the list; a field of the form's sides that is not a row's is refused by name."""
    numbers = set()
    for name in form:
        if name.startswith(SIDES_PREFIXES):
            found = _ROW.match(name)
            if found is None:
                raise InvalidBody(f"{name} is not a field of the profile form", name)
            if found.group(1) == side:
                numbers.add(int(found.group(2)))
    rows = []
    for i in sorted(numbers):
        if form.get(f"{side}-{i}-remove"):
            continue
        text = str(form.get(f"{side}-{i}-text") or "")
        if form.get(f"{side}-{i}-new") and not text.strip():
            continue
        rows.append({"tag": form.get(f"{side}-{i}-tag"), "text": text, "tier": form.get(f"{side}-{i}-tier")})
    return rows


def suggestion_of(s: Any) -> Any:
    """A stored list's entries are JSON already; the page reads them as Suggestions."""
    return msgspec.json.decode(s, type=Suggestion) if isinstance(s, msgspec.Raw) else s


class OfficePages(Controller):
    path = "/console"
    include_in_schema = False

    def _profile(self, request: Request, org: Organization, rows: dict[str, list[dict[str, str]]],
                 problem: Problem | None = None, saved: bool = False) -> Template:
        return page(request, "profile.html", org=org, rows=rows, tags=TAGS, tiers=TIERS, sides=SIDES,
                    problem=problem, saved=saved)

    @get("/profile", sync_to_thread=True)
    def profile(self, request: Request, user: User, store: StoreDep) -> Template:
        org_id = own_org(user)
        org = Organizations.read.fn(None, org_id=org_id, principal=user, store=store)
        rows = {side: [msgspec.to_builtins(i) for i in getattr(org, side)] for side in SIDES}
        return self._profile(request, org, rows, saved=request.query_params.get("saved") == "1")

    @post("/profile", sync_to_thread=True)
    def save_profile(self, request: Request, user: User, form: Form, store: StoreDep,
                     live: LiveDep) -> Template | Redirect:
        org_id = own_org(user)
        current = Organizations.read.fn(None, org_id=org_id, principal=user, store=store)
        body = msgspec.to_builtins(current)

        def save() -> Organization:
            for side in SIDES:
                body[side] = items_from(form, side)
            data = msgspec.convert(body, Organization)
            return Organizations.update.fn(None, org_id=org_id, data=data, principal=user, store=store,
                                           live=live)
        _, problem = attempt(save)
        if problem:  # shown as sent, so the visitor corrects the field named
            return self._profile(request, current, {side: body[side] for side in SIDES}, problem)
        return Redirect("/console/profile?saved=1", status_code=303)

    @get("/suggestions", sync_to_thread=True)
    def suggestions(self, request: Request, user: User, store: StoreDep, live: LiveDep) -> Template:
        """The list as the API computes it live; one that takes longer than a page waits shows
        progress instead, and the list part (``/console/suggestions/list``) swaps it in."""
        return self._suggestions(request, user, store, live, part=False)

    @get("/suggestions/list", sync_to_thread=True)
    def suggestion_list(self, request: Request, user: User, store: StoreDep, live: LiveDep) -> Template:
        return self._suggestions(request, user, store, live, part=True)

    def _suggestions(self, request: Request, user: Principal, store: Store, live: LiveEngine, *,
                     part: bool) -> Template:
        org_id = own_org(user)
        q = request.query_params
        mode = q.get("mode") or "co-creation"
        kind = q.get("kind") or None
        theme = q.get("theme") or None
        region = (q.get("region") or "").strip() or None
        filters = {"mode": mode, "kind": kind, "theme": theme, "region": region,
                   "new_only": q.get("new_only") == "1"}
        lang = lang_of(request)

        def run() -> Any:
            raw = {"mode": mode, "kind": [kind] if kind else None, "region": [region] if region else None,
                   "theme": theme}
            checked = msgspec.convert(raw, SuggestionFilters)
            return Matching.suggestions.fn(
                None, org_id=org_id, principal=user, store=store, live=live, k=10, mode=checked.mode,
                kind=checked.kind, region=checked.region, industry=None, new_only=filters["new_only"],
                theme=checked.theme, fresh=True, lang=lang, accept_language=None)
        job = LISTS.get((user.key.id, lang, tuple(sorted(filters.items()))), lambda: attempt(run))
        query = urlencode({k: ("1" if v is True else v) for k, v in filters.items() if v})
        template = "suggestion_list.html" if part else "suggestions.html"
        if not job.done():
            return page(request, template, pending=True, query=query, filters=filters, kinds=KINDS,
                        themes=THEMES, regions=REGIONS, suggestions=[])
        found, problem = job.result()
        listed = [suggestion_of(s) for s in found.suggestions] if found else []
        opened = found.introductions if found else {}  # not offered a request again while open
        # The list stays whole when nobody brings the theme; the page says so.
        unmet = theme is not None and bool(listed) and not any(s.theme and s.theme.covered for s in listed)
        if part:  # swapped in by htmx, which swaps only a 2xx: the part shows its own problem
            return page(request, template, status=200, problem=problem, part=True, suggestions=listed,
                        opened=opened, org_id=org_id, theme_unmet=unmet)
        return page(request, "suggestions.html", found=found, problem=problem, filters=filters,
                    suggestions=listed, kinds=KINDS, themes=THEMES, opened=opened, org_id=org_id,
                    regions=REGIONS, theme_unmet=unmet)

    @post("/introductions", sync_to_thread=True)
    def request_introduction(self, request: Request, user: User, form: Form,
                             store: StoreDep) -> Template | Redirect:
        org_id = own_org(user)

        def ask() -> Any:
            message = str(form.get("message") or "").strip() or None  # a blank box is no message
            data = msgspec.convert({"requester": org_id, "target": form.get("target") or "",
                                    "message": message}, IntroductionRequest)
            return Exchange.request_introduction.fn(None, data=data, principal=user, store=store)
        _, problem = attempt(ask)
        if problem:
            return page(request, "done.html", problem=problem, back="/console/suggestions")
        return Redirect("/console/inbox?requested=1", status_code=303)

    def _inbox(self, request: Request, org_id: str, user: Principal, store: Store,
               problem: Problem | None = None, declining: str | None = None) -> Template:
        intros = Exchange.list_introductions.fn(None, principal=user, store=store, org=org_id, limit=200,
                                                offset=0).introductions
        names = store_names(store, {i.requester for i in intros} | {i.target for i in intros})
        return page(request, "inbox.html", org_id=org_id, names=names, reasons=DECLINE_REASONS,
                    awaiting=[i for i in intros if i.target == org_id and i.status == "requested"],
                    others=[i for i in intros if not (i.target == org_id and i.status == "requested")],
                    flash=request.query_params.get("done") or request.query_params.get("requested"),
                    problem=problem, declining=declining)

    @get("/inbox", sync_to_thread=True)
    def inbox(self, request: Request, user: User, store: StoreDep) -> Template:
        return self._inbox(request, own_org(user), user, store)

    @post("/introductions/{intro_id:str}/accept", sync_to_thread=True)
    def accept(self, request: Request, intro_id: FromPath[str], user: User, form: Form,
               store: StoreDep) -> Template | Redirect:
        _, problem = attempt(lambda: Exchange.accept.fn(None, intro_id=intro_id, principal=user,
                                                        store=store))
        if problem:
            return page(request, "done.html", problem=problem, back="/console/inbox")
        return Redirect("/console/inbox?done=accepted", status_code=303)

    @post("/introductions/{intro_id:str}/decline", sync_to_thread=True)
    def decline(self, request: Request, intro_id: FromPath[str], user: User, form: Form,
                store: StoreDep) -> Template | Redirect:
        def run() -> Any:
            data = msgspec.convert({"reason": form.get("reason") or "", "note": form.get("note") or None},
                                   Decline)
            return Exchange.decline.fn(None, intro_id=intro_id, data=data, principal=user, store=store)
        _, problem = attempt(run)
        if problem and problem.field == "$.reason":  # the inbox again, the reason's field marked
            return self._inbox(request, own_org(user), user, store,
                               Problem(422, "no_reason", field="reason"), declining=intro_id)
        if problem:
            return page(request, "done.html", problem=problem, back="/console/inbox")
        return Redirect("/console/inbox?done=declined", status_code=303)

    @get("/orgs/{org_id:str}", sync_to_thread=True)
    def organization(self, request: Request, org_id: FromPath[str], user: User,
                     store: StoreDep) -> Template:
        org, problem = attempt(lambda: Organizations.read.fn(None, org_id=org_id, principal=user,
                                                             store=store))
        return page(request, "organization.html", org=org, problem=problem, sides=SIDES)


class SuggestionFilters(msgspec.Struct, frozen=True):
    """The suggestion form's filters, checked by the same types as the API's query."""

    mode: MatchMode = "co-creation"
    kind: list[Kind] | None = None
    region: list[RegionCode] | None = None
    theme: str | None = None


def store_names(store: Store, ids: set[str]) -> dict[str, str]:
    """Names of organisations for a page (ids are not words)."""
    if not ids:
        return {}
    marks = ",".join("?" * len(ids))
    return dict(store.read(f"SELECT id, name FROM organizations WHERE id IN ({marks})", tuple(ids)))

