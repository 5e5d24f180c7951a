"""Introductions and outcomes: what happened between organisations, step by step."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from data.errors import UnknownOrganization
from data.introduction_events import is_workflow_key
from data.introductions import Introduction, Introductions, UnknownIntroduction
from data.records import Outcome
from data.retractions import Retractions, UnknownOutcome
from service.api.auth import Principal
from service.api.deps import Caller, StoreDep
from service.api.errors import InvalidBody, MissingOrg, blame
from service.api.types import (
    Decline,
    DisclosurePage,
    IntroductionList,
    IntroductionRequest,
    OutcomeAck,
    OutcomeEntry,
    OutcomeList,
    Retract,
    RetractionAck,
)
from service.api.vocab import require_theme


def _log_step(store: StoreDep, intro: Introduction, stage: str, reason: str | None = None) -> None:
    """Every introduction step is an outcome event, keyed so a retry stores it once."""
    members = (intro.requester, intro.target) if stage != "declined" else (intro.target,
                                                                             intro.requester)
    store.append_outcome(Outcome(key=f"{intro.id}:{stage}", members=members, stage=stage,
                                 at=datetime.now(UTC), reason=reason, suggestion_id=intro.id))


def decides_for(principal: Principal, intro: Introduction) -> None:
    """Only the target's office (or an admin) accepts or declines: accepting opens partner-tier
    items, so nobody else may do it on the target's behalf — analysts included."""
    principal.acts_as_side(intro.target)


class Exchange(Controller):
    tags = ["introductions and outcomes"]

    @post("/v1/introductions", sync_to_thread=True, status_code=201)
    def request_introduction(self, data: JSONBody[IntroductionRequest], principal: Caller,
                             store: StoreDep) -> Introduction:
        """Ask to be introduced to another organisation (a `contacted` outcome)."""
        principal.acts_for(data.requester, "$.requester")
        intro = Introductions(store).request(data.requester, data.target, data.message)
        _log_step(store, intro, "contacted")
        return intro

    @post("/v1/introductions/{intro_id:str}/accept", sync_to_thread=True, status_code=200)
    def accept(self, intro_id: FromPath[str], principal: Caller, store: StoreDep) -> Introduction:
        """The target's office accepts: partner-tier items open between exactly these two (a
        `meeting`). Only the target's office or an admin may."""
        intros = Introductions(store)
        with blame("intro_id", UnknownIntroduction):
            decides_for(principal, intros.get(intro_id))
        intro = intros.decide(intro_id, accept=True, reason=None)
        _log_step(store, intro, "meeting")
        return intro

    @post("/v1/introductions/{intro_id:str}/decline", sync_to_thread=True, status_code=200)
    def decline(self, intro_id: FromPath[str], data: JSONBody[Decline], principal: Caller,
                store: StoreDep) -> Introduction:
        """The target's office declines, with a coded reason and an optional note the requester
        reads in its pipeline and introductions (a `declined` outcome)."""
        intros = Introductions(store)
        with blame("intro_id", UnknownIntroduction):
            decides_for(principal, intros.get(intro_id))
        intro = intros.decide(intro_id, accept=False, reason=data.reason, note=data.note)
        _log_step(store, intro, "declined", data.reason)
        return intro

    @get("/v1/introductions", sync_to_thread=True)
    def list_introductions(
        self, principal: Caller, store: StoreDep,
        org: Annotated[str | None, QueryParameter(max_length=64)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=200)] = 100,
        offset: Annotated[int, QueryParameter(ge=0, le=10_000_000)] = 0,
    ) -> IntroductionList:
        """Introductions of an organisation, newest first, a page at a time (an office sees its own)."""
        org = org or principal.org
        if org is None:
            raise MissingOrg()
        principal.acts_for(org)
        return IntroductionList(introductions=Introductions(store).for_org(org, limit=limit, offset=offset),
                                limit=limit, offset=offset)

    @post("/v1/outcomes", sync_to_thread=True,
          responses={200: ResponseSpec(OutcomeAck, description="Already stored under this key")})
    def record_outcome(self, data: JSONBody[Outcome], principal: Caller,
                       store: StoreDep) -> Response[OutcomeAck]:
        """Append an outcome. Same key and body again: stored once, same answer (200).

        An office records only what its own organisation did: ``members[0]`` is the actor.
        """
        principal.acts_for(data.members[0], "$.members[0]")
        if is_workflow_key(data.key):
            raise InvalidBody("keys starting intro-<id>: are reserved for the outcomes the"
                              " introduction workflow records itself", "$.key")
        require_theme(store, data.theme, "$.theme")
        try:
            seq, created = store.append_outcome(data)
        except UnknownOrganization as exc:
            exc.field = f"$.members[{data.members.index(exc.org_id)}]"
            raise
        return Response(OutcomeAck(seq=seq, created=created, outcome=data),
                        status_code=201 if created else 200)

    @get("/v1/outcomes", sync_to_thread=True)
    def list_outcomes(
        self, principal: Caller, store: StoreDep,
        org: Annotated[str | None, QueryParameter(max_length=64)] = None,
        after: Annotated[int, QueryParameter(ge=0, le=2**62)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> OutcomeList:
        """Outcomes in log order after the sequence number ``after``; an office sees its own.

        Each entry carries its ``seq``. To read the whole log, start with ``after=0`` and pass
        each page's ``next_after`` as ``after`` until it is null. Keys of retracted
        outcomes among them are listed in ``retracted``.
        """
        if principal.role == "office":
            org = org or principal.org
            principal.acts_for(org)
        entries = store.outcome_entries(org_id=org, after_seq=after, limit=limit)
        return OutcomeList(outcomes=[OutcomeEntry(seq=seq, outcome=o) for seq, o in entries],
                           next_after=entries[-1][0] if len(entries) == limit else None,
                           retracted=Retractions(store).among([o.key for _, o in entries]))

    @post("/v1/outcomes/{key:str}/retract", sync_to_thread=True, status_code=201,
          responses={200: ResponseSpec(RetractionAck, description="Retracted before: the first retraction")})
    def retract_outcome(self, key: FromPath[str], data: JSONBody[Retract], principal: Caller,
                        store: StoreDep) -> Response[RetractionAck]:
        """Retract a wrong outcome: it stays in the log, and training, evaluation and stats
        leave it out. By its recorder's office (the first member's), an analyst or an admin;
        again: the first retraction, 200."""
        outcome = store.get_outcome(key)
        if outcome is None:
            raise UnknownOutcome(key)
        if principal.role == "office":
            principal.acts_for(outcome.members[0])
        retraction, created = Retractions(store).retract(key, data.reason, principal.key.id,
                                                         principal.role)
        return Response(RetractionAck(created=created, retraction=retraction),
                        status_code=201 if created else 200)

    @get("/v1/disclosures", sync_to_thread=True)
    def list_disclosures(
        self, principal: Caller, store: StoreDep,
        owner: Annotated[str | None, QueryParameter(max_length=64)] = None,
        after: Annotated[int, QueryParameter(ge=0, le=2**62)] = 0,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> DisclosurePage:
        """Who was shown an organisation's partner-tier (``items``) and nda-tier (``nda_items``)
        items: an office reads its own organisation's log, an admin anyone's (or all). Paged by
        ``after``."""
        principal.require("admin", "office")
        if principal.role == "office":
            owner = owner or principal.org
            principal.acts_for(owner)
        page = Introductions(store).disclosures(owner, after=after, limit=limit)
        return DisclosurePage(disclosures=page,
                              next_after=page[-1].seq if len(page) == limit else None)
