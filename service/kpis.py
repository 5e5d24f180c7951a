"""KPIs read from the store: the service gathers the records, ``matching.kpis`` computes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from data import frames as F
from data.errors import UnknownOrganization
from data.introduction_events import IntroductionEvents
from data.introductions import Introductions
from data.store import Store
from matching.followup import StallRules
from matching.kpis import Kpis, RequestRecord, compute_kpis
from service.followup import entry


class BadWindow(ValueError):
    """A date range that ends before it starts; ``field`` names the parameter at fault."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


DEFAULT_DAYS = 365


EARLIEST, LATEST = date(1900, 1, 1), date(2100, 12, 31)


def window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The range asked for; by default the year up to today."""
    for name, day in (("from", start), ("to", end)):
        if day is not None and not EARLIEST <= day <= LATEST:
            raise BadWindow(f"{name} ({day}) lies outside {EARLIEST} to {LATEST}", name)
    end = end or today
    start = start or max(end - timedelta(days=DEFAULT_DAYS), EARLIEST)
    if start > end:
        raise BadWindow(f"from ({start}) lies after to ({end})", "from")
    return start, end


def request_records(store: Store, org: str | None, judged_on: date, rules: StallRules) -> list[RequestRecord]:
    """Introductions (of ``org``, or all) with how they were answered and the stall rule they
    break on ``judged_on``."""
    intros = Introductions(store)
    found = intros.for_org(org, limit=1_000_000) if org else intros.every()
    events = IntroductionEvents(store).of([i.id for i in found])
    records = []
    for intro in found:
        e = entry(intro, events[intro.id], org or intro.requester, judged_on, rules)
        answer = "accepted" if "accepted" in e.reached else "declined" if e.stage == "declined" else "pending"
        records.append(RequestRecord(requester=intro.requester, target=intro.target,
                                     created=F.parse_ts(intro.created_at), answer=answer,
                                     stall_rule=e.stall.rule if e.stall else None))
    return records


def org_frame(store: Store) -> pl.DataFrame:
    rows = store.read("SELECT id, kind, region, size_band, registered_at FROM organizations")
    return pl.DataFrame(rows, schema={"id": pl.String(), "kind": pl.String(), "region": pl.String(),
                                      "size_band": pl.String(), "registered_at": pl.String()},
                        orient="row").with_columns(F.text_to_ts("registered_at"))


def slot_frame(store: Store, org: str | None) -> pl.DataFrame:
    where, args = ("WHERE org_id=?", (org,)) if org else ("", ())
    rows = store.read(f"SELECT org_id, partner_id, created_at FROM suggestions {where}", args)
    return pl.DataFrame(rows, schema={"org_id": pl.String(), "partner_id": pl.String(),
                                      "created_at": pl.String()},
                        orient="row").with_columns(F.text_to_ts("created_at"))


def kpis(store: Store, org: str | None, start: date | None, end: date | None, rules: StallRules,
         today: date | None = None) -> Kpis:
    """The KPIs of one organisation or of the whole ecosystem over a date range.

    Raises:
        UnknownOrganization: ``org`` is not in the store.
        BadWindow: the range ends before it starts.
    """
    today = today or datetime.now(UTC).date()
    if org is not None and not store.has_organization(org):
        raise UnknownOrganization(org)
    start, end = window(start, end, today)
    # One organisation's journeys are the outcomes it is a member of: read those, not the log.
    outcomes, members = store.outcome_frames(member=org)
    return compute_kpis(outcomes, members, org_frame(store), slot_frame(store, org),
                        request_records(store, org, min(end, today), rules), start, end, org)
