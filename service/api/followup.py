"""After the introduction: an organisation's pipeline, and events recorded on an introduction."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, JSONBody, QueryParameter

from data.errors import UnknownOrganization
from data.introduction_events import IntroductionEvent
from data.introductions import Introductions, UnknownIntroduction
from data.store import OutcomeConflict
from service.api.deps import Caller, StoreDep
from service.api.errors import blame
from service.digest import Digest, digest
from service.followup import EventBody, Pipeline, pipeline, record_event
from service.nda import NdaBody, NdaState, record_nda
from service.settings import Settings


class FollowUp(Controller):
    tags = ["introductions and outcomes"]

    @get("/v1/organizations/{org_id:str}/pipeline", sync_to_thread=True)
    def get_pipeline(self, org_id: FromPath[str], principal: Caller, store: StoreDep,
                     settings: NamedDependency[Settings],
                     on: Annotated[date | None, QueryParameter(description="judge stalls on this day")]
                     = None,
                     ) -> Pipeline:
        """Every introduction of the organisation: stage, the date of each stage reached, who acts
        next, the next contact and whether it is stalled (its office; admins and analysts any)."""
        principal.acts_for(org_id, "org_id")
        with blame("org_id", UnknownOrganization):
            return pipeline(store, org_id, on or datetime.now(UTC).date(), settings.stall_rules)

    @get("/v1/organizations/{org_id:str}/digest", sync_to_thread=True)
    def get_digest(self, org_id: FromPath[str], principal: Caller, store: StoreDep,
                   settings: NamedDependency[Settings],
                   on: Annotated[date | None, QueryParameter(description="the day (default: today)")]
                   = None,
                   ) -> Digest:
        """What the office should act on: requests awaiting its answer, stalled introductions
        (with rule and reason), next contacts due within a week or overdue, and newcomers the
        last nightly batch placed in its stored list (its office; admins and analysts any)."""
        principal.acts_for(org_id, "org_id")
        with blame("org_id", UnknownOrganization):
            return digest(store, org_id, on or datetime.now(UTC).date(), settings.stall_rules)

    @post("/v1/introductions/{intro_id:str}/events", sync_to_thread=True, status_code=201,
          responses={200: ResponseSpec(IntroductionEvent, description="Already stored under this key")})
    def record(self, intro_id: FromPath[str], data: JSONBody[EventBody], principal: Caller,
               store: StoreDep) -> Response[IntroductionEvent]:
        """Record a meeting, PoC, contract, launch, decline (with its reason) or a note, by one of
        the two organisations, with an optional next contact date. Each stage is also an outcome;
        the same key and body again: stored once (200)."""
        with blame("intro_id", UnknownIntroduction):
            Introductions(store).get(intro_id)
        principal.acts_as_side(data.by, "$.by")
        with blame("$.key", OutcomeConflict):
            event, created = record_event(store, intro_id, data)
        return Response(event, status_code=201 if created else 200)

    @post("/v1/introductions/{intro_id:str}/nda", sync_to_thread=True, status_code=201,
          responses={200: ResponseSpec(NdaState, description="Already stored under this key")})
    def record_nda_step(self, intro_id: FromPath[str], data: JSONBody[NdaBody], principal: Caller,
                        store: StoreDep) -> Response[NdaState]:
        """One side of an accepted introduction confirms that the NDA is signed, or revokes it.
        Once both have confirmed, nda-tier items open between exactly these two (every such
        disclosure is logged); a revocation by either side closes them again. Only the side's
        own office or an admin; same key and body again: stored once (200)."""
        with blame("intro_id", UnknownIntroduction):
            Introductions(store).get(intro_id)
        principal.acts_as_side(data.by, "$.by")
        with blame("$.key", OutcomeConflict):
            state, created = record_nda(store, intro_id, data)
        return Response(state, status_code=201 if created else 200)
