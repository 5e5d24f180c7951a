"""The model lifecycle: train, promote, roll back and fall back — one rule for every surface.

The CLI, the API and training jobs all call these functions, so a model is judged the
same way wherever it is promoted:

- **The promotion rule** (``judge``): the candidate and the live model are scored on the
  same split; the candidate is promoted only if its NDCG@10 is at least the live model's
  and above the best baseline's. ``force`` skips the rule, never the artefact checks.
- Evaluations are stored by split id (the split days and the outcome log they were
  made from), so promoting right after training re-uses them; on another split both
  models are evaluated again.
- **Rollback** walks back the promotion history one step at a time.
- **Fallback**: a damaged live artefact is never served; the newest good version in the
  history is (or the heuristic scorer), and the switch is recorded.

Every event is logged on ``kyoso.models`` with who did it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import msgspec

from data.artefacts import checksum, save_model_dir
from data.errors import KyosoError
from data.registry import LiveChanged, NoEarlierModel, Registry, StoredEvaluation
from data.store import Store
from matching.engine import Scorer
from matching.evaluation import BASELINES, SystemReport
from matching.ranker import ArtefactMismatch, Ranker
from service.modeling import (
    PRIMARY,
    Evaluation,
    Prepared,
    evaluate_scorers,
    prepare,
    train_ranker,
)
from service.verify import ModelDamaged, verified_ranker

log = logging.getLogger("kyoso.models")
BASELINE = "baseline:"  # evaluations of baselines are stored as "baseline:<name>"
NEW, LIVE = "kyoso (new)", "kyoso (live)"  # report names in a training evaluation
PromoteMode = Literal["if-better", "force", "never"]


class WorseModel(KyosoError):
    """Promotion refused by the rule: the verdict says why."""


class Verdict(msgspec.Struct, frozen=True, kw_only=True):
    """The promotion rule's answer, with the scores it was given."""

    candidate: str
    live: str | None
    promote: bool
    reason: str
    split_id: str | None = None
    scores: dict[str, float] = {}  # system -> NDCG@10 on the split


@dataclass(frozen=True)
class ServableModel:
    """What a serving engine should use: a checked version and its ranker, or the heuristic."""

    version: str | None
    ranker: Ranker | None
    note: str | None  # why this is not the version that was promoted (a fallback), if so


def judge(candidate: str, live: str | None, scores: dict[str, float],
          split_id: str | None = None) -> Verdict:
    """The promotion rule: at least the live model's NDCG@10 and above the best baseline's."""
    ours = scores[candidate]
    best_name, best = max(((s, v) for s, v in scores.items() if s.startswith(BASELINE)),
                          key=lambda sv: sv[1])
    base = best_name.removeprefix(BASELINE)
    if live is not None and live in scores and ours < scores[live]:
        ok, why = False, f"{PRIMARY} {ours:.4f} is below the live model {live}'s {scores[live]:.4f}"
    elif ours <= best:
        ok, why = False, f"{PRIMARY} {ours:.4f} does not beat the best baseline ({base}, {best:.4f})"
    else:
        vs_live = (f"at least the live model {live}'s {scores[live]:.4f}"
                   if live is not None and live in scores else "no live model to compare")
        ok, why = True, f"{PRIMARY} {ours:.4f}: {vs_live}, above the best baseline ({base}, {best:.4f})"
    return Verdict(candidate=candidate, live=live, promote=ok, reason=f"{candidate}: {why}",
                   split_id=split_id, scores=scores)


def _record(registry: Registry, prep: Prepared, reports: list[SystemReport],
            names: dict[str, str]) -> dict[str, float]:
    """Store each report by split id (report name -> system name via ``names``)."""
    scores = {}
    for r in reports:
        system = names.get(r.name, BASELINE + r.name)
        metrics = msgspec.structs.asdict(r.all)
        registry.record_evaluation(prep.split_id, system, r.all.ndcg_at_10, r.all.queries, metrics)
        scores[system] = r.all.ndcg_at_10
    return scores


