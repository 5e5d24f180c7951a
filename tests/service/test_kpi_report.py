"""``kyoso kpis``: the same figures as the API, as JSON or a Markdown report with SVG charts."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from service.cli import main
from tests.service.conftest import make_store


def test_kpis_report_writes_markdown_and_three_charts(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    make_store(db, n=200)
    report = tmp_path / "out" / "kpis.md"
    assert main(["--db", db, "kpis", "--from", "2023-01-01", "--to", "2026-10-01",
                 "--report", str(report)]) == 0
    text = report.read_text()
    assert "| stage | journeys | conversion | median days |" in text and "## Exposure" in text
    for chart in ("funnel", "time", "exposure"):
        svg = tmp_path / "out" / f"kpis-{chart}.svg"
        assert f"]({svg.name})" in text
        assert ET.parse(svg).getroot().tag.endswith("svg")  # well-formed SVG
    capsys.readouterr()
    assert main(["--db", db, "kpis", "--org", "org-0000001", "--from", "2023-01-01",
                 "--to", "2026-10-01"]) == 0
    figures = json.loads(capsys.readouterr().out)
    assert figures["organization"] == "org-0000001" and figures["from"] == "2023-01-01"


def test_kpis_bad_input_exits_with_usage_code(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    make_store(db, n=100)
    assert main(["--db", db, "kpis", "--org", "org-nope"]) == 2
    assert main(["--db", db, "kpis", "--from", "2026-02-01", "--to", "2026-01-01"]) == 2
    assert "from" in capsys.readouterr().err


def test_a_report_path_that_cannot_take_the_report_is_a_usage_error_writing_nothing(tmp_path, capsys):
    db = str(tmp_path / "k.db")
    make_store(db, n=120)
    folder = tmp_path / "reports"
    folder.mkdir()
    (tmp_path / "a-file").write_text("")
    for bad in (f"{folder}/", str(folder), str(tmp_path / "a-file" / "kpis.md"), "/proc/x.md"):
        assert main(["--db", db, "kpis", "--report", bad]) == 2, bad
        assert "--report" in capsys.readouterr().err
    assert list(folder.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "k.db", "reports"]
