"""Follow-up KPIs over the outcome log, introductions and stored lists — pure, no I/O.

A *journey* is everything logged between two organisations (outcomes with exactly two
members, either order). The funnel is a cohort: journeys whose first outcome falls in the
window, with the stages they reached by its last day. A journey reaches a stage when it
logs that stage or a later one (an introduction asked for through the API starts at
``contacted``, and counts as suggested too).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import msgspec
import polars as pl

from data.records import STAGES

FUNNEL: tuple[str, ...] = tuple(s for s in STAGES if s != "declined")  # the stages, in order
RANK = {s: i for i, s in enumerate(FUNNEL)}
# The three largest metropolitan prefectures: Tokyo, Osaka, Aichi.
METROPOLITAN: tuple[str, ...] = ("JP-13", "JP-27", "JP-23")
SME_BANDS: tuple[str, ...] = ("micro", "small", "medium")
NEWCOMER_DAYS = 365
EXPOSURE_GROUPS: tuple[str, ...] = ("newcomers", "startups_smes", "outside_metropolitan")


class StageFigure(msgspec.Struct, frozen=True, kw_only=True):
    stage: str
    journeys: int
    conversion: float | None  # from the previous stage; None for the first or after zero
    median_days: float | None  # from the journey's first outcome; None when none reached it


class Requests(msgspec.Struct, frozen=True, kw_only=True):
    """Introductions asked for in the window, by how the target answered."""

    requested: int
    accepted: int
    declined: int  # declined as a request (a decline after acceptance is not an answer)
    pending: int
    acceptance_rate: float | None  # accepted / answered


class ActedOn(msgspec.Struct, frozen=True, kw_only=True):
    """Suggestions that led to an introduction."""

    suggestions: int  # journeys that began with a logged suggestion
    acted_on: int  # of those, journeys that went on to contacted or further
    share: float | None
    stored_slots: int  # slots of the stored lists
    stored_slots_acted_on: int  # slots whose owner asked for an introduction to the partner since
    stored_share: float | None


class Exposure(msgspec.Struct, frozen=True, kw_only=True):
    """How much of the attention a group gets, beside how much of the ecosystem it is."""

    group: str
    stored_slots: float | None
    introductions: float | None
    ecosystem: float | None


class RequestRecord(msgspec.Struct, frozen=True, kw_only=True):
    """An introduction as the KPIs see it (its stall judged on the window's last day)."""

    requester: str
    target: str
    created: datetime
    answer: str  # "accepted", "declined" or "pending"
    stall_rule: str | None = None


class Kpis(msgspec.Struct, frozen=True, kw_only=True):
    organization: str | None
    start: date = msgspec.field(name="from")
    end: date = msgspec.field(name="to")
    journeys: int
    funnel: list[StageFigure]
    requests: Requests
    decline_reasons: dict[str, int]
    acted_on: ActedOn
    stalled: int
    stalled_by_rule: dict[str, int]
    exposure: list[Exposure]
    definitions: dict[str, str]


DEFINITIONS = {
    "journeys": "pairs whose first logged outcome lies in the window, with the stages reached by its end",
    "newcomers": f"registered fewer than {NEWCOMER_DAYS} days before the window's end",
    "startups_smes": "startups, and companies of size micro, small or medium",
    "outside_metropolitan": "outside Tokyo (JP-13), Osaka (JP-27) and Aichi (JP-23), abroad included",
    "exposure": "share of stored-list slots and of introductions (contacted journeys, the side "
                "asked) going to each group, beside its share of the organisations registered by the end",
}


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time.min, UTC), datetime.combine(end + timedelta(days=1), time.min, UTC))


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def journey_events(outcomes: pl.DataFrame, members: pl.DataFrame, start: date, end: date,
                   org: str | None = None) -> pl.DataFrame:
    """Pair outcomes of the journeys that began in the window, up to its end: columns
    ``a``, ``b`` (first and second member), ``lo``, ``hi`` (the pair), ``stage``, ``at``,
    ``reason``, ``day`` (days since the journey's first outcome)."""
    lo_t, hi_t = _bounds(start, end)
    pairs = (members.sort("seq", "pos").group_by("seq", maintain_order=True)
             .agg(pl.col("org_id")).filter(pl.col("org_id").list.len() == 2)
             .select("seq", a=pl.col("org_id").list.get(0), b=pl.col("org_id").list.get(1)))
    ev = (outcomes.join(pairs, on="seq").filter(pl.col("at") < hi_t)
          .with_columns(lo=pl.min_horizontal("a", "b"), hi=pl.max_horizontal("a", "b")))
    if org is not None:
        ev = ev.filter((pl.col("a") == org) | (pl.col("b") == org))
    ev = ev.with_columns(began=pl.col("at").min().over("lo", "hi")).filter(pl.col("began") >= lo_t)
    return ev.with_columns(
        day=(pl.col("at") - pl.col("began")).dt.total_seconds() / 86400.0).sort("at", "seq")


def funnel(events: pl.DataFrame) -> list[StageFigure]:
    ranked = events.with_columns(rank=pl.col("stage").replace_strict(RANK, default=-1))
    figures, previous = [], None
    for stage, r in RANK.items():
        firsts = (ranked.filter(pl.col("rank") >= r).group_by("lo", "hi").agg(pl.col("day").min()))
        n = firsts.height
        median = firsts["day"].median() if n else None
        figures.append(StageFigure(
            stage=stage, journeys=n, conversion=_share(n, previous) if previous is not None else None,
            median_days=round(float(median), 1) if median is not None else None))  # type: ignore[arg-type]
        previous = n
    return figures