def scores_on(registry: Registry, prep: Prepared, rankers: dict[str, Ranker]) -> dict[str, float]:
    """NDCG@10 of these versions and of every baseline on ``prep``'s split: stored
    evaluations where there are, a fresh evaluation (then stored) of the rest."""
    wanted = [*rankers, *(BASELINE + b for b in BASELINES)]
    stored: dict[str, StoredEvaluation | None] = {s: registry.evaluation(prep.split_id, s)
                                                  for s in wanted}
    missing = {v: r for v, r in rankers.items() if stored[v] is None}
    if missing or any(stored[BASELINE + b] is None for b in BASELINES):
        reports, _ = evaluate_scorers(prep, dict(missing))
        _record(registry, prep, reports, {v: v for v in missing})
        stored = {s: registry.evaluation(prep.split_id, s) for s in wanted}
    return {s: e.ndcg for s, e in stored.items() if e is not None}


def _unusable_live(verdict: Verdict, live: str | None, live_ranker: Ranker | None) -> Verdict:
    if live is None or live_ranker is not None:
        return verdict
    return msgspec.structs.replace(
        verdict, reason=f"{verdict.reason} (the live model {live} cannot be used, so it was not"
                        " compared)")


def _checked(registry: Registry, version: str) -> Ranker | None:
    """The version's ranker, or None (logged) when it cannot be served."""
    try:
        return verified_ranker(registry, version)
    except (ModelDamaged, ArtefactMismatch) as exc:
        log.warning("model %s cannot be used: %s", version, exc)
        return None


def promote(store: Store, version: str, *, force: bool = False, actor: str) -> Verdict:
    """Make ``version`` live if it passes its checks and the rule (or ``force``).

    Raises:
        UnknownModel, ModelDamaged, ArtefactMismatch: the version cannot be served.
        WorseModel: the rule refused it (the message is the verdict).
        TooFewQueries: the split is too small to judge on.
    """
    registry = Registry(store)
    candidate = verified_ranker(registry, version)
    live = registry.live()
    if live == version:
        return Verdict(candidate=version, live=live, promote=False, reason=f"{version} is already live")
    if force:
        verdict = Verdict(candidate=version, live=live, promote=True,
                          reason=f"{version}: forced by {actor}; the promotion rule was not applied")
    else:
        prep = prepare(store.snapshot())
        rankers = {version: candidate}
        live_ranker = _checked(registry, live) if live else None
        if live_ranker is not None:
            rankers[live] = live_ranker
        verdict = _unusable_live(judge(version, live if live_ranker is not None else None,
                                       scores_on(registry, prep, rankers), prep.split_id),
                                 live, live_ranker)
        if not verdict.promote:
            log.info("promotion of %s refused (by %s): %s", version, actor, verdict.reason)
            raise WorseModel(f"{verdict.reason}; pass force to promote anyway")
    registry.switch(version, "promote", actor, verdict.reason, expect_live=live, check_live=True)
    log.info("model %s promoted by %s (was %s): %s", version, actor, live or "none", verdict.reason)
    return verdict


def rollback(store: Store, *, actor: str) -> str:
    """Make the version live before the current one in the promotion history; returns it.

    Raises:
        NoEarlierModel: the history holds nothing before the live version.
        ModelDamaged, ArtefactMismatch: the earlier version cannot be served.
    """
    registry = Registry(store)
    stack, live = registry.stack(), registry.live()
    if len(stack) < 2:
        raise NoEarlierModel(f"nothing earlier than {live or 'no model'} in the promotion history"
                             " to roll back to")
    target = stack[-2]
    verified_ranker(registry, target)
    registry.switch(target, "rollback", actor, f"rolled back from {live}", expect_live=live,
                    check_live=True)
    log.info("model rolled back by %s: %s -> %s", actor, live, target)
    return target


def servable_model(store: Store, *, actor: str = "service") -> ServableModel:
    """The model an engine should serve: the live version if its artefact checks out;
    otherwise the newest good version before it in the history (or the heuristic), made
    live with a ``fallback`` entry in the history. Any engine loader calls this."""
    registry = Registry(store)
    live = registry.live()
    if live is None:
        return ServableModel(None, None, _fallback_note(registry))
    try:
        return ServableModel(live, verified_ranker(registry, live), _fallback_note(registry))
    except (ModelDamaged, ArtefactMismatch) as exc:
        problem = str(exc)
    for version in reversed(registry.stack()):
        ranker = _checked(registry, version) if version != live else None
        if ranker is not None:
            break
    else:
        version, ranker = None, None
    reason = f"{problem}; serving {version or 'the heuristic scorer'} instead"
    try:
        registry.switch(version, "fallback", actor, reason, expect_live=live, check_live=True)
    except LiveChanged:  # another process switched meanwhile: judge its choice instead
        return servable_model(store, actor=actor)
    log.warning("fallback by %s: %s", actor, reason)
    return ServableModel(version, ranker, reason)


