"""What is in the store: counts, kind mix, funnel, languages, models."""

from __future__ import annotations

import msgspec

from data.store import Store


class EcosystemStats(msgspec.Struct, kw_only=True):
    source: str | None
    organizations: int
    kinds: dict[str, int]
    regions: int
    top_regions: dict[str, int]
    items: dict[str, int]
    items_japanese: int
    outcome_events: int
    retracted_outcomes: int
    group_outcomes: int
    funnel: dict[str, int]
    decline_reasons: dict[str, int]
    first_outcome: str | None
    last_outcome: str | None
    models: int
    live_model: str | None
    introductions: dict[str, int] = {}  # by status
    introduction_events: int = 0
    nda_steps: int = 0


def _pairs(rows: list[tuple]) -> dict[str, int]:
    return {str(k): int(v) for k, v in rows}


def ecosystem_stats(store: Store) -> EcosystemStats:
    q = store.read
    stage_order = ("suggested", "contacted", "meeting", "poc", "contract", "launched", "declined")
    kept = "key NOT IN (SELECT key FROM retractions)"  # the funnel leaves retracted outcomes out
    funnel = _pairs(q(f"SELECT stage, count(*) FROM outcomes WHERE {kept} GROUP BY stage"))
    span = q("SELECT min(at), max(at) FROM outcomes")[0]
    return EcosystemStats(
        source=store.get_meta("ecosystem"),
        organizations=store.count("organizations"),
        kinds=_pairs(q("SELECT kind, count(*) FROM organizations GROUP BY kind ORDER BY 2 DESC")),
        regions=q("SELECT count(DISTINCT region) FROM organizations")[0][0],
        top_regions=_pairs(q("SELECT region, count(*) FROM organizations GROUP BY region"
                             " ORDER BY 2 DESC LIMIT 8")),
        items=_pairs(q("SELECT side || ':' || tier, count(*) FROM items GROUP BY 1 ORDER BY 1")),
        # Hiragana, katakana or CJK ideographs mark a Japanese text.
        items_japanese=q("SELECT count(*) FROM items WHERE text GLOB '*[ぁ-ヿ一-鿿]*'")[0][0],
        outcome_events=store.count("outcomes"),
        retracted_outcomes=store.count("retractions"),
        group_outcomes=q("SELECT count(*) FROM (SELECT seq FROM outcome_members GROUP BY seq"
                         " HAVING count(*) > 2)")[0][0],
        funnel={s: funnel.get(s, 0) for s in stage_order if s in funnel},
        decline_reasons=_pairs(q(f"SELECT reason, count(*) FROM outcomes WHERE reason IS NOT NULL AND {kept}"
                                 " GROUP BY reason ORDER BY 2 DESC")),
        first_outcome=span[0], last_outcome=span[1],
        models=store.count("models"),
        live_model=store.live_model_version(),
        introductions=_pairs(q("SELECT status, count(*) FROM introductions GROUP BY status ORDER BY 1")),
        introduction_events=store.count("introduction_events"),
        nda_steps=store.count("nda_steps"),
    )


def render_stats(s: EcosystemStats) -> str:
    def block(title: str, values: dict[str, int]) -> list[str]:
        return [f"  {title}:"] + [f"    {k:<28} {v:>10,}" for k, v in values.items()]

    lines = [f"Ecosystem: {s.source or 'unknown source'}",
             f"  organisations: {s.organizations:,} in {s.regions} regions"]
    lines += block("kinds", s.kinds)
    lines += block("top regions", s.top_regions)
    lines += block("items (side:tier)", s.items)
    total_items = sum(s.items.values())
    if total_items:
        lines.append(f"  items in Japanese: {s.items_japanese:,} ({s.items_japanese / total_items:.0%})")
    lines.append(f"  outcome events: {s.outcome_events:,} ({s.group_outcomes:,} group outcomes),"
                 f" {s.first_outcome or '-'} .. {s.last_outcome or '-'}")
    if s.retracted_outcomes:
        lines.append(f"  retracted outcomes: {s.retracted_outcomes:,} (kept in the log, left out"
                     " of training and evaluation)")
    lines += block("funnel", s.funnel)
    if s.decline_reasons:
        lines += block("decline reasons", s.decline_reasons)
    if s.introductions:
        lines += block("introductions", s.introductions)
        lines.append(f"  introduction events: {s.introduction_events:,}, NDA steps: {s.nda_steps:,}")
    lines.append(f"  models: {s.models}, live: {s.live_model or 'none'}")
    return "\n".join(lines)
