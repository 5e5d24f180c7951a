"""The records: one msgspec schema for API bodies, store rows and batch files.

Constraints live in the types, so every edge rejects the same bad value with the
same message, naming the field (``at `$.needs[0].tier```).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, ClassVar, Literal, get_args

import msgspec
from msgspec import Meta

from data.taxonomy import IndustryId, TagId


class Record(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Base of every record: keyword-only, immutable, unknown fields rejected."""


Kind = Literal["company", "startup", "university", "research_institute", "municipality", "npo"]
KINDS: tuple[str, ...] = Kind.__args__  # type: ignore[attr-defined]
Tier = Literal["public", "partner", "nda", "confidential"]
TIERS: tuple[str, ...] = Tier.__args__  # type: ignore[attr-defined]
NdaStance = Literal["open", "mutual_nda", "strict"]
NDA_STANCES: tuple[str, ...] = NdaStance.__args__  # type: ignore[attr-defined]
SizeBand = Literal["micro", "small", "medium", "large", "enterprise"]
SIZE_BANDS: tuple[str, ...] = SizeBand.__args__  # type: ignore[attr-defined]
CollaborationMode = Literal[
    "joint_research", "poc", "licensing", "investment", "procurement", "demonstration",
    "talent_exchange", "joint_venture",
]
COLLABORATION_MODES: tuple[str, ...] = CollaborationMode.__args__  # type: ignore[attr-defined]
MatchMode = Literal["co-creation", "collaboration"]
MATCH_MODES: tuple[str, ...] = get_args(MatchMode)
Stage = Literal["suggested", "contacted", "meeting", "poc", "contract", "launched", "declined"]
STAGES: tuple[str, ...] = Stage.__args__  # type: ignore[attr-defined]
DeclineReason = Literal[
    "no_fit", "timing", "budget", "nda_terms", "capacity", "distance", "no_response", "other",
]
DECLINE_REASONS: tuple[str, ...] = DeclineReason.__args__  # type: ignore[attr-defined]

# Graded relevance of the furthest stage a pair reached (training label).
STAGE_GRADE: dict[str, int] = {
    "declined": 0, "suggested": 1, "contacted": 2, "meeting": 3, "poc": 4, "contract": 5,
    "launched": 5,
}

# Ids never start with a dot, so none can read as a path (".", "..", ".hidden").
OrgId = Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[\w:-][\w:.-]*$")]
Key = Annotated[str, Meta(min_length=1, max_length=128, pattern=r"^[\w:.-]+$")]
# Texts hold at least one visible character, and no control character or direction
# override (NUL, U+202E, a byte-order mark...): those hide or reorder what another office reads.
TEXT_PATTERN = r"^(?=[\s\S]*\S)[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069\ufeff]*$"
NAME_MAX, TEXT_MAX = 200, 2000  # characters of a name, of a text (an item, a message)
NOTE_MAX = 500  # characters of a note (with an answer, an event) or a retraction's reason
Note = Annotated[str, Meta(min_length=1, max_length=NOTE_MAX, pattern=TEXT_PATTERN)]
Name = Annotated[str, Meta(min_length=1, max_length=NAME_MAX, pattern=TEXT_PATTERN)]
ItemText = Annotated[str, Meta(min_length=1, max_length=TEXT_MAX, pattern=TEXT_PATTERN)]
AwareDatetime = Annotated[datetime, Meta(tz=True)]
REGION_PATTERN = r"^[A-Z]{2}(-[0-9A-Z]{1,3})?$"
RegionCode = Annotated[str, Meta(pattern=REGION_PATTERN)]
Latitude = Annotated[float, Meta(ge=-90, le=90)]
Longitude = Annotated[float, Meta(ge=-180, le=180)]
Year = Annotated[int, Meta(ge=1600, le=2100)]
Score = Annotated[float, Meta(ge=-1e9, le=1e9)]

# How far ahead of this machine's clock an outcome's time may be (the sender's clock may run fast).
MAX_CLOCK_SKEW = timedelta(minutes=5)


class Item(Record):
    """A strength or a need: a capability tag, free text (ja/en) and who may see it."""

    tag: TagId
    text: ItemText
    tier: Tier = "public"


class Organization(Record):
    id: OrgId
    name: Name
    kind: Kind
    region: RegionCode
    industries: Annotated[tuple[IndustryId, ...], Meta(max_length=8)] = ()
    lat: Latitude | None = None
    lon: Longitude | None = None
    size_band: SizeBand | None = None
    founded: Year | None = None
    strengths: Annotated[tuple[Item, ...], Meta(max_length=32)] = ()
    needs: Annotated[tuple[Item, ...], Meta(max_length=32)] = ()
    modes: Annotated[tuple[CollaborationMode, ...], Meta(max_length=8)] = ()
    nda: NdaStance = "mutual_nda"
    registered_at: datetime | None = None

    def __post_init__(self) -> None:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon must be given together")
        if self.registered_at is not None and not 1800 <= self.registered_at.year <= 2200:
            raise ValueError("registered_at must be between the years 1800 and 2200")