def _fallback_note(registry: Registry) -> str | None:
    """The reason of the last history entry when it was a fallback (so /ready can say so)."""
    history = registry.history()
    last = history[-1] if history else None
    return f"{last.reason} (at {last.at})" if last and last.action == "fallback" else None


def train(store: Store, models_dir: str, *, actor: str, seed: int = 0,
          promote: PromoteMode = "if-better", log_line: Callable[[str], None] = print,
          client=None) -> Evaluation:
    """Train, evaluate beside the live model and the baselines, register, and promote by
    the rule ("if-better"), always ("force") or never ("never").

    Raises:
        TooFewQueries: the test split is too small to judge on (nothing is registered).
    """
    registry = Registry(store)
    log_line("reading the store ...")
    prep = prepare(store.snapshot())
    for warning in prep.warnings:
        log_line(f"warning: {warning}")
        log.warning("training by %s: %s", actor, warning)
    log_line(f"training on {prep.eco.n:,} organisations, {len(prep.eco.events):,} event pairs ...")
    ranker, info = train_ranker(prep, seed=seed, client=client)
    scorers: dict[str, Scorer] = {NEW: ranker}
    live = registry.live()
    live_ranker = _checked(registry, live) if live else None
    if live and live_ranker is None:
        log_line(f"the live model {live} cannot be used; comparing with the baselines only")
    if live_ranker is not None:
        scorers[LIVE] = live_ranker
    log_line("evaluating on the held-out half-year ...")
    reports, recall = evaluate_scorers(prep, scorers)
    version = datetime.now(UTC).strftime("v%Y%m%d-%H%M%S-%f")
    new = reports[0]
    metrics = {**info, "candidate_recall": round(recall, 4),
               **{k: round(v, 4) for k, v in msgspec.structs.asdict(new.all).items()},
               "cold_start_" + PRIMARY: round(new.cold_start.ndcg_at_10, 4),
               "split_id": prep.split_id}
    model_text, manifest = ranker.to_artefact(metrics)
    path = save_model_dir(models_dir, version, model_text, manifest)
    registry.register(version, str(path.resolve()), manifest.fingerprint, manifest.metrics,
                      checksum=checksum(model_text.encode()))
    log.info("model %s trained by %s on split %s", version, actor, prep.split_id)
    names = {NEW: version, **({LIVE: live} if live_ranker is not None else {})}
    scores = _record(registry, prep, reports, names)
    verdict = _unusable_live(judge(version, live if live_ranker is not None else None, scores,
                                   prep.split_id), live, live_ranker)
    promoted = False
    if promote == "force" or (promote == "if-better" and verdict.promote):
        reason = (verdict.reason if verdict.promote
                  else f"{version}: forced by {actor} (the rule says: {verdict.reason})")
        try:
            registry.switch(version, "promote", actor, reason, expect_live=live, check_live=True)
            promoted = True
        except LiveChanged as exc:  # judged against a model that is no longer live
            reason = f"{exc}; promote {version} with `kyoso models promote` to judge it again"
            verdict = msgspec.structs.replace(verdict, promote=False, reason=reason)
    if promoted:
        log.info("model %s promoted by %s (was %s): %s", version, actor, live or "none", reason)
        log_line(f"model {version} is live: {reason}")
    elif promote != "never":
        log.info("model %s not promoted (by %s): %s", version, actor, verdict.reason)
        log_line(f"model {version} registered but NOT promoted: {verdict.reason}")
    else:
        log_line(f"model {version} registered (not promoted); the rule says: {verdict.reason}")
    return Evaluation(split=prep.split, reports=reports, candidate_recall=recall,
                      train_rows=info["train_rows"], train_queries=info["train_queries"],
                      train_seconds=info["train_seconds"], model_version=version,
                      split_id=prep.split_id, warnings=prep.warnings, promoted=promoted,
                      verdict=reason if promoted else verdict.reason)

