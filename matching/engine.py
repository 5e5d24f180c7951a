"""The engine: candidates → ranker both ways → two-way score → mode → diversity → reasons.

One engine serves the API, the nightly batch and the evaluation. It holds the
ecosystem, its text vectors, the graph as of a day and a fitted ranker.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import polars as pl
from sklearn.feature_extraction.text import TfidfVectorizer

from data.errors import UnknownOrganization
from data.records import KINDS, Explanation, Lang, MatchMode, Suggestion
from data.themes import THEME_BY_ID
from features.ecosystem import (
    Ecosystem,
    build_ecosystem,
    with_organizations,
    with_outcomes,
    without_outcomes,
)
from features.graph import build_graph, grown, serving_day
from features.pairs import (
    FEATURES,
    THEME_CAPABILITIES,
    THEME_ROW,
    PairContext,
    asker_given,
    asker_rows,
    pair_features,
    reverse_given,
)
from features.text import TextVectors, build_text_vectors
from matching.candidates import CandidateConfig, candidates_for, covering
from matching.coldstart import cold_blend
from matching.cooling import COOLING_OFF_DAYS, cooling_off
from matching.diversity import diversify
from matching.explain import (
    ItemTable,
    graph_paths,
    need_matches,
    need_matches_both_ways,
    top_factors,
)
from matching.reasons import reasons_for
from matching.reciprocity import DEFAULT_WEIGHT, reciprocal_score, squash
from matching.themes import THEME_TILT, rank_themes, theme_coverage, theme_fit_of
from matching.visibility import PUBLIC, Viewer

F = {name: i for i, name in enumerate(FEATURES)}
# How much a mode tilts the two-way score (a tie-break among good matches, not a new model).
MODE_TILT = 0.15
THEMES_SHOWN = 3  # catalogue themes proposed with each suggestion
THEME_POOL = 100  # bearers of a theme's capabilities added to the candidates when it is asked for
REASON_FEATURES = ("same_region", "distance_km", "industry_distance", "tag_overlap")


class Scorer:
    """What the engine needs of a model: scores and per-feature contributions."""

    def predict(self, x: np.ndarray) -> np.ndarray: ...

    def contributions(self, x: np.ndarray) -> np.ndarray: ...


class HeuristicScorer(Scorer):
    """A transparent linear scorer, used before any model has been trained."""

    WEIGHTS = {"text_fit_ab": 2.0, "tag_cov_ab": 1.5, "domain_cov_ab": 0.5, "theme_fit": 0.5,
               "adamic_adar": 0.3, "repeat": 0.5, "nda_friction": -0.5, "same_region": 0.3}

    def __init__(self) -> None:
        self.w = np.zeros(len(FEATURES) + 1)
        for name, weight in self.WEIGHTS.items():
            self.w[F[name]] = weight
        self.w[-1] = -1.0

    def contributions(self, x: np.ndarray) -> np.ndarray:
        x = np.nan_to_num(np.asarray(x, dtype=np.float64))
        return np.column_stack([x * self.w[:-1], np.full(len(x), self.w[-1])])

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.contributions(x).sum(axis=1)


def _tilt(x: np.ndarray, mode: MatchMode) -> np.ndarray:
    """What a mode rewards, from the pair features seen from the asker's side."""
    if mode == "co-creation":  # complementary, cross-industry novelty
        return np.nan_to_num(x[:, F["industry_distance"]], nan=0.5) * (1 - x[:, F["tag_overlap"]])
    near = np.exp(-np.nan_to_num(x[:, F["distance_km"]], nan=500.0) / 300.0)
    return 0.5 * (x[:, F["text_sim_needs"]] + np.maximum(near, x[:, F["same_region"]]))


@dataclass(frozen=True)
class Filters:
    kinds: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    industries: tuple[int, ...] = ()  # indices into INDUSTRIES
    new_only: bool = False


