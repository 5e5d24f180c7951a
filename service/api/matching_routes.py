"""Suggestions, pair fit, consortia and themes: the engine over HTTP."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from data.errors import UnknownOrganization
from data.generations import Generations
from data.introductions import Introductions
from data.records import Kind, Lang, MatchMode, RegionCode, Suggestion
from data.stored_lists import StoredLists
from data.taxonomy import INDUSTRIES, IndustryId
from data.themes import THEMES
from matching.consortia import TeamRules, propose_consortia, required_capabilities
from matching.engine import Filters
from service.api.deps import Caller, LiveDep, StoreDep, viewer_of
from service.api.errors import NotReady, SamePair, blame
from service.api.types import (
    ConsortiumList,
    ConsortiumRequest,
    OpenIntroduction,
    SuggestionList,
    ThemeList,
    ThemeSuggestionList,
)
from service.api.vocab import require_theme
from service.disclosure import disclosed_items, disclosed_matches, log_disclosed, visible_organization
from service.live import Served


def _served_for(live: LiveDep, store: StoreDep, *org_ids: str) -> Served:
    """What this process serves once it holds everything the store held when the request
    came (so a registration or an update made through any process is served)."""
    served = live.catch_up(Generations(store).current())
    for org_id in org_ids:
        if org_id not in served.engine.eco.index:
            if not store.has_organization(org_id):
                raise UnknownOrganization(org_id)
            raise NotReady(f"{org_id} is not indexed yet; retry shortly")
    return served


def _introduced(store: StoreDep, org_id: str, partners: list[str]) -> dict[str, Any]:
    """What ``org_id`` has done about the listed partners: ``acted_on`` (asked to be introduced,
    in list order) and their open ``introductions``."""
    intros = Introductions(store)
    asked = intros.asked_by(org_id)
    return {"acted_on": [p for p in partners if p in asked],
            "introductions": {p: OpenIntroduction(id=i.id, status=i.status, requester=i.requester)
                              for p, i in intros.open_with(org_id, partners).items()}}


BATCH_LANG: Lang = "en"  # the language of the nightly batch's stored reasons
AcceptLanguage = Annotated[str | None, HeaderParameter(name="Accept-Language", max_length=256)]


def pick_lang(lang: Lang | None, accept_language: str | None) -> Lang:
    """``lang`` if given, else the first of Japanese or English the Accept-Language header
    names (in its order of preference), else English."""
    if lang is not None:
        return lang
    ranked = []
    for i, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in ("ja", "en") and q > 0:
            ranked.append((-q, i, primary))
    return min(ranked)[2] if ranked else "en"


class Matching(Controller):
    tags = ["matching"]

    @get("/v1/organizations/{org_id:str}/suggestions", sync_to_thread=True)
    def suggestions(
        self, org_id: FromPath[str], principal: Caller, store: StoreDep, live: LiveDep,
        k: Annotated[int, QueryParameter(ge=1, le=100)] = 10,
        mode: FromQuery[MatchMode] = "co-creation",
        kind: Annotated[list[Kind] | None, QueryParameter(max_items=6)] = None,
        region: Annotated[list[RegionCode] | None, QueryParameter(max_items=20)] = None,
        industry: Annotated[list[IndustryId] | None, QueryParameter(max_items=10)] = None,
        new_only: FromQuery[bool] = False,
        theme: Annotated[str | None, QueryParameter(max_length=64)] = None,
        fresh: FromQuery[bool] = False,
        lang: FromQuery[Lang | None] = None,
        accept_language: AcceptLanguage = None,
    ) -> SuggestionList:
        """Ranked two-way partners with both direction scores, reasons and themes.

        The default request (co-creation, no filter or theme) is answered from the nightly
        batch's stored list when it holds ``k`` entries from the live model; its reasons
        quote public items only. ``fresh=true``, any filter, or a changed profile computes
        the list now, with every item the caller may see. Reasons are in ``lang``, else the
        language the Accept-Language header prefers (Japanese or English), else English.
        """
        principal.acts_for(org_id)
        require_theme(store, theme, "theme")
        chosen = pick_lang(lang, accept_language)
        if (not (fresh or kind or region or industry or new_only or theme) and mode == "co-creation"
                and chosen == BATCH_LANG):
            bodies, version, computed_at, partners = StoredLists(store).head(org_id, k)
            if len(bodies) == k and version == live.version:
                return SuggestionList(
                    organization_id=org_id, mode=mode, model_version=version, source="stored",
                    computed_at=computed_at,
                    # Stored bodies are Suggestion JSON already: sent as they are, not re-encoded.
                    suggestions=[msgspec.Raw(b.encode()) for b in bodies],
                    **_introduced(store, org_id, partners))
        served = _served_for(live, store, org_id)
        engine = served.engine
        viewer = viewer_of(store, principal)
        with live.computing:
            found = engine.suggest(
                org_id, k=k, mode=mode, theme=theme, viewer=viewer.indexed(engine.eco.index),
                lang=chosen, filters=Filters(kinds=tuple(kind or ()), regions=tuple(region or ()),
                                             industries=tuple(INDUSTRIES.index(i) for i in industry or ()),
                                             new_only=new_only))
        log_disclosed(store, viewer, disclosed_matches(
            (m for s in found for m in s.explanation.need_matches), viewer), "suggestions")
        return SuggestionList(organization_id=org_id, mode=mode, model_version=served.model_version,
                              suggestions=found,
                              **_introduced(store, org_id, [s.partner_id for s in found]))

    @get("/v1/organizations/{org_id:str}/fit/{other_id:str}", sync_to_thread=True)
    def fit(self, org_id: FromPath[str], other_id: FromPath[str], principal: Caller,
            store: StoreDep, live: LiveDep,
            mode: FromQuery[MatchMode] = "co-creation", lang: FromQuery[Lang | None] = None,
            accept_language: AcceptLanguage = None) -> Suggestion:
        """The full two-way fit of one pair, with themes and reasons (language as for
        suggestions)."""
        principal.acts_for(org_id)
        if org_id == other_id:
            raise SamePair(org_id)
        engine = _served_for(live, store, org_id, other_id).engine
        viewer = viewer_of(store, principal)
        with live.computing:
            result = engine.fit(org_id, other_id, mode=mode, lang=pick_lang(lang, accept_language),
                                viewer=viewer.indexed(engine.eco.index))
        log_disclosed(store, viewer, disclosed_matches(result.explanation.need_matches, viewer), "fit")
        return result

    @post("/v1/consortia", sync_to_thread=True, status_code=200)
    def consortia(self, data: JSONBody[ConsortiumRequest], principal: Caller, store: StoreDep,
                  live: LiveDep) -> ConsortiumList:
        """Teams of 3-5 around a lead for a theme or a free-text need, under constraints."""
        principal.acts_for(data.lead, "$.lead")
        require_theme(store, data.theme, "$.theme", catalogue_only=True)
        with blame("$.lead", UnknownOrganization):
            engine = _served_for(live, store, data.lead).engine
        required = required_capabilities(engine, theme=data.theme, need_text=data.need)
        rules = TeamRules(size=data.size, require_kinds=tuple(data.require_kinds.items()),
                          regions=tuple(data.regions), teams=data.teams)
        viewer = viewer_of(store, principal)
        with live.computing:
            teams = propose_consortia(engine, data.lead, required, rules,
                                      viewer=viewer.indexed(engine.eco.index))
        log_disclosed(store, viewer, disclosed_matches((m for t in teams for m in t.explanation), viewer),
                      "consortia")
        return ConsortiumList(consortia=teams)

    @get("/v1/themes", sync_to_thread=False)
    def themes(self, principal: Caller) -> ThemeList:
        """The catalogue of co-creation themes."""
        return ThemeList(themes=list(THEMES))

    @get("/v1/organizations/{org_id:str}/themes", sync_to_thread=True)
    def themes_for(self, org_id: FromPath[str], principal: Caller, store: StoreDep, live: LiveDep,
                   k: Annotated[int, QueryParameter(ge=1, le=30)] = 5) -> ThemeSuggestionList:
        """Themes an organisation's visible strengths and needs point to."""
        engine = _served_for(live, store, org_id).engine
        viewer = viewer_of(store, principal)
        found = engine.themes_for([engine.index_of(org_id)], viewer.indexed(engine.eco.index), k=k)
        # The items it may see beyond public shaped the themes: a disclosure.
        shown = visible_organization(store.get_organization(org_id), viewer)
        log_disclosed(store, viewer, disclosed_items([shown], viewer), "themes")
        return ThemeSuggestionList(organization_id=org_id, themes=found)
