"""Consortia: teams of 3–5 around a lead that cover a theme's or a need's capabilities.

Greedy on a monotone submodular objective (coverage of the required capabilities
plus each member's two-way fit with the lead and with the team), with hard
constraints filled first: "at least one university and one municipality", regions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from data.errors import KyosoError
from data.records import KINDS, Consortium
from data.taxonomy import TAG_IDS, TAGS
from features.pairs import THEME_CAPABILITIES, THEME_ROW
from matching.candidates import candidates_for, covering
from matching.engine import Engine
from matching.visibility import PUBLIC, Viewer

W_COVER, W_LEAD, W_TEAM = 1.0, 0.5, 0.3
_TAG_TEXT = [" ".join((t.en, t.ja, *t.terms_en, *t.terms_ja)) for t in TAGS]
COVER_POOL = 300  # organisations that bring the most of the required capabilities, beside retrieval's


class ConsortiumImpossible(KyosoError):
    """The constraints cannot be met with the organisations at hand."""


class UnknownTheme(KyosoError):
    def __init__(self, theme: str) -> None:
        super().__init__(f"unknown theme: {theme}")
        self.theme = theme


@dataclass(frozen=True)
class TeamRules:
    size: int = 4  # including the lead
    require_kinds: tuple[tuple[str, int], ...] = ()
    regions: tuple[str, ...] = ()
    teams: int = 3

    def check(self, lead_kind: str | None = None) -> None:
        """Raises ConsortiumImpossible for rules no team can meet; with the lead's kind known,
        the lead counts as one of its kind and the others must fit in the seats left."""
        if not 3 <= self.size <= 5:
            raise ConsortiumImpossible("a consortium has 3 to 5 members")
        if sum(n for _, n in self.require_kinds) > self.size:
            raise ConsortiumImpossible("more required members than the consortium size")
        for kind, n in self.require_kinds:
            if kind not in KINDS or n < 1:
                raise ConsortiumImpossible(f"bad kind requirement: {kind} x {n}")
        others = sum(n - (kind == lead_kind) for kind, n in self.require_kinds)
        if lead_kind is not None and others > self.size - 1:
            raise ConsortiumImpossible(
                f"more required members than the consortium size: the lead ({lead_kind}) and"
                f" {others} more required make {others + 1}, over {self.size}")


def required_capabilities(engine: Engine, *, theme: str | None = None,
                          need_text: str | None = None, top: int = 4) -> np.ndarray:
    """The capability tags a team must cover, from a catalogue theme or a free-text need."""
    need = np.zeros(len(TAG_IDS), dtype=bool)
    if theme is not None:
        if theme not in THEME_ROW:
            raise UnknownTheme(theme)
        need |= THEME_CAPABILITIES[THEME_ROW[theme]]
    if need_text:
        vectors = engine.ctx.text.encode([need_text, *_TAG_TEXT])
        sims = (vectors[1:] @ vectors[0].T).toarray().ravel()
        best = np.argsort(-sims, kind="stable")[:top]
        best = best[sims[best] >= max(0.05, 0.5 * sims[best[0]])] if len(best) else best
        need[best] = True
    if not need.any():
        raise ConsortiumImpossible("no capability recognised: give a known theme or a clearer need")
    return need


def propose_consortia(engine: Engine, lead_id: str, required: np.ndarray, rules: TeamRules, *,
                      viewer: Viewer = PUBLIC) -> list[Consortium]:
    eco = engine.eco
    lead = engine.index_of(lead_id)
    rules.check(KINDS[eco.kind[lead]])
    ok = eco.registered <= engine.ctx.graph.day
    if rules.regions:
        ok &= np.isin(eco.region, [eco.regions.index(r) for r in rules.regions if r in eco.regions])
    ok[lead] = False
    by_cover = covering(eco, ok, required, COVER_POOL)
    pool = np.unique(np.concatenate([candidates_for(engine.ctx, lead, allowed=ok), by_cover]))
    if len(pool) == 0:
        raise ConsortiumImpossible("no candidate organisations meet the constraints")
    lead_fit = engine.score_pairs(lead, pool)
    fit = np.zeros(len(pool))
    fit[np.searchsorted(pool, lead_fit.partners)] = lead_fit.score
    fit = fit / max(fit.max(), 1e-9)
    s, n = eco.strengths[pool].astype(float), eco.needs[pool].astype(float)
    comp = (n @ s.T) / np.maximum(n.sum(1, keepdims=True), 1)
    team_fit = (comp + comp.T) / 2  # two-way tag complementarity among the pool

    teams: list[Consortium] = []
    used = np.zeros(len(pool), dtype=bool)
    for t in range(rules.teams):
        try:
            picked = _greedy(eco.kind[pool], s > 0, required, eco.strengths[lead], KINDS.index,
                             eco.kind[lead], fit, team_fit, used, rules)
        except ConsortiumImpossible:
            if t == 0:
                raise
            break
        used[picked] = True
        teams.append(_describe(engine, lead, pool[picked], required, viewer, fit[picked]))
    # Each team is drawn greedily from those the teams before left, so a later one can be
    # the better: they are shown best first.
    return sorted(teams, key=lambda team: -team.score)


def _greedy(kinds, strengths, required, lead_strengths, kind_index, lead_kind, fit, team_fit,
            used, rules: TeamRules) -> list[int]:
    covered = lead_strengths & required
    chosen: list[int] = []
    total_required = max(int(required.sum()), 1)

    def gain(i: int) -> float:
        new_cover = (strengths[i] & required & ~covered).sum() / total_required
        team = team_fit[i, chosen].mean() if chosen else 0.0
        return W_COVER * new_cover + W_LEAD * fit[i] + W_TEAM * team

    need = {kind_index(k): n for k, n in rules.require_kinds}
    if lead_kind in need:
        need[lead_kind] -= 1
    for kind, count in need.items():
        for _ in range(max(count, 0)):
            options = np.flatnonzero((kinds == kind) & ~used & ~np.isin(np.arange(len(kinds)), chosen))
            if len(options) == 0:
                where = f" in {', '.join(rules.regions)}" if rules.regions else ""
                raise ConsortiumImpossible(f"no {KINDS[kind]} available{where} for this consortium")
            best = int(options[np.argmax([gain(i) for i in options])])
            chosen.append(best)
            covered = covered | (strengths[best] & required)
    while len(chosen) < rules.size - 1:
        options = np.flatnonzero(~used & ~np.isin(np.arange(len(kinds)), chosen))
        if len(options) == 0:
            raise ConsortiumImpossible("not enough organisations for a consortium of this size")
        best = int(options[np.argmax([gain(i) for i in options])])
        chosen.append(best)
        covered = covered | (strengths[best] & required)
    return chosen


def _describe(engine: Engine, lead: int, members: np.ndarray, required: np.ndarray, viewer: Viewer,
              fit: np.ndarray) -> Consortium:
    eco = engine.eco
    everyone = [lead, *members.tolist()]
    joint = np.zeros(len(TAG_IDS), dtype=bool)
    for m in everyone:  # only what the viewer may see is reported as covered
        joint |= engine.items.visible_tags(m, viewer, strengths=True)
    covered, missing = required & joint, required & ~joint
    coverage = covered.sum() / max(required.sum(), 1)
    matches = []
    for m in members.tolist():
        matches += engine.need_matches(lead, m, viewer, top=1) + engine.need_matches(m, lead, viewer, top=1)
    return Consortium(
        lead_id=str(eco.ids[lead]), members=tuple(str(eco.ids[m]) for m in everyone),
        kinds=tuple(KINDS[eco.kind[m]] for m in everyone),
        # 0–1: the even mean of the capabilities covered and the members' fit with the lead.
        score=round(float((coverage + fit.mean()) / 2), 4), coverage=round(float(coverage), 4),
        covered=tuple(TAG_IDS[i] for i in np.flatnonzero(covered)),
        missing=tuple(TAG_IDS[i] for i in np.flatnonzero(missing)),
        explanation=tuple(matches), themes=tuple(engine.themes_for(everyone, viewer)))
