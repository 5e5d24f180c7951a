"""KPIs read from the store: the service gathers the records, ``matching.kpis`` computes.

Reading the whole outcome log takes seconds at scale, so reports are computed off the
request path (``KpiService``), on connections of their own, once per state of their inputs,
and kept in the store, where every worker finds them.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import msgspec
import polars as pl

from data import frames as F
from data.errors import UnknownOrganization
from data.introduction_events import IntroductionEvents
from data.introductions import Introductions
from data.kpi_reports import KpiReports, Report
from data.store import Store
from matching.followup import StallRules
from matching.kpis import Kpis, RequestRecord, compute_kpis
from service.followup import entry

log = logging.getLogger("kyoso.kpis")


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


class KpiView(msgspec.Struct, frozen=True, kw_only=True):
    """The latest report asked for, as a page shows it while a newer one may be computed."""

    kpis: Kpis | None  # None while the first report for this range is computed
    as_of: datetime | None  # when the store was read for it
    current: bool  # computed from the store as it is now


_decode = msgspec.json.Decoder(Kpis)


class _Job(msgspec.Struct):
    queued: float  # monotonic time: a job queued after a write reads the store after it
    future: Future[Report]


def _log_failure(future: Future[Report]) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.error("a KPI report failed", exc_info=future.exception())


class KpisBusy(Exception):
    """As many reports as the service computes at once are waiting: asked again later."""


class KpiService:
    """KPI reports computed in the background, one at a time (a report is seconds of CPU at
    scale: lists must keep the other core), each once per state of its inputs; a report asked
    for while one is computed waits for it, and at most ``pending`` distinct ones wait."""

    def __init__(self, db: str | Path, rules: StallRules, threads: int = 1, pending: int = 4) -> None:
        self.db, self.rules, self.pending = db, rules, pending
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="kyoso-kpis")
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._local = threading.local()
        self._stores: list[Store] = []

    def view(self, store: Store, org: str | None, start: date | None, end: date | None,
             today: date | None = None, wait: float = 0.05) -> KpiView:
        """The latest report within ``wait`` seconds; when the store has changed since it was
        computed, a newer one is computed meanwhile (a page asks again to see it).

        Raises:
            UnknownOrganization: ``org`` is not in the store.
            BadWindow: the range ends before it starts.
            KpisBusy: the report is not kept and too many others wait to be computed.
        """
        key, ask, inputs, report = self._ask(store, org, start, end, today)
        current = report is not None and report.inputs == inputs
        if not current:
            try:  # a small store's report is ready in time
                report, current = self._start(key, ask, queued_after=None).result(timeout=wait), True
            except TimeoutError:
                pass
            except KpisBusy:
                if report is None:
                    raise  # else the kept one is shown, and the page asks again
        return KpiView(kpis=_decode.decode(report.body) if report else None,
                       as_of=F.parse_ts(report.as_of) if report else None, current=current)

    def exact(self, store: Store, org: str | None, start: date | None, end: date | None,
              today: date | None = None) -> Kpis:
        """The report of the store as it is now: the kept one if its inputs have not changed,
        else one computed after this call (blocks the calling thread meanwhile).

        Raises:
            KpisBusy: too many other reports wait to be computed.
        """
        asked = time.monotonic()
        key, ask, inputs, report = self._ask(store, org, start, end, today)
        if report is None or report.inputs != inputs:
            report = self._start(key, ask, queued_after=asked).result()
        return _decode.decode(report.body)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for store in self._stores:
            store.close()

    def _ask(self, store: Store, org: str | None, start: date | None, end: date | None,
             today: date | None) -> tuple[str, tuple, str, Report | None]:
        today = today or datetime.now(UTC).date()
        if org is not None and not store.has_organization(org):
            raise UnknownOrganization(org)
        start, end = window(start, end, today)
        ask = (org, start, end, today)
        key = msgspec.json.encode([org, start, end, min(end, today), self.rules]).decode()
        reports = KpiReports(store)
        return key, ask, reports.inputs(), reports.get(key)

    def _start(self, key: str, ask: tuple, queued_after: float | None) -> Future[Report]:
        with self._lock:
            job = self._jobs.get(key)
            if job and not job.future.done() and (queued_after is None or job.queued >= queued_after):
                return job.future
            waiting = sum(not j.future.running() and not j.future.done() for j in self._jobs.values())
            if waiting >= self.pending:
                raise KpisBusy(f"{waiting} KPI reports are waiting to be computed; ask again in a minute")
            job = _Job(time.monotonic(), self._pool.submit(self._compute, key, *ask))
            job.future.add_done_callback(_log_failure)
            self._jobs = {k: j for k, j in self._jobs.items() if not j.future.done()} | {key: job}
            return job.future

    def _compute(self, key: str, org: str | None, start: date, end: date, today: date) -> Report:
        store = getattr(self._local, "store", None)
        if store is None:
            store = self._local.store = Store(self.db)
            with self._lock:
                self._stores.append(store)
        reports = KpiReports(store)
        as_of, inputs = F.now_text(), reports.inputs()
        found = kpis(store, org, start, end, self.rules, today)
        return reports.put(key, inputs, as_of, msgspec.json.encode(found))


def prepare_reports(db: str | Path, rules: StallRules, orgs: list[str | None]) -> None:
    """Compute the reports of the default range for these organisations (None: the ecosystem)
    ahead of their first visit, the way a page would ask for them."""
    service = KpiService(db, rules, threads=1)
    try:
        with Store(db) as store:
            for org in orgs:
                service.exact(store, org, None, None)
    finally:
        service.close()
