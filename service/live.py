"""The engine one process serves, kept at the store's generation while it serves.

A background thread follows the store: every ``poll`` seconds (sooner when poked after a
write) it reads the store's generation — the change log's highest seq — and the live
model version. It applies new registrations, profile updates, outcomes and retractions to
the engine as changes (milliseconds; a fraction of a second when the graph must be rebuilt),
and swaps
in a newly promoted model. A bulk load, a reindex or a large pile of changed rows calls
for a full build: that runs in another thread while the current engine keeps serving, and
swaps in once it has caught up. Every swap replaces one reference, so a request sees one
whole ``Served``; no request ever waits for a build. The served model's trees are compiled
to machine code in the background (``service.compiled``); LightGBM scores until then.

Every process that shares the store (API workers, CLI, batch) converges on the same
generation and model within ``poll`` seconds plus the time to apply the changes.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from dataclasses import dataclass, field

from data.generations import Generations
from data.retractions import Retractions
from data.store import Store
from matching.engine import Engine, HeuristicScorer
from matching.ranker import Ranker
from service.compiled import compile_ranker, probe_rows
from service.lifecycle import servable_model
from service.modeling import serving_engine

log = logging.getLogger("kyoso.live")

POLL_SECONDS = 0.5
# How long a request waits for this process to apply what the store already holds.
CATCH_UP_SECONDS = 5.0
# Changed rows beyond which a fresh build (same vectoriser, same results) pays for itself.
COMPACT_ROWS = 5_000
COMPACT_SHARE = 0.05
COMPACT_AGE_SECONDS = 24 * 3600.0  # changed rows older than this are folded in by a full build
BATCH_CHANGES = 20_000  # changes applied per step
REBUILDS = ("bulk", "reindex")  # changes a full build takes in


@dataclass(frozen=True)
class Served:
    """What this process serves: one engine at one generation, with one model."""

    engine: Engine
    generation: int  # every change up to this seq of the store's log is applied
    model_version: str | None
    note: str | None = None  # why the model served is not the store's live one, if so
    built_at: float = field(default_factory=time.monotonic)  # when its full build was made

    @property
    def scorer(self) -> str:
        return "model" if self.model_version else "heuristic"

    @property
    def compiled(self) -> bool:
        return getattr(self.engine.scorer, "compiled_", None) is not None


class LiveEngine:
    """The serving engine of one process; ``served`` is always a whole, consistent one."""

    def __init__(self, db: str, *, poll: float = POLL_SECONDS, follow: bool = True) -> None:
        self._store = Store(db)  # its own connection: long reads never hold up requests
        self._generations = Generations(self._store)
        self._poll = poll
        self._sync_lock = threading.Lock()
        self._changed = threading.Condition()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._rebuilding: threading.Thread | None = None
        self._rebuilt: Served | None = None
        self.last_error: str | None = None
        # One engine computation (a live list, a fit, consortia) at a time per process:
        # threads computing side by side only trade the GIL, at a loss
        # (`benchmarks/suggest_latency.py` prints lists/s by threads); worker processes,
        # one per core, are what use the machine.
        self.computing = threading.Lock()
        self._compiling: Ranker | None = None  # the ranker whose trees this process compiles
        self.served = self._build()
        self._thread = None
        if follow:
            self._thread = threading.Thread(target=self._follow, name="kyoso-live", daemon=True)
            self._thread.start()

    # --- what requests use -------------------------------------------------------------------

    @property
    def version(self) -> str | None:
        return self.served.model_version

    @property
    def rebuilding(self) -> bool:
        return self._rebuilding is not None and self._rebuilding.is_alive()

    def catch_up(self, generation: int, timeout: float = CATCH_UP_SECONDS) -> Served:
        """The served engine once it holds every change up to ``generation`` (what the store
        held when a request arrived), or after ``timeout`` whatever it holds then."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.served.generation < generation:
                self._wake.set()
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._changed.wait(min(left, self._poll))
        return self.served

    def poke(self) -> None:
        """Look at the store now rather than at the next poll (after a write)."""
        self._wake.set()

    def sync_now(self) -> Served:
        """Apply what the store holds now, in the calling thread (e.g. right after a promotion)."""
        self.sync()
        return self.served

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._rebuilding is not None:
            self._rebuilding.join(timeout=120)
        self._store.close()

    # --- following the store -----------------------------------------------------------------

    def _follow(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(self._poll)
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.sync()
                self.last_error = None
            except Exception as exc:  # keep following: the next poll retries; say why meanwhile
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("applying the store's changes failed; serving generation %d",
                              self.served.generation)

    def sync(self) -> None:
        """One step: take a finished full build, apply new changes, follow the live model."""
        with self._sync_lock:
            served = self.served
            if self._rebuilt is not None:
                served, self._rebuilt = self._rebuilt, None
                if served.model_version == self.served.model_version:
                    # The same artefact, loaded again by the build: keep the ranker in hand
                    # (and its compiled trees) rather than a second copy of it.
                    served = dataclasses.replace(served, engine=dataclasses.replace(
                        served.engine, scorer=self.served.engine.scorer))
            served = self._apply(served)
            if self._store.live_model_version() != served.model_version:
                served = self._with_model(served)
            if served is not self.served:
                self._swap(served)

    def _apply(self, served: Served) -> Served:
        changes = self._generations.since(served.generation, limit=BATCH_CHANGES)
        if not changes:
            return served
        # A bulk load or a reindex is not applied as a change: the engine waits
        # for a full build at or past it (the current one serves meanwhile); what comes
        # before it is applied.
        blocker = next((i for i, c in enumerate(changes) if c.kind in REBUILDS), None)
        if blocker is not None:
            self._start_rebuild(f"{changes[blocker].kind} at generation {changes[blocker].seq}")
            changes = changes[:blocker]
            if not changes:
                return served
        orgs = list(dict.fromkeys(c.ref for c in changes if c.kind == "organization"))
        outcomes = [int(c.ref) for c in changes if c.kind == "outcome"]
        retracted = [c.ref for c in changes if c.kind == "retraction"]
        engine = served.engine
        if orgs:
            engine = engine.with_organizations(*self._store.organization_frames(orgs))
        if outcomes or retracted:  # a retracted outcome is left out of the frames already
            engine = engine.with_outcomes(*self._store.outcome_frames(outcomes),
                                          retracted=Retractions(self._store).outcome_seqs(retracted))
        changed_rows = len(engine.ctx.text.strengths.delta_of)
        if changed_rows > max(COMPACT_ROWS, COMPACT_SHARE * engine.eco.n):
            self._start_rebuild(f"{changed_rows} changed rows")
        elif changed_rows and time.monotonic() - served.built_at > COMPACT_AGE_SECONDS:
            self._start_rebuild(f"changed rows older than {COMPACT_AGE_SECONDS / 3600:.0f} h")
        return dataclasses.replace(served, engine=engine, generation=changes[-1].seq)

    def _with_model(self, served: Served) -> Served:
        """The store's live model, checked before it is served; a damaged one falls back
        (``servable_model`` records the fallback, so every process follows it)."""
        model = servable_model(self._store)
        if model.version == served.model_version:
            return dataclasses.replace(served, note=model.note)
        engine = dataclasses.replace(served.engine, scorer=model.ranker or HeuristicScorer())
        log.info("serving model %s", model.version or "heuristic")
        return dataclasses.replace(served, engine=engine, model_version=model.version, note=model.note)

    def _swap(self, served: Served) -> None:
        served.engine.warm()  # in this thread, before any request sees it
        self._compile(served.engine)
        with self._changed:
            self.served = served
            self._changed.notify_all()

    # --- full builds ---------------------------------------------------------------------------

    def _build(self) -> Served:
        served = Served(*serving_engine(self._store))
        served.engine.warm()
        self._compile(served.engine)
        return served

    def _compile(self, engine: Engine) -> None:
        """Compile the served ranker's trees in the background, once per ranker served."""
        ranker = engine.scorer
        if isinstance(ranker, Ranker) and ranker is not self._compiling:
            self._compiling = ranker
            threading.Thread(target=compile_ranker, args=(ranker, lambda: probe_rows(engine)),
                             name="kyoso-compile", daemon=True).start()

    def _start_rebuild(self, reason: str) -> None:
        if self.rebuilding or self._stop.is_set():
            return
        log.info("full build started (%s); serving generation %d meanwhile", reason,
                 self.served.generation)

        def run() -> None:
            started = time.perf_counter()
            try:
                with Store(self._store.path) as store:
                    built = Served(*serving_engine(store))
                self._rebuilt = built
                log.info("full build at generation %d done in %.1fs", built.generation,
                         time.perf_counter() - started)
                self._wake.set()
            except Exception:
                log.exception("full build failed; serving generation %d", self.served.generation)

        self._rebuilding = threading.Thread(target=run, name="kyoso-rebuild", daemon=True)
        self._rebuilding.start()