class Outcome(Record):
    """What happened after an introduction. Append-only; ``members[0]`` acted."""

    key: Key
    members: Annotated[tuple[OrgId, ...], Meta(min_length=2, max_length=200)]
    stage: Stage
    at: AwareDatetime
    reason: DeclineReason | None = None
    suggestion_id: Annotated[str, Meta(max_length=128)] | None = None
    theme: Annotated[str, Meta(max_length=64)] | None = None
    # A new record is held to the clock; one read back was checked when it came in, and a
    # clock set back or an imported log must not make the store unreadable.
    checks_clock: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if len(set(self.members)) != len(self.members):
            raise ValueError("members must be distinct organisations")
        if (self.stage == "declined") != (self.reason is not None):
            raise ValueError("reason is required for stage 'declined' and only for it")
        if not 1800 <= self.at.year <= 2200:
            raise ValueError("at must be between the years 1800 and 2200")
        if self.at.tzinfo is None:
            raise ValueError("at must carry a timezone, e.g. 2026-10-01T09:00:00Z")
        if self.checks_clock and self.at > datetime.now(UTC) + MAX_CLOCK_SKEW:
            raise ValueError(f"at lies in the future (more than {MAX_CLOCK_SKEW} ahead of now)")


class StoredOutcome(Outcome):
    """An outcome as the store holds it: every check but the clock's."""

    checks_clock: ClassVar[bool] = False


class Theme(Record):
    """A co-creation theme: the capabilities it combines and the needs it answers."""

    id: Annotated[str, Meta(min_length=1, max_length=64, pattern=r"^[\w.-]+$")]
    en: Name
    ja: Name
    capabilities: tuple[TagId, ...]
    answers: tuple[TagId, ...]
    kinds: tuple[Kind, ...] = ()


# --- what the engine returns -------------------------------------------------------------


class NeedMatch(Record):
    """One need of ``need_org`` met by one strength of ``strength_org``."""

    need_org: OrgId
    need_tag: TagId
    need_text: str | None
    strength_org: OrgId
    strength_tag: TagId
    strength_text: str | None
    similarity: float
    need_tier: Tier = "public"
    strength_tier: Tier = "public"


PathRelation = Literal["worked_together", "introduced", "common_partner"]


class GraphPath(Record):
    """How two organisations are linked in the collaboration graph.

    ``worked_together``: the pair reached PoC, contract or launch; ``introduced``: it was
    introduced before without getting that far (``stage`` says how far); ``common_partner``:
    both reached PoC or further with the middle node.
    """

    nodes: tuple[OrgId, ...]
    description: str
    description_ja: str = ""
    relation: PathRelation | None = None
    stage: Stage | None = None  # the furthest stage of an ``introduced`` pair


class Factor(Record):
    """A feature and how much it moved the score (model contribution)."""

    name: str
    value: float | None  # None when the feature is unknown for the pair (e.g. no location)
    contribution: float
    label: str = ""  # the feature in words, in the language asked for


class Explanation(Record):
    need_matches: tuple[NeedMatch, ...] = ()
    path: GraphPath | None = None
    factors: tuple[Factor, ...] = ()


class ThemeSuggestion(Record):
    theme_id: str
    en: str
    ja: str
    score: float
    covered: tuple[TagId, ...] = ()
    missing: tuple[TagId, ...] = ()


Lang = Literal["ja", "en"]
LANGS: tuple[str, ...] = Lang.__args__  # type: ignore[attr-defined]


class Reason(Record):
    """One plain reason for a suggestion, in the asked language, made from the factors
    and matches by a template (``code`` names the template)."""

    code: str
    text: str


class ThemeCoverage(Record):
    """How a suggestion covers the theme the list was asked for."""

    theme_id: str
    fit: float  # 0..1: the share of the theme's capabilities the partner brings, and its answers
    covered: tuple[TagId, ...] = ()  # the theme's capabilities among the partner's strengths
    answers: tuple[TagId, ...] = ()  # the needs of either side the theme answers


class Suggestion(Record):
    """A partner for the asker. ``score``, ``score_forward`` and ``score_backward`` are on one
    0–1 scale: each direction is the ranker's score through a logistic, the two-way score
    their weighted geometric mean tilted by mode and theme (and kept within 0–1)."""

    partner_id: OrgId
    partner_name: str
    partner_kind: Kind
    score: float
    score_forward: float
    score_backward: float
    explanation: Explanation
    themes: tuple[ThemeSuggestion, ...] = ()
    reasons: tuple[Reason, ...] = ()
    lang: Lang = "en"
    # Where the list's diversification moved it: its place by score and how many places
    # lower (positive) or higher it is shown.
    position_by_score: int | None = None
    moved_by_diversity: int = 0
    theme: ThemeCoverage | None = None


class Consortium(Record):
    lead_id: OrgId
    members: tuple[OrgId, ...]
    kinds: tuple[Kind, ...]
    score: float  # 0–1: the mean of ``coverage`` and the members' fit with the lead; teams best first
    coverage: float
    covered: tuple[TagId, ...]
    missing: tuple[TagId, ...]
    explanation: tuple[NeedMatch, ...] = ()
    themes: tuple[ThemeSuggestion, ...] = ()


class ModelManifest(msgspec.Struct, kw_only=True):
    """What a saved model is: format, features, parameters, training data, metrics."""

    format: str
    features: list[str]
    categorical: list[str]
    params: dict[str, Any]
    fingerprint: str
    metrics: dict[str, Any] = {}
    lightgbm: str = ""
    checksum: str = ""  # sha256 of the model file; empty in manifests written before it
