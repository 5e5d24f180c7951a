"""Organisations: register, read, update, list and search."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from data.errors import UnknownOrganization
from data.records import REGION_PATTERN, Kind, Organization
from data.taxonomy import IndustryId
from service.api.deps import Caller, LiveDep, StoreDep, viewer_of
from service.api.errors import IdMismatch, OrganizationExists
from service.api.types import OrganizationPage
from service.disclosure import disclosed_items, log_disclosed, visible_organization


class Organizations(Controller):
    path = "/v1/organizations"
    tags = ["organizations"]

    @post("/", sync_to_thread=True, status_code=201)
    def register(self, data: JSONBody[Organization], principal: Caller, store: StoreDep,
                 live: LiveDep) -> Organization:
        """Register a new organisation (admin, analyst). It is suggestible as soon as this
        process has applied the change (well under a second); every other process follows
        within its poll."""
        principal.require("admin", "analyst")
        if store.has_organization(data.id):
            raise OrganizationExists(data.id)
        store.put_organization(data)
        live.poke()
        return store.get_organization(data.id)

    @get("/{org_id:str}", sync_to_thread=True)
    def read(self, org_id: FromPath[str], principal: Caller, store: StoreDep) -> Organization:
        """One organisation, with the items the caller may see."""
        org = store.get_organization(org_id)
        viewer = viewer_of(store, principal)
        shown = visible_organization(org, viewer)
        log_disclosed(store, viewer, disclosed_items([shown], viewer), "organization")
        return shown

    @put("/{org_id:str}", sync_to_thread=True)
    def update(self, org_id: FromPath[str], data: JSONBody[Organization], principal: Caller, store: StoreDep,
               live: LiveDep) -> Organization:
        """Replace an organisation's profile (its office, admin, analyst)."""
        principal.acts_for(org_id)
        if data.id != org_id:
            raise IdMismatch(org_id, data.id)
        if not store.has_organization(org_id):
            raise UnknownOrganization(org_id)
        store.put_organization(data)
        live.poke()
        return store.get_organization(org_id)

    @get("/", sync_to_thread=True)
    def search(
        self, principal: Caller, store: StoreDep,
        kind: FromQuery[Kind | None] = None,
        region: Annotated[str | None, QueryParameter(pattern=REGION_PATTERN)] = None,
        industry: FromQuery[IndustryId | None] = None,
        q: Annotated[str | None, QueryParameter(min_length=1, max_length=200)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 50,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> OrganizationPage:
        """List and search (text matches names and public items only)."""
        items, total = store.list_organizations(kind=kind, region=region, industry=industry,
                                                text=q, limit=limit, offset=offset)
        viewer = viewer_of(store, principal)
        shown = [visible_organization(o, viewer) for o in items]
        log_disclosed(store, viewer, disclosed_items(shown, viewer), "search")
        return OrganizationPage(items=shown, total=total, limit=limit, offset=offset)
