"""Reasons in words: up to three plain reasons per suggestion, in Japanese or English.

Templates over what the explanation already holds as data — the matched need ↔ strength
items (both ways), the theme coverage, the graph path — and a few factors of the pair
(same prefecture, distance, a different industry). Only what the viewer may see goes
in, since the matches and tags handed in are already filtered for it; a suggestion with
nothing visible to say says so instead of saying nothing.
"""

from __future__ import annotations

import numpy as np

from data.records import GraphPath, Lang, NeedMatch, Reason, ThemeCoverage
from data.taxonomy import REGION_BY_CODE, TAG_BY_ID
from data.themes import THEME_BY_ID

MAX_REASONS = 3
QUOTE = 36  # characters of an item's text quoted in a reason

HIDDEN = {"en": "based on information you cannot see yet",
          "ja": "まだ閲覧できない情報に基づく提案です"}


def _quote(text: str | None, tag: str, lang: Lang) -> str:
    if not text:
        tag_ = TAG_BY_ID[tag]
        return tag_.ja if lang == "ja" else tag_.en
    text = " ".join(text.split())
    return text if len(text) <= QUOTE else text[: QUOTE - 1] + "…"


def _tag(tag: str, lang: Lang) -> str:
    return TAG_BY_ID[tag].ja if lang == "ja" else TAG_BY_ID[tag].en


def _match(m: NeedMatch, asker: str, lang: Lang) -> Reason:
    need, strength = _quote(m.need_text, m.need_tag, lang), _quote(m.strength_text, m.strength_tag, lang)
    if m.need_org == asker:
        text = (f"貴組織のニーズ「{need}」に強み「{strength}」で応えます（{m.similarity:.2f}）"
                if lang == "ja" else
                f"answers your need '{need}' with its strength '{strength}' ({m.similarity:.2f})")
        return Reason(code="answers_your_need", text=text)
    text = (f"貴組織の強み「{strength}」が相手のニーズ「{need}」に応えます（{m.similarity:.2f}）"
            if lang == "ja" else
            f"your strength '{strength}' answers its need '{need}' ({m.similarity:.2f})")
    return Reason(code="you_answer_its_need", text=text)


def _theme(cov: ThemeCoverage, lang: Lang) -> Reason | None:
    if not cov.covered and not cov.answers:
        return None
    theme = THEME_BY_ID[cov.theme_id]
    covered = "、".join(_tag(t, lang) for t in cov.covered) if lang == "ja" else ", ".join(
        _tag(t, lang) for t in cov.covered)
    if lang == "ja":
        text = (f"テーマ「{theme.ja}」の{covered}を担えます" if covered
                else f"テーマ「{theme.ja}」が両者のニーズに応えます")
    else:
        text = (f"brings {covered} for the theme '{theme.en}'" if covered
                else f"the theme '{theme.en}' answers a need of the pair")
    return Reason(code="covers_theme", text=text)


def _path(path: GraphPath, lang: Lang) -> Reason:
    text = path.description_ja if lang == "ja" and path.description_ja else path.description
    return Reason(code=path.relation or "graph_path", text=text)


def _place(values: dict[str, float], region: str, lang: Lang) -> Reason | None:
    r = REGION_BY_CODE.get(region)
    if values.get("same_region") == 1.0 and r is not None:
        if region.startswith("JP-"):
            text = f"{r.ja}内・同じ地域" if lang == "ja" else f"in {r.en}, the same prefecture"
        else:
            text = f"{r.ja}・同じ国" if lang == "ja" else f"in {r.en}, the same country"
        return Reason(code="same_region", text=text)
    km = values.get("distance_km")
    if km is not None and np.isfinite(km) and km < 150:
        return Reason(code="nearby", text=f"約{km:.0f}km の距離" if lang == "ja" else f"{km:.0f} km away")
    return None


def _industry(values: dict[str, float], lang: Lang) -> Reason | None:
    if values.get("industry_distance", 0.0) >= 0.99 and values.get("tag_overlap", 1.0) == 0.0:
        return Reason(code="cross_industry",
                      text="異業種で強みが重ならない補完的な組み合わせ" if lang == "ja"
                      else "a different industry whose strengths do not overlap yours")
    return None


def reasons_for(*, asker: str, matches: tuple[NeedMatch, ...], path: GraphPath | None,
                theme: ThemeCoverage | None, values: dict[str, float], region: str,
                lang: Lang = "en") -> tuple[Reason, ...]:
    """Up to three reasons: the best match each way first, then theme, path, place, industry.

    ``values``: the pair's features seen from the asker (name → value); ``region``: the
    partner's region code.
    """
    forward = [m for m in matches if m.need_org == asker]
    backward = [m for m in matches if m.need_org != asker]
    candidates: list[Reason | None] = [
        _match(forward[0], asker, lang) if forward else None,
        _match(backward[0], asker, lang) if backward else None,
        _theme(theme, lang) if theme is not None else None,
        _path(path, lang) if path is not None else None,
        _place(values, region, lang),
        _industry(values, lang),
    ]
    found = tuple(r for r in candidates if r is not None)[:MAX_REASONS]
    # Matches, paths and themes are what the viewer can check; without any, the score
    # came from items or history it cannot see.
    visible = bool(matches) or path is not None or (theme is not None and bool(theme.covered))
    if not visible:
        found = (Reason(code="hidden", text=HIDDEN[lang]), *found)[:MAX_REASONS]
    return found
