"""Request and response bodies of the HTTP API (the domain records come from data.records)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

from data.introductions import Disclosure, Introduction
from data.records import (
    TEXT_MAX,
    TEXT_PATTERN,
    Consortium,
    DeclineReason,
    Kind,
    Note,
    Organization,
    OrgId,
    Outcome,
    RegionCode,
    Suggestion,
    Theme,
    ThemeSuggestion,
)
from data.registry import HistoryEntry
from data.retractions import Retraction

Text = Annotated[str, Meta(min_length=1, max_length=TEXT_MAX, pattern=TEXT_PATTERN)]


class Body(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Base of request bodies: unknown fields are rejected."""


class ErrorBody(msgspec.Struct, kw_only=True):
    """Every error, everywhere: a code, a message, and the field at fault when known."""

    code: str
    message: str
    field: str | None = None


class OrganizationPage(msgspec.Struct, kw_only=True):
    items: list[Organization]
    total: int
    limit: int
    offset: int


class OpenIntroduction(msgspec.Struct, frozen=True, kw_only=True):
    """An introduction still open (requested or accepted) between the asker and a partner."""

    id: str
    status: Literal["requested", "accepted"]
    requester: str  # who asked: the asker itself, or the partner (then the asker answers it)


class SuggestionList(msgspec.Struct, kw_only=True):
    organization_id: str
    mode: str
    model_version: str | None
    suggestions: list[Suggestion]
    # "stored": the nightly batch's list (public reasons only), "live": computed now
    source: Literal["live", "stored"] = "live"
    computed_at: str | None = None
    # Listed partners the asker has already asked to be introduced to: the suggestions it acted on.
    acted_on: list[str] = []
    # Listed partners with an open introduction, asked by either side: neither may ask again
    # while it is open.
    introductions: dict[str, OpenIntroduction] = {}


class ConsortiumRequest(Body):
    lead: OrgId
    theme: Annotated[str, Meta(max_length=64)] | None = None
    need: Text | None = None
    size: Annotated[int, Meta(ge=3, le=5)] = 4
    require_kinds: Annotated[dict[Kind, Annotated[int, Meta(ge=1, le=5)]], Meta(max_length=6)] = {}
    regions: Annotated[list[RegionCode], Meta(max_length=20)] = []
    teams: Annotated[int, Meta(ge=1, le=5)] = 3

    def __post_init__(self) -> None:
        if self.theme is None and self.need is None:
            raise ValueError("give a theme or a need")


class ConsortiumList(msgspec.Struct, kw_only=True):
    consortia: list[Consortium]


class ThemeList(msgspec.Struct, kw_only=True):
    themes: list[Theme]


class ThemeSuggestionList(msgspec.Struct, kw_only=True):
    organization_id: str
    themes: list[ThemeSuggestion]


class IntroductionRequest(Body):
    requester: OrgId
    target: OrgId
    message: Text | None = None


class Decline(Body):
    reason: DeclineReason
    note: Note | None = None  # to the asker


class IntroductionList(msgspec.Struct, kw_only=True):
    introductions: list[Introduction]
    limit: int = 100
    offset: int = 0


class OutcomeAck(msgspec.Struct, kw_only=True):
    seq: int
    created: bool
    outcome: Outcome


class OutcomeEntry(msgspec.Struct, kw_only=True):
    """An outcome with its place in the log."""

    seq: int
    outcome: Outcome


class OutcomeList(msgspec.Struct, kw_only=True):
    outcomes: list[OutcomeEntry]
    # The ``after`` of the next page; null when this page is the last.
    next_after: int | None = None
    retracted: list[str] = []  # keys of the outcomes above that were retracted


class ModelInfo(msgspec.Struct, kw_only=True):
    version: str
    live: bool
    created_at: str
    metrics: dict[str, Any]


class ModelList(msgspec.Struct, kw_only=True):
    live: str | None
    models: list[ModelInfo]
    verdict: str | None = None  # after a promotion or rollback: why it was made


class Promote(Body):
    force: bool = False


class ModelHistory(msgspec.Struct, kw_only=True):
    history: list[HistoryEntry]


class Retract(Body):
    reason: Note


class RetractionAck(msgspec.Struct, kw_only=True):
    created: bool
    retraction: Retraction


class DisclosurePage(msgspec.Struct, kw_only=True):
    disclosures: list[Disclosure]
    next_after: int | None  # pass as ?after= for the next page; None on the last page


class TrainJob(msgspec.Struct, kw_only=True):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    started_at: str | None = None
    finished_at: str | None = None
    version: str | None = None
    error: str | None = None
    metrics: dict[str, Any] = {}


class Health(msgspec.Struct, kw_only=True):
    status: str


class Ready(msgspec.Struct, kw_only=True):
    status: str
    organizations: int
    model_version: str | None  # the model this process serves
    scorer: Literal["model", "heuristic"] = "heuristic"
    compiled: bool = False  # the model's trees run as machine code here (else LightGBM's walk)
    generation: int = 0  # the store's change log is applied up to here in this process
    store_generation: int = 0  # the store's own generation now
    indexed: int = 0  # organisations this process serves
    rebuilding: bool = False  # a full build is running in the background
    worker: int = 0  # the id of the process that answered (one per server worker)
    note: str | None = None  # why this process serves something other than the store says
    fallback: str | None = None  # why the promoted model is not the one served
