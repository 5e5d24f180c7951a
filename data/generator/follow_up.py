"""The follow-up of recent journeys in the outcome history: introductions with their events,
next contacts and NDA steps, as the API would have recorded them.

Journeys whose contact falls in the last ``RECENT_DAYS`` before the end become introductions:
accepted at their meeting, declined (as a request or later) with the log's reason, or still
waiting; their PoC, contract and launch become events; open ones agree a next contact (some
already passed by the end, some ahead of it); pairs where either side works under NDA confirm
one (a few on one side only, a few revoked). Stalls follow from the stall rules. A separate
random stream, so the organisations and outcomes of a seed stay as they were.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import msgspec
import numpy as np
import polars as pl

from data import frames as F

RECENT_DAYS = 150
NDA_STANCES_CONFIRMING = ("mutual_nda", "strict")

INTRODUCTION_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.String(), "requester": pl.String(), "target": pl.String(), "status": pl.String(),
    "message": pl.String(), "reason": pl.String(), "created_at": pl.String(),
    "decided_at": pl.String(), "note": pl.String(),
}
EVENT_SCHEMA: dict[str, pl.DataType] = {
    "intro_id": pl.String(), "key": pl.String(), "kind": pl.String(), "by_org": pl.String(),
    "at": pl.String(), "reason": pl.String(), "note": pl.String(), "next_contact": pl.String(),
    "body_hash": pl.String(),
}
NDA_SCHEMA: dict[str, pl.DataType] = {
    "intro_id": pl.String(), "key": pl.String(), "action": pl.String(), "by_org": pl.String(),
    "at": pl.String(), "body_hash": pl.String(),
}


class FollowUp(msgspec.Struct, frozen=True):
    """Rows for the store's introductions, introduction_events and nda_steps tables."""

    introductions: pl.DataFrame
    events: pl.DataFrame
    ndas: pl.DataFrame


def _hash(*values: object) -> str:
    return hashlib.sha256(repr(values).encode()).hexdigest()


def _journeys(outcomes: pl.DataFrame, members: pl.DataFrame, end: datetime) -> pl.DataFrame:
    """One row per pair whose latest contact lies in the recent window: the requester and
    target (the contact's members), and when each later stage and a decline came."""
    pairs = (members.sort("seq", "pos").group_by("seq", maintain_order=True).agg("org_id")
             .filter(pl.col("org_id").list.len() == 2)
             .select("seq", a=pl.col("org_id").list.get(0), b=pl.col("org_id").list.get(1)))
    ev = (outcomes.join(pairs, on="seq")
          .with_columns(lo=pl.min_horizontal("a", "b"), hi=pl.max_horizontal("a", "b")))
    contact = (ev.filter(pl.col("stage") == "contacted").sort("at")
               .group_by("lo", "hi").agg(pl.col("at").last().alias("contacted"),
                                          pl.col("a").last().alias("requester"),
                                          pl.col("b").last().alias("target")))
    contact = contact.filter(pl.col("contacted") > end - timedelta(days=RECENT_DAYS))
    later = ev.join(contact.select("lo", "hi", "contacted"), on=("lo", "hi")).filter(
        pl.col("at") >= pl.col("contacted"))
    stages = later.group_by("lo", "hi").agg(
        *[pl.col("at").filter(pl.col("stage") == s).min().alias(s)
          for s in ("meeting", "poc", "contract", "launched", "declined")],
        pl.col("reason").filter(pl.col("stage") == "declined").first().alias("reason"))
    return contact.join(stages, on=("lo", "hi"), how="left").sort("contacted", "lo", "hi")


def follow_up(orgs: pl.DataFrame, outcomes: pl.DataFrame, members: pl.DataFrame, seed: int,
              end: datetime) -> FollowUp:
    """Introductions, events and NDA steps for the recent journeys; same seed, same rows."""
    rng = np.random.default_rng([seed, 15])
    nda_of = dict(zip(orgs["id"].to_list(), orgs["nda"].to_list(), strict=True))
    intros, events, ndas = [], [], []

    def event(intro: str, kind: str, by: str, at: datetime, reason: str | None = None,
              next_contact: str | None = None) -> None:
        key = f"{intro}:event:gen-{kind}"
        events.append((intro, key, kind, by, F.format_ts(at), reason, None, next_contact,
                       _hash(intro, kind, by, reason, next_contact)))

    def nda(intro: str, action: str, by: str, at: datetime, step: int, until: datetime) -> None:
        if at <= until:  # nothing after the end, nor after a decline
            ndas.append((intro, f"{intro}:nda:gen-{step}", action, by, F.format_ts(at),
                         _hash(intro, action, by)))

    for number, j in enumerate(_journeys(outcomes, members, end).iter_rows(named=True)):
        intro = f"intro-gen{seed}-{number:06d}"
        a, b = j["requester"], j["target"]
        status, decided, reason = "requested", None, None
        if j["meeting"] is not None:
            status, decided = "accepted", j["meeting"]
        elif j["declined"] is not None:
            status, decided, reason = "declined", j["declined"], j["reason"]
        last = decided or j["contacted"]
        if status == "accepted":
            reached = "meeting"
            for kind, by in (("poc", a), ("contract", b), ("launched", a)):
                if j[kind] is not None and j[kind] >= last:  # stages only move forward
                    event(intro, kind, by, j[kind])
                    last, reached = j[kind], kind
            if reached == "launched":
                pass  # nothing follows a launch
            elif j["declined"] is not None and j["declined"] >= last:  # declined after the meeting
                status, reason = "declined", j["reason"]
                event(intro, "declined", b, j["declined"], reason=j["reason"])
            else:
                # An agreed next contact, some already passed by the end, some still ahead.
                agreed = min(last + timedelta(days=1), end)
                due = (agreed + timedelta(days=int(rng.integers(10, 120)))).date().isoformat()
                event(intro, "note", b if rng.random() < 0.5 else a, agreed, next_contact=due)
            if {nda_of.get(a), nda_of.get(b)} & set(NDA_STANCES_CONFIRMING):
                draw = rng.random()
                until = min(end, j["declined"]) if status == "declined" else end
                nda(intro, "confirm", a, decided + timedelta(days=2), 0, until)
                if draw >= 0.15:  # some wait for the other side's signature
                    nda(intro, "confirm", b, decided + timedelta(days=5), 1, until)
                if draw >= 0.95:
                    nda(intro, "revoke", b, decided + timedelta(days=30), 2, until)
        intros.append((intro, a, b, status, None, reason, F.format_ts(j["contacted"]),
                       F.format_ts(decided) if decided else None, None))
    return FollowUp(introductions=pl.DataFrame(intros, schema=INTRODUCTION_SCHEMA, orient="row"),
                    events=pl.DataFrame(events, schema=EVENT_SCHEMA, orient="row"),
                    ndas=pl.DataFrame(ndas, schema=NDA_SCHEMA, orient="row"))
