"""`kyoso score-batch`: lists for new registrants, and newcomers in the lists of others.

A run covers the organisations registered in a window (by default, since the last
finished run; the first run covers everyone), and those whose stored list was dropped
since because a partner's profile (or their own) changed. It scores them chunk by chunk — on this
machine or on a Dask cluster, with the same pure function — and writes each chunk in
one transaction: the registrants' own lists, newcomers placed in the stored lists of
existing organisations whose top-k they reach, the skipped registrants and the run's
progress. A killed run resumes after its last finished chunk; a finished run is not
run again.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import msgspec

from data.batch_runs import BatchRun, BatchRuns
from data.digests import Digests
from data.frames import format_ts, now_text
from data.store import Store, StoreError
from data.stored_lists import Row, StoredLists
from matching.batch import BATCH_MODE, Scored, merge_entry, score_chunk, suggestion_row
from matching.engine import Engine
from matching.followup import StallRules
from service.digest import office_orgs, write_run_digests
from service.kpis import prepare_reports
from service.lifecycle import servable_model
from service.modeling import engine_from_store
from service.progress import Progress

DEFAULT_K = 20
DEFAULT_CHUNK = 100
DEFAULT_STALL_RULES = StallRules()

# Runs chunks in order: (engine, chunks of ids, k) -> one result list per chunk, in order.
ChunkRunner = Callable[[Engine, list[list[str]], int], Iterator[list[Scored]]]


class BatchSummary(msgspec.Struct, kw_only=True):
    run_id: str
    registrants: int
    scored: int
    skipped: int
    inserted: int  # newcomers placed in existing organisations' lists
    resumed_at_chunk: int  # 0 for a fresh run
    chunks: int
    seconds: float
    already_done: bool = False
    digests: int = 0  # offices with something to act on, whose digest the run stored
    skip_reasons: dict[str, int] = {}
    skips: list[tuple[str, str]] = []


def local_runner(engine: Engine, chunks: list[list[str]], k: int) -> Iterator[list[Scored]]:
    for ids in chunks:
        yield score_chunk(engine, ids, k)


def plan(runs: BatchRuns, *, since: datetime | None, k: int, chunk_size: int,
         model_version: str | None) -> BatchRun:
    """The run to do now: an unfinished one to resume, a finished one (nothing to do), or new."""
    since_text = format_ts(since) if since is not None else None
    unfinished = runs.unfinished()
    if unfinished is not None and (since is None or unfinished.since == since_text):
        return unfinished
    inclusive = True
    if since_text is None and (last := runs.last_done()) is not None:
        since_text, inclusive = last.until, False
    until = runs.latest_registration()
    if until is None:
        raise StoreError("the store holds no organisations: run `kyoso generate` or `kyoso import`")
    stale, last_drop = runs.stale()
    run_id = "batch-" + hashlib.sha256(
        f"{since_text}|{inclusive}|{until}|{model_version}|{k}|{chunk_size}|{last_drop}".encode()
    ).hexdigest()[:16]
    existing = runs.get(run_id)
    if existing is not None:
        return existing
    run = BatchRun(id=run_id, since=since_text, since_inclusive=inclusive, until=until,
                   model_version=model_version, k=k, chunk_size=chunk_size, total=0, started_at=now_text())
    runs.start(run, stale)
    total = len(runs.registrants(run))
    runs.set_total(run.id, total)
    return msgspec.structs.replace(run, total=total)


def place_newcomers(runs: BatchRuns, engine: Engine, k: int, scored: list[Scored],
                    lists: dict[str, list[Row]]) -> tuple[set[str], int]:
    """Put each scored registrant into the lists of partners whose top-k it reaches.

    ``lists`` holds the chunk's own new lists and gains the changed stored ones. An
    organisation without a stored list is left alone (it is scored live on request).
    Returns the organisations whose stored lists changed and the number of placements.
    """
    targets = sorted({pid for s in scored for pid, _ in s.reverse} - set(lists))
    floors = runs.floors(targets)
    # One read for every stored list a registrant may enter (by its length and lowest score).
    lists.update(StoredLists(runs.store).of(sorted({
        pid for s in scored for pid, score in s.reverse
        if pid in floors and (floors[pid][0] < k or score > floors[pid][1])})))
    changed: set[str] = set()
    placed = 0
    for s in scored:
        for pid, reverse_score in s.reverse:
            rows = lists.get(pid)
            if rows is None or (len(rows) >= k and reverse_score <= min(r[1] for r in rows)):
                continue
            merged = merge_entry(rows, suggestion_row(engine.fit(pid, s.org_id, mode=BATCH_MODE)), k)
            if merged is not None:
                lists[pid] = merged
                changed.add(pid)
                placed += 1
    return changed, placed


def run_batch(store: Store, *, since: datetime | None = None, k: int = DEFAULT_K,
              chunk_size: int = DEFAULT_CHUNK, runner: ChunkRunner = local_runner,
              engine: Engine | None = None, log: Callable[[str], None] = print,
              progress: bool = True, stall_rules: StallRules = DEFAULT_STALL_RULES) -> BatchSummary:
    started = time.perf_counter()
    runs = BatchRuns(store)
    # A new run scores with the servable model: a damaged live one falls back first.
    run = plan(runs, since=since, k=k, chunk_size=chunk_size,
               model_version=servable_model(store, actor="score-batch").version)
    resumed_at = run.chunks_done
    if run.status == "done":
        if Digests(store).has_run(run.id):
            log(f"batch {run.id} is already done: nothing to change")
        else:  # stopped between its last chunk and its digests
            log(f"batch {run.id} is already done: writing the digests it had not written")
            write_run_digests(store, run, datetime.now(UTC).date(), stall_rules)
        return _summary(runs, run, resumed_at, started, already_done=True)
    registrants = runs.registrants(run)
    chunks = [registrants[i:i + run.chunk_size] for i in range(0, len(registrants), run.chunk_size)]
    if resumed_at:
        log(f"resuming batch {run.id} after chunk {resumed_at} of {len(chunks)}")
    todo = chunks[resumed_at:]
    log(f"scoring {len(registrants):,} registrants (model {run.model_version or 'heuristic'}) ...")
    if engine is None and todo:
        engine = engine_from_store(store, version=run.model_version)
    bar = Progress(len(registrants), "score-batch", initial=resumed_at * run.chunk_size) \
        if progress else None
    for number, scored in enumerate(runner(engine, todo, run.k), start=resumed_at):
        own = {s.org_id: list(s.rows) for s in scored if s.skipped is None}
        skips = {s.org_id: s.skipped for s in scored if s.skipped is not None}
        lists = dict(own)
        changed, placed = place_newcomers(runs, engine, run.k, [s for s in scored if not s.skipped],
                                          lists)
        runs.commit_chunk(run, number, {o: lists[o] for o in set(own) | changed}, skips,
                          scored=len(own), inserted=placed)
        if bar is not None:
            bar.update(min((number + 1) * run.chunk_size, len(registrants)))
    run = runs.finish(run.id)
    # What each office should act on, as of the day the run ends: for a mailer to deliver.
    digests = write_run_digests(store, run, datetime.now(UTC).date(), stall_rules)
    # The morning's first KPI pages find their reports ready.
    prepare_reports(store.path, stall_rules, [None, *office_orgs(store)])
    return msgspec.structs.replace(_summary(runs, run, resumed_at, started), digests=digests)


def _summary(runs: BatchRuns, run: BatchRun, resumed_at: int, started: float, *,
             already_done: bool = False) -> BatchSummary:
    skips = runs.skips(run.id)
    return BatchSummary(
        run_id=run.id, registrants=run.total, scored=run.scored, skipped=run.skipped,
        inserted=run.inserted, resumed_at_chunk=resumed_at,
        chunks=-(-run.total // run.chunk_size), seconds=round(time.perf_counter() - started, 2),
        already_done=already_done, skip_reasons=dict(Counter(reason for _, reason in skips)),
        skips=skips)


def render_summary(s: BatchSummary, limit: int = 20) -> str:
    lines = [f"batch {s.run_id}: {s.registrants:,} registrants, {s.scored:,} scored, "
             f"{s.skipped:,} skipped, {s.inserted:,} placements in existing lists, {s.seconds:.1f}s"
             + (f" (resumed at chunk {s.resumed_at_chunk} of {s.chunks})" if s.resumed_at_chunk else "")
             + (f"; {s.digests:,} office digests stored" if s.digests else "")]
    for reason, n in sorted(s.skip_reasons.items(), key=lambda kv: -kv[1]):
        lines.append(f"  skipped {n:,}: {reason}")
    for org_id, reason in s.skips[:limit]:
        lines.append(f"    {org_id}: {reason}")
    if len(s.skips) > limit:
        lines.append(f"    ... and {len(s.skips) - limit:,} more")
    return "\n".join(lines)
