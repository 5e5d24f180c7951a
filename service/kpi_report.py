"""The KPI report: Markdown with three SVG charts beside it (funnel, time to stage, exposure)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple
from xml.sax.saxutils import escape, quoteattr

from matching.kpis import Kpis

GROUP_NAMES = {"newcomers": "newcomers (< 1 year)", "startups_smes": "startups and SMEs",
               "outside_metropolitan": "outside Tokyo, Osaka, Aichi"}


class ChartWords(NamedTuple):
    """What the charts say: titles, the names of stages and groups, a list's separator (the
    report's are English; the console passes the page language's)."""

    funnel: str = "Journeys that reached each stage"
    time: str = "Median days from the first outcome to each stage"
    exposure: str = "Exposure by group"
    exposure_legend: str = "dark: stored-list slots, light: introductions, grey: share of the ecosystem"
    stage: Callable[[str], str] = str
    group: Callable[[str], str] = lambda g: GROUP_NAMES.get(g, g)
    sep: str = ", "
    days: str = "{n:g} d"  # a number of days on a bar


ENGLISH = ChartWords()


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def bars(title: str, rows: list[tuple[str, list[tuple[float | None, str]]]], fmt, legend: str = "",
         width: int = 720, sep: str = ", ") -> str:
    """Horizontal bars, one group per row, one bar per (value, colour) in it; a missing value
    (nothing to divide by) is labelled "–". The chart's text alternative (its aria-label and
    title) says the same figures in one line, its rows joined by ``sep``."""
    per = max((len(values) for _, values in rows), default=1)
    top = max([v or 0.0 for _, values in rows for v, _ in values] + [1e-9])
    bar_h, gap, label_w = 14, 10, 200
    height = len(rows) * (per * bar_h + gap) + 44
    scale = (width - label_w - 80) / top

    def label(value: float | None) -> str:
        return "–" if value is None else fmt(value)
    summary = (title + (f" ({legend})" if legend else "") + ": "
               + sep.join(f"{name} {' / '.join(label(v) for v, _ in values)}" for name, values in rows))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="12" aria-label={quoteattr(summary)}>',
             f"<title>{escape(summary)}</title>",
             f'<text x="0" y="14" font-weight="bold">{escape(title)}</text>']
    if legend:
        parts.append(f'<text x="0" y="30" fill="#555">{escape(legend)}</text>')
    y = 40
    for name, values in rows:
        parts.append(f'<text x="0" y="{y + bar_h - 2}">{escape(name)}</text>')
        for i, (value, colour) in enumerate(values):
            w = max((value or 0.0) * scale, 1)
            dy = y + i * bar_h
            parts.append(f'<rect x="{label_w}" y="{dy}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{dy + bar_h - 4}">'
                         f'{escape(label(value))}</text>')
        y += per * bar_h + gap
    parts.append("</svg>")
    return "\n".join(parts)


def funnel_chart(k: Kpis, words: ChartWords = ENGLISH) -> str:
    return bars(words.funnel, [(words.stage(f.stage), [(f.journeys, "#2b6cb0")]) for f in k.funnel],
                lambda v: f"{int(v):,}", sep=words.sep)


def time_chart(k: Kpis, words: ChartWords = ENGLISH) -> str:
    return bars(words.time, [(words.stage(f.stage), [(f.median_days, "#38a169")]) for f in k.funnel[1:]],
                lambda v: words.days.format(n=v), sep=words.sep)


def exposure_chart(k: Kpis, words: ChartWords = ENGLISH) -> str:
    rows = [(words.group(e.group),
             [(e.stored_slots, "#2b6cb0"), (e.introductions, "#90cdf4"), (e.ecosystem, "#a0aec0")])
            for e in k.exposure]
    return bars(words.exposure, rows, lambda v: f"{100 * v:.1f}%", legend=words.exposure_legend,
                sep=words.sep)


def render_markdown(k: Kpis, charts: dict[str, str]) -> str:
    scope = f"organisation `{k.organization}`" if k.organization else "the whole ecosystem"
    lines = [f"# Kyoso KPIs: {scope}", "", f"Window: {k.start} to {k.end} (UTC days). "
             f"{k.journeys:,} journeys began in it.", "",
             "## Funnel", "", "| stage | journeys | conversion | median days |", "|---|---|---|---|"]
    lines += [f"| {f.stage} | {f.journeys:,} | {_pct(f.conversion)} | {_num(f.median_days)} |"
              for f in k.funnel]
    lines += ["", f"![funnel]({charts['funnel']})", "", f"![time to stage]({charts['time']})", ""]
    r, a = k.requests, k.acted_on
    lines += ["## Requests and suggestions", "",
              f"Introductions asked for: {r.requested:,} — accepted {r.accepted:,}, declined "
              f"{r.declined:,}, waiting {r.pending:,}; acceptance rate {_pct(r.acceptance_rate)}.", "",
              f"Suggestions acted on: {a.acted_on:,} of {a.suggestions:,} logged suggestions "
              f"({_pct(a.share)}); stored-list slots acted on: {a.stored_slots_acted_on:,} of "
              f"{a.stored_slots:,} ({_pct(a.stored_share)}).", "",
              f"Stalled introductions on {k.end}: {k.stalled:,}"
              + (" (" + ", ".join(f"{rule} {n}" for rule, n in k.stalled_by_rule.items()) + ")"
                 if k.stalled_by_rule else "") + ".", ""]
    lines += ["## Decline reasons", "", "| reason | declines |", "|---|---|"]
    lines += [f"| {reason} | {n:,} |" for reason, n in k.decline_reasons.items()] or ["| – | 0 |"]
    lines += ["", "## Exposure", "", "| group | stored-list slots | introductions | ecosystem |",
              "|---|---|---|---|"]
    lines += [f"| {GROUP_NAMES.get(e.group, e.group)} | {_pct(e.stored_slots)} | {_pct(e.introductions)}"
              f" | {_pct(e.ecosystem)} |" for e in k.exposure]
    lines += ["", f"![exposure]({charts['exposure']})", "", "## Definitions", ""]
    lines += [f"- **{name}**: {text}" for name, text in k.definitions.items()]
    return "\n".join(lines) + "\n"


class BadReportPath(ValueError):
    """A report path that cannot take the report (a directory, an unwritable place)."""


def check_report_path(out: str | Path) -> Path:
    """The report's path, checked before anything is computed or written.

    Raises:
        BadReportPath: it names a directory, or no writable folder holds it.
    """
    raw = str(out)
    path = Path(out)
    if raw.endswith(("/", os.sep)) or path.is_dir():
        raise BadReportPath(f"{raw} is a directory; give the report's file name, such as"
                            f" {path / 'kpis.md'}")
    folder = path.parent
    while not folder.exists():  # missing folders are created, under one that exists
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise BadReportPath(f"cannot write the report under {folder}: not a writable folder")
    return path


def write_kpi_report(k: Kpis, out: str | Path) -> Path:
    """Write the Markdown report and its charts (``<name>-funnel.svg`` … in the same folder).

    Raises:
        BadReportPath: the path cannot take the report; nothing is left written.
    """
    out = check_report_path(out)
    charts = {name: out.with_name(f"{out.stem}-{name}.svg") for name in ("funnel", "time", "exposure")}
    draws = {"funnel": funnel_chart, "time": time_chart, "exposure": exposure_chart}
    written: list[Path] = []
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for name, path in charts.items():
            written.append(path)
            path.write_text(draws[name](k))
        written.append(out)
        out.write_text(render_markdown(k, {name: path.name for name, path in charts.items()}))
    except OSError as exc:  # a place the checks could not foresee (/proc, a full disk)
        for path in written:
            path.unlink(missing_ok=True)
        raise BadReportPath(f"cannot write the report to {out}: {exc.strerror or exc}") from None
    return out