def decline_reasons(events: pl.DataFrame) -> dict[str, int]:
    declined = events.filter(pl.col("stage") == "declined")
    counts = declined.group_by(pl.col("reason").fill_null("unknown")).len().sort("len", "reason",
                                                                                 descending=[True, False])
    return {r: int(n) for r, n in counts.iter_rows()}


def requests(records: list[RequestRecord], start: date, end: date) -> Requests:
    lo_t, hi_t = _bounds(start, end)
    inside = [r for r in records if lo_t <= r.created < hi_t]
    accepted = sum(r.answer == "accepted" for r in inside)
    declined = sum(r.answer == "declined" for r in inside)
    return Requests(requested=len(inside), accepted=accepted, declined=declined,
                    pending=len(inside) - accepted - declined,
                    acceptance_rate=_share(accepted, accepted + declined))


def acted_on(events: pl.DataFrame, slots: pl.DataFrame, records: list[RequestRecord]) -> ActedOn:
    """``slots``: stored-list slots (``org_id``, ``partner_id``, ``created_at``)."""
    ranked = events.with_columns(rank=pl.col("stage").replace_strict(RANK, default=-1))
    first = ranked.group_by("lo", "hi").agg(pl.col("stage").first(), pl.col("rank").max())
    suggested = first.filter(pl.col("stage") == "suggested")
    acted = suggested.filter(pl.col("rank") >= RANK["contacted"]).height
    asked = {(r.requester, r.target): r.created for r in records}
    slots_acted = sum(1 for org, partner, at in slots.select("org_id", "partner_id", "created_at").iter_rows()
                      if (org, partner) in asked and asked[(org, partner)] >= at)
    return ActedOn(suggestions=suggested.height, acted_on=acted, share=_share(acted, suggested.height),
                   stored_slots=slots.height, stored_slots_acted_on=slots_acted,
                   stored_share=_share(slots_acted, slots.height))


def groups(orgs: pl.DataFrame, end: date) -> pl.DataFrame:
    """Each organisation registered by ``end`` with a flag per exposure group."""
    _, hi_t = _bounds(end, end)
    return orgs.filter(pl.col("registered_at") < hi_t).select(
        "id",
        newcomers=pl.col("registered_at") >= hi_t - timedelta(days=NEWCOMER_DAYS),
        startups_smes=(pl.col("kind") == "startup")
        | ((pl.col("kind") == "company") & pl.col("size_band").is_in(SME_BANDS)),
        outside_metropolitan=~pl.col("region").is_in(METROPOLITAN))


def exposure(events: pl.DataFrame, slots: pl.DataFrame, orgs: pl.DataFrame, end: date,
             org: str | None = None) -> list[Exposure]:
    flags = groups(orgs, end)
    ranked = events.with_columns(rank=pl.col("stage").replace_strict(RANK, default=-1))
    # The side asked: the other member for one organisation, else the second member of the
    # journey's first contact.
    contacted = (ranked.filter(pl.col("rank") >= RANK["contacted"]).group_by("lo", "hi")
                 .agg(pl.col("a").first(), pl.col("b").first()))
    if org is not None:
        asked = contacted.select(id=pl.when(pl.col("a") == org).then("b").otherwise("a"))
    else:
        asked = contacted.select(id=pl.col("b"))
    shown = slots.select(id=pl.col("partner_id"))
    out = []
    for g in EXPOSURE_GROUPS:
        def share(ids: pl.DataFrame, g: str = g) -> float | None:
            joined = ids.join(flags.select("id", g), on="id", how="left")
            return _share(int(joined[g].fill_null(False).sum()), ids.height)
        out.append(Exposure(group=g, stored_slots=share(shown), introductions=share(asked),
                            ecosystem=_share(int(flags[g].sum()), flags.height)))
    return out


def compute_kpis(outcomes: pl.DataFrame, members: pl.DataFrame, orgs: pl.DataFrame,
                 slots: pl.DataFrame, records: list[RequestRecord], start: date, end: date,
                 org: str | None = None) -> Kpis:
    """Every KPI for the window [start, end] (whole days, UTC), of one organisation or all.

    ``outcomes``/``members`` are the log without retracted outcomes; ``slots`` the stored
    lists (of ``org`` alone when given); ``records`` the introductions (of ``org`` when
    given), each with its stall judged on ``end``.
    """
    events = journey_events(outcomes, members, start, end, org)
    _, hi_t = _bounds(start, end)
    open_ = [r for r in records if r.created < hi_t]
    stalled: dict[str, int] = {}
    for r in open_:
        if r.stall_rule is not None:
            stalled[r.stall_rule] = stalled.get(r.stall_rule, 0) + 1
    return Kpis(organization=org, start=start, end=end,
                journeys=events.select(pl.struct("lo", "hi").n_unique()).item() if events.height else 0,
                funnel=funnel(events), requests=requests(records, start, end),
                decline_reasons=decline_reasons(events), acted_on=acted_on(events, slots, records),
                stalled=sum(stalled.values()), stalled_by_rule=dict(sorted(stalled.items())),
                exposure=exposure(events, slots, orgs, end, org), definitions=DEFINITIONS)
