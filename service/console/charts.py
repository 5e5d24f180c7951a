"""Charts for pages: the KPI report's SVG code, inlined (an inline SVG needs no namespace URL)."""

from __future__ import annotations

from markupsafe import Markup

from matching.kpis import Kpis
from service.kpi_report import bars, exposure_chart, funnel_chart

_NS = ' xmlns="http://www.w3.org/2000/svg"'


def inline(svg: str) -> Markup:
    """An SVG the server drew from numbers and escaped names, safe to place in a page."""
    return Markup(svg.replace(_NS, ' role="img"', 1))  # drawn by kpi_report, names escaped there


def metric_bars(rows: list[tuple[str, float | None]], metric: str) -> Markup:
    return inline(bars(metric, [(name, [(value, "#2b6cb0")]) for name, value in rows],
                       lambda v: f"{v:.4f}"))


def kpi_charts(k: Kpis) -> list[Markup]:
    return [inline(funnel_chart(k)), inline(exposure_chart(k))]