@dataclass(frozen=True)
class Ranked:
    """Scored candidates of one query, best first (before explanations)."""

    partners: np.ndarray
    score: np.ndarray
    forward: np.ndarray
    backward: np.ndarray
    x_forward: np.ndarray
    reverse: np.ndarray  # the two-way score as each partner's own list would rank the asker
    theme_fit: np.ndarray | None = None  # how each covers the catalogue theme asked for

    def take(self, rows: np.ndarray) -> Ranked:
        """These rows, in this order."""
        return Ranked(self.partners[rows], self.score[rows], self.forward[rows], self.backward[rows],
                      self.x_forward[rows], self.reverse[rows],
                      None if self.theme_fit is None else self.theme_fit[rows])


@dataclass(frozen=True)
class Indexed:
    """A snapshot as the engine reads it: arrays, text vectors, quotable items."""

    eco: Ecosystem
    text: TextVectors
    items: ItemTable


def index_snapshot(organizations: pl.DataFrame, items: pl.DataFrame, outcomes: pl.DataFrame,
                   members: pl.DataFrame, vectorizer: TfidfVectorizer | None | bool = True,
                   vectors: Callable[[Callable[[], TextVectors]], TextVectors] | None = None,
                   ) -> Indexed:
    """``vectorizer``: True to learn one from the items, or a fitted one to use as it is.
    ``vectors``: given how to build the text vectors, returns them (e.g. from a copy another
    process already built); by default they are built."""
    eco = build_ecosystem(organizations, items, outcomes, members)

    def build() -> TextVectors:
        return build_text_vectors(items, eco.index, vectorizer)

    return Indexed(eco, vectors(build) if vectors is not None else build(),
                   ItemTable.build(items, eco.index))


