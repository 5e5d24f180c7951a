"""Charts speak the page's language and carry a text alternative: a one-line summary of their
figures as the chart's aria-label (and SVG title)."""

from __future__ import annotations

import html
import re

import pytest

from tests.service.console.test_words import english
from tests.service.test_model_swap import register_random_model, seed_evaluations

LABEL = re.compile(r'<svg role="img"[^>]*aria-label="([^"]+)"[^>]*>\s*<title>([^<]+)</title>')


def summaries(text: str) -> list[str]:
    found = LABEL.findall(text)
    assert found and all(html.unescape(a) == html.unescape(b) for a, b in found)
    assert text.count("<svg") == len(found), "a chart without a text alternative"
    return [html.unescape(a) for a, _ in found]


@pytest.mark.parametrize(("lang", "funnel", "group"), [
    ("ja", "各段階まで進んだ紹介の件数: 提案 ", "新規登録（1年未満）"),
    ("en", "Journeys that reached each stage: suggested ", "newcomers (< 1 year)")])
def test_the_kpi_charts_are_in_the_page_language_and_summarise_their_figures(console, lang, funnel, group):
    console.sign_in("analyst")
    console.client.cookies.set("kyoso_lang", lang)
    text = console.kpis()
    funnel_label, time_label, exposure_label = summaries(text)
    assert funnel_label.startswith(funnel) and group in exposure_label
    assert re.search(r"\d", funnel_label) and "%" in exposure_label
    # The figures the bars are drawn with are the ones the summary says.
    drawn = re.findall(r'<rect[^>]*/>\s*<text[^>]*>([^<]+)</text>', text[:text.index("</svg>")])
    assert drawn and all(f" {figure}" in funnel_label for figure in drawn)
    if lang == "ja":
        assert not any(english(label) for label in (funnel_label, time_label, exposure_label))
        assert re.search(r"\d 日", time_label) and not re.search(r"\d d\b", time_label)


def test_the_models_chart_summarises_each_systems_figure(console, tmp_path):
    store = console.client.app.state.store
    split = seed_evaluations(store, {"v-a": 0.30})
    register_random_model(store, tmp_path / "m", "v-a", 1, 0.30, split_id=split)
    console.sign_in("analyst")
    console.client.cookies.set("kyoso_lang", "ja")
    (label,) = summaries(console.client.get("/console/models").text)
    assert label.startswith("NDCG@10（同じ評価期間で比較）: v-a 0.3000、ベースライン：人気順 0.1000")
