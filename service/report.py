"""The evaluation report: a Markdown file with a table and an SVG bar chart beside it."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from service.modeling import Evaluation, day_of

METRICS = (("ndcg_at_10", "NDCG@10"), ("recall_at_50", "recall@50"), ("mrr", "MRR"))


def bar_chart(ev: Evaluation, width: int = 720) -> str:
    """Grouped bars: each system's NDCG@10 overall and on the cold-start slice."""
    rows = [(r.name, r.all.ndcg_at_10, r.cold_start.ndcg_at_10) for r in ev.reports]
    top = max([max(a, c) for _, a, c in rows] + [1e-9])
    bar_h, gap, label_w = 14, 12, 170
    height = len(rows) * (2 * bar_h + gap) + 40
    scale = (width - label_w - 80) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             '<text x="0" y="14" font-weight="bold">NDCG@10 on the held-out split '
             '(dark: all queries, light: cold start)</text>']
    y = 30
    for name, overall, cold in rows:
        parts.append(f'<text x="0" y="{y + bar_h + 4}">{escape(name)}</text>')
        for value, colour, dy in ((overall, "#2b6cb0", 0), (cold, "#90cdf4", bar_h)):
            w = max(value * scale, 1)
            parts.append(f'<rect x="{label_w}" y="{y + dy}" width="{w:.1f}" height="{bar_h - 2}" '
                         f'fill="{colour}"/>')
            parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + dy + bar_h - 4}">{value:.3f}</text>')
        y += 2 * bar_h + gap
    parts.append("</svg>")
    return "\n".join(parts)


def render_markdown(ev: Evaluation, chart_name: str, title: str) -> str:
    s = ev.split
    lines = [f"# {title}", "",
             f"Time split: trained on outcomes from {day_of(s.first_day)} to {day_of(s.valid_day)}, "
             f"early-stopped on {day_of(s.valid_day)} to {day_of(s.split_day)}, tested on "
             f"{day_of(s.split_day)} to {s.last_held_out}. Truth: partners that reached a meeting "
             "or further. Features of every query are computed as the graph stood at its window's "
             "start.", ""]
    lines += [f"**Warning:** {w}." for w in ev.warnings] + ([""] if ev.warnings else [])
    if ev.verdict:
        lines += [f"Promotion rule: {ev.verdict} ({'promoted' if ev.promoted else 'not promoted'}).",
                  ""]
    if ev.model_version:
        lines.append(f"Model: `{ev.model_version}`"
                     + (f", trained on {ev.train_rows:,} rows of {ev.train_queries:,} queries in "
                        f"{ev.train_seconds:.1f} s." if ev.train_rows else "."))
        lines.append("")
    lines.append(f"Candidate recall (relevant partners that retrieval hands to the ranker): "
                 f"{ev.candidate_recall:.3f}")
    lines.append("")
    header = "| system | queries | " + " | ".join(m for _, m in METRICS) + \
        " | coverage | diversity | cold queries | cold " + " | cold ".join(m for _, m in METRICS) + " |"
    lines += [header, "|" + "---|" * (header.count("|") - 1)]
    for r in ev.reports:
        a, c = r.all, r.cold_start
        lines.append(f"| {r.name} | {a.queries} | " + " | ".join(f"{getattr(a, k):.4f}" for k, _ in METRICS)
                     + f" | {a.coverage:.3f} | {a.diversity:.3f} | {c.queries} | "
                     + " | ".join(f"{getattr(c, k):.4f}" for k, _ in METRICS) + " |")
    lines += ["", f"![NDCG@10 by system]({chart_name})", ""]
    return "\n".join(lines)


def write_report(ev: Evaluation, out: str | Path, title: str = "Kyoso evaluation") -> Path:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    chart = out.with_suffix(".svg")
    chart.write_text(bar_chart(ev))
    out.write_text(render_markdown(ev, chart.name, title))
    return out