@dataclass
class Engine:
    ctx: PairContext
    items: ItemTable
    scorer: Scorer = field(default_factory=HeuristicScorer)
    candidates: CandidateConfig = field(default_factory=CandidateConfig)
    cooling_days: float = COOLING_OFF_DAYS  # a declined pair is not suggested again this long

    @classmethod
    def build(cls, organizations: pl.DataFrame, items: pl.DataFrame, outcomes: pl.DataFrame,
              members: pl.DataFrame, *, day: float | None = None, scorer: Scorer | None = None,
              vectorizer: TfidfVectorizer | None | bool = True,
              vectors: Callable[[Callable[[], TextVectors]], TextVectors] | None = None) -> Engine:
        """An engine over a snapshot, its graph as of ``day`` (default: ``serving_day``);
        ``vectorizer`` and ``vectors`` as for ``index_snapshot``."""
        indexed = index_snapshot(organizations, items, outcomes, members, vectorizer, vectors)
        eco = indexed.eco
        ctx = PairContext(eco, indexed.text, build_graph(eco, serving_day(eco) if day is None else day))
        return cls(ctx=ctx, items=indexed.items, scorer=scorer or HeuristicScorer())

    # --- live changes ------------------------------------------------------------------------

    def with_organizations(self, organizations: pl.DataFrame, items: pl.DataFrame) -> Engine:
        """The engine with these organisations registered or their profiles replaced: their
        rows change, nothing else is rebuilt. A serving engine only (its graph stands on
        ``serving_day``)."""
        if not organizations.height:
            return self
        eco, idx = with_organizations(self.eco, organizations, items)
        text = self.ctx.text
        own = {o: eco.index[o] for o in items["org_id"].unique().to_list()}  # not the whole index
        frame = items.with_columns(org=pl.col("org_id").replace_strict(own, return_dtype=pl.Int64))
        rows = np.arange(text.items.shape[0], text.items.shape[0] + frame.height, dtype=np.int64)
        frame = frame.with_columns(row=pl.Series(rows))
        day = serving_day(eco)
        # A new day moves every decay: rebuild the graph then (once a day), else only grow it.
        graph = build_graph(eco, day) if day != self.ctx.graph.day else grown(self.ctx.graph, eco.n)
        return dataclasses.replace(
            self, ctx=PairContext(eco, text.with_organizations(idx, frame, rows, eco.n), graph),
            items=self.items.with_organizations(idx, frame))

    def with_outcomes(self, outcomes: pl.DataFrame, members: pl.DataFrame,
                      retracted: list[int] = ()) -> Engine:
        """The engine with these outcome events added and the events of the ``retracted``
        outcomes (their seqs) taken out: the graph is rebuilt once from the events (a fraction
        of a second at 100,000 organisations), so repeat partners, declines and recency are
        what a full build would give."""
        if not outcomes.height and not len(retracted):
            return self
        eco = with_outcomes(self.eco, outcomes, members) if outcomes.height else self.eco
        if len(retracted):
            eco = without_outcomes(eco, retracted)
        return dataclasses.replace(self, ctx=PairContext(eco, self.ctx.text,
                                                         build_graph(eco, serving_day(eco))))

    def warm(self) -> Engine:
        """Work out once, here, what every query reads of the whole ecosystem and graph (their
        cached properties: the orders of the most active, theme rows, link weights, tags by
        column), so the first request after a change does not pay for it."""
        for derived in (self.ctx.graph, self.eco):
            for name, attr in vars(type(derived)).items():
                if isinstance(attr, cached_property):
                    getattr(derived, name)
        return self

    @property
    def cold_weight(self) -> float:
        """How much an asker without history leans on its plain two-way fit: chosen on the
        validation split's newcomers and stored with the model; none for the heuristic
        scorer (a fit already) or a model trained before the choice was made."""
        return getattr(self.scorer, "cold_weight_", 0.0)

    @property
    def reciprocity(self) -> float:
        """Weight of the other side's view, as chosen when the model was validated."""
        return getattr(self.scorer, "reciprocity_", DEFAULT_WEIGHT)

    @property
    def eco(self) -> Ecosystem:
        return self.ctx.eco

    def index_of(self, org_id: str) -> int:
        i = self.eco.index.get(org_id)
        if i is None:
            raise UnknownOrganization(org_id)
        return i

    def theme_code(self, theme: str | None) -> int:
        return self.eco.themes.index(theme) if theme in self.eco.themes else -1

    # --- scoring -----------------------------------------------------------------------------

    def allowed(self, a: int, filters: Filters) -> np.ndarray:
        eco = self.eco
        ok = np.ones(eco.n, dtype=bool)
        if filters.kinds:
            ok &= np.isin(eco.kind, [KINDS.index(k) for k in filters.kinds])
        if filters.regions:
            codes = [eco.regions.index(r) for r in filters.regions if r in eco.regions]
            ok &= np.isin(eco.region, codes)
        if filters.industries:
            ok &= eco.industries[:, list(filters.industries)].any(axis=1)
        if filters.new_only:
            ok[self.ctx.graph.binary[a].indices] = False
        ok[cooling_off(self.ctx.graph, a, self.cooling_days)] = False
        return ok

    def score_pairs(self, a: int, partners: np.ndarray, *, theme: int = -1,
                    mode: MatchMode = "co-creation", rows: dict | None = None) -> Ranked:
        """Both directions, the two-way score and the mode tilt for ``a`` × ``partners``."""
        asker = np.full(len(partners), a)
        graph = self.ctx.graph
        given = asker_given(graph, rows, asker, partners) if rows is not None else None
        xf = pair_features(self.ctx, asker, partners, theme, given=given)
        xb = pair_features(self.ctx, partners, asker, theme,
                           given=reverse_given(graph, xf, asker, partners))
        both = self.scorer.predict(np.concatenate([xf, xb]))
        forward, backward = both[: len(xf)], both[len(xf):]
        # The tilt is divided out again so the two-way score stays on the 0–1 scale.
        score = reciprocal_score(forward, backward, self.reciprocity) * (
            1 + MODE_TILT * _tilt(xf, mode)) / (1 + MODE_TILT)
        reverse = reciprocal_score(backward, forward, self.reciprocity) * (
            1 + MODE_TILT * _tilt(xb, mode)) / (1 + MODE_TILT)
        if graph.degree[a] == 0 and self.cold_weight > 0:
            score = cold_blend(score, xf, self.cold_weight)
        order = np.argsort(-score, kind="stable")
        return Ranked(partners[order], score[order], forward[order], backward[order], xf[order],
                      reverse[order])

    def rank(self, a: int, *, filters: Filters = Filters(), theme: int = -1,
             mode: MatchMode = "co-creation", bringing: np.ndarray | None = None) -> Ranked:
        """``bringing``: capabilities (a tag mask) whose best bearers join the candidates, so
        a theme asked for is met by those who bring it even where retrieval missed them."""
        rows = asker_rows(self.ctx, a)
        allowed = self.allowed(a, filters)
        cands = candidates_for(self.ctx, a, theme=theme, allowed=allowed, config=self.candidates, rows=rows)
        if bringing is not None:
            allowed &= self.eco.registered <= self.ctx.graph.day
            allowed[a] = False
            extra = covering(self.eco, allowed, bringing, THEME_POOL)
            cands = np.concatenate([cands, extra[~np.isin(extra, cands)]])
        return self.score_pairs(a, cands, theme=theme, mode=mode, rows=rows)

    # --- suggestions -------------------------------------------------------------------------

    def suggest(self, org_id: str, *, k: int = 10, mode: MatchMode = "co-creation",
                filters: Filters = Filters(), theme: str | None = None, viewer: Viewer = PUBLIC,
                diverse: bool = True, exposure: Counter | None = None,
                cap: int | None = None, lang: Lang = "en") -> list[Suggestion]:
        """``theme``: a catalogue theme keeps the partners that bring its capabilities (see
        ``theme_weighted``); any theme also feeds the theme features."""
        a = self.index_of(org_id)
        ranked = self.rank(a, filters=filters, theme=self.theme_code(theme), mode=mode,
                           bringing=THEME_CAPABILITIES[THEME_ROW[theme]] if theme in THEME_BY_ID else None)
        if theme in THEME_BY_ID:
            ranked = self.theme_weighted(a, ranked, theme)
        return self.suggestions_from(a, ranked, k=k, viewer=viewer, diverse=diverse,
                                     exposure=exposure, cap=cap, lang=lang,
                                     theme=theme if theme in THEME_BY_ID else None)

    def theme_weighted(self, a: int, ranked: Ranked, theme: str) -> Ranked:
        """The partners that bring at least one of a catalogue theme's capabilities (all of
        them, when none does), re-weighted by how they cover the theme."""
        eco = self.eco
        bears = eco.strengths[ranked.partners][:, THEME_CAPABILITIES[THEME_ROW[theme]]].any(axis=1)
        if bears.any():
            ranked = ranked.take(np.flatnonzero(bears))
        fit = theme_fit_of(theme, eco.strengths[a], eco.needs[a], eco.strengths[ranked.partners],
                           eco.needs[ranked.partners])
        score = ranked.score * (1 + THEME_TILT * fit) / (1 + THEME_TILT)
        order = np.argsort(-score, kind="stable")
        return dataclasses.replace(ranked, score=score, theme_fit=fit).take(order)

    def suggestions_from(self, a: int, ranked: Ranked, *, k: int, viewer: Viewer = PUBLIC,
                         diverse: bool = True, exposure: Counter | None = None,
                         cap: int | None = None, lang: Lang = "en",
                         theme: str | None = None) -> list[Suggestion]:
        """The top ``k`` of a ranking (diversified unless told not to), with reasons."""
        if diverse:
            picked = diversify(ranked.partners, ranked.score, self.eco.kind, self.eco.industries, k,
                               exposure=exposure, cap=cap)
        else:
            picked = ranked.partners[:k]
        pos = {int(p): i for i, p in enumerate(ranked.partners)}
        return self._suggestions(a, ranked, [pos[int(p)] for p in picked], viewer, lang=lang,
                                 theme=theme)

    def _suggestions(self, a: int, ranked: Ranked, rows: list[int], viewer: Viewer, *,
                     lang: Lang = "en", theme: str | None = None) -> list[Suggestion]:
        """Rows of a ranking as suggestions, their reasons computed for all rows at once."""
        if not rows:
            return []
        contrib = self.scorer.contributions(ranked.x_forward[rows])
        partners = [int(ranked.partners[i]) for i in rows]
        matches = need_matches_both_ways(self.eco, self.ctx.text, self.items, viewer, a, partners)
        paths = graph_paths(self.eco, self.ctx.graph, a, partners)
        a_strengths, a_needs = self._visible_tags([a], viewer)  # once, not once per partner
        out = []
        forward = dict(zip(rows, squash(ranked.forward[rows]), strict=True))  # the shown rows only
        backward = dict(zip(rows, squash(ranked.backward[rows]), strict=True))
        for j, (i, b) in enumerate(zip(rows, partners, strict=True)):
            b_strengths, b_needs = self._visible_tags([b], viewer)
            coverage = None
            if theme is not None and ranked.theme_fit is not None:
                coverage = theme_coverage(theme, ranked.theme_fit[i], a_needs, b_strengths, b_needs)
            explanation = Explanation(need_matches=tuple(matches[j]), path=paths[j],
                                      factors=tuple(top_factors(FEATURES, ranked.x_forward[i],
                                                                contrib[j], lang=lang)))
            values = {f: float(ranked.x_forward[i, F[f]]) for f in REASON_FEATURES}
            out.append(Suggestion(
                partner_id=str(self.eco.ids[b]), partner_name=str(self.eco.names[b]),
                partner_kind=KINDS[self.eco.kind[b]], score=round(float(ranked.score[i]), 6),
                score_forward=round(float(forward[i]), 6),
                score_backward=round(float(backward[i]), 6),
                explanation=explanation,
                themes=tuple(rank_themes(a_strengths | b_strengths, a_needs | b_needs,
                                         THEMES_SHOWN)),
                reasons=reasons_for(asker=str(self.eco.ids[a]), matches=explanation.need_matches,
                                    path=paths[j], theme=coverage, values=values,
                                    region=self.eco.regions[self.eco.region[b]], lang=lang),
                lang=lang, position_by_score=i + 1, moved_by_diversity=j - i, theme=coverage,
            ))
        return out

    def need_matches(self, need_org: int, strength_org: int, viewer: Viewer, top: int = 3):
        return need_matches(self.eco, self.ctx.text, self.items, viewer, need_org, strength_org,
                            top=top)

    def themes_for(self, members: list[int], viewer: Viewer, k: int = THEMES_SHOWN):
        """Catalogue themes for a group, from the tags the viewer may see."""
        return rank_themes(*self._visible_tags(members, viewer), k)

    def _visible_tags(self, members: list[int], viewer: Viewer) -> tuple[np.ndarray, np.ndarray]:
        """The group's strength and need tags that the viewer may see."""
        strengths = np.zeros(self.eco.strengths.shape[1], dtype=bool)
        needs = strengths.copy()
        for m in members:
            strengths |= self.items.visible_tags(m, viewer, strengths=True)
            needs |= self.items.visible_tags(m, viewer, strengths=False)
        return strengths, needs

    def fit(self, a_id: str, b_id: str, *, viewer: Viewer = PUBLIC,
            mode: MatchMode = "co-creation", lang: Lang = "en") -> Suggestion:
        """The full two-way fit of one pair."""
        a, b = self.index_of(a_id), self.index_of(b_id)
        if a == b:
            raise ValueError("an organisation is not its own partner")
        return self._suggestions(a, self.score_pairs(a, np.array([b]), mode=mode), [0], viewer,
                                 lang=lang)[0]
