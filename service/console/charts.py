"""Charts for pages: the KPI report's SVG code, inlined (an inline SVG needs no namespace URL),
in the page's language, each with a one-line text alternative of its figures."""

from __future__ import annotations

from markupsafe import Markup

from data.records import Lang
from matching.kpis import Kpis
from service.console.i18n import name, words
from service.kpi_report import ChartWords, bars, exposure_chart, funnel_chart, time_chart

_NS = ' xmlns="http://www.w3.org/2000/svg"'


def inline(svg: str) -> Markup:
    """An SVG the server drew from numbers and escaped names, safe to place in a page."""
    return Markup(svg.replace(_NS, ' role="img"', 1))  # drawn by kpi_report, names escaped there


def chart_words(lang: Lang) -> ChartWords:
    t = words(lang)
    return ChartWords(funnel=t["chart_funnel"], time=t["chart_time"], exposure=t["chart_exposure"],
                      exposure_legend=t["chart_exposure_legend"], stage=lambda s: name("stage", s, lang),
                      group=lambda g: name("group", g, lang), sep=t["list_sep"], days=t["chart_days"])


def metric_bars(rows: list[tuple[str, float | None]], metric: str, lang: Lang) -> Markup:
    return inline(bars(metric, [(label, [(value, "#2b6cb0")]) for label, value in rows],
                       lambda v: f"{v:.4f}", sep=words(lang)["list_sep"]))


def kpi_charts(k: Kpis, lang: Lang) -> list[Markup]:
    said = chart_words(lang)
    return [inline(funnel_chart(k, said)), inline(time_chart(k, said)), inline(exposure_chart(k, said))]
