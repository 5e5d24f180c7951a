from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from data import cordis
from data.store import Store
from tests.conftest import CORDIS_DIR


def tiny_tables():
    orgs = pl.DataFrame({
        "org_id": ["PIC:1", "PIC:2", "FP7ORG:x", "FP7ORG:y", "PIC:5"],
        "name": ["Uni A", None, "ACME GMBH", "HELMA CHRISTOPH", "Town"],
        "short_name": [None, "B", None, None, None],
        "activity_type": ["HES", "PRC", None, None, "PUB"],
        "country": ["EL", "UK", "DE", "DE", None],
    })
    parts = pl.DataFrame({
        "project_id": ["H2020:1", "H2020:1", "H2020:1", "FP7:9", "FP7:9", "H2020:2", "H2020:1"],
        "org_id": ["PIC:2", "PIC:1", "FP7ORG:y", "FP7ORG:x", "PIC:1", "PIC:1", "PIC:5"],
        "role": ["participant", "coordinator", None, None, None, "coordinator", "participant"],
    })
    projects = pl.DataFrame({
        "project_id": ["H2020:1", "FP7:9", "H2020:2"],
        "start_date": [date(2016, 3, 1), None, date(2017, 1, 1)],
        "programme_part": ["SC1", None, "ERC"],
    })
    return orgs, parts, projects


def test_maps_kinds_countries_and_groups():
    orgs, items, outcomes, members, report = cordis.to_frames(*tiny_tables())
    kinds = dict(orgs.select("id", "kind").iter_rows())
    assert kinds == {"PIC:1": "university", "PIC:2": "company", "FP7ORG:x": "company"}
    assert dict(orgs.select("id", "region").iter_rows())["PIC:1"] == "GR"
    assert report.skipped_organisations == {
        "no activity type, kind not inferable from name": 1, "no valid country": 1}
    assert outcomes["key"].to_list() == ["cordis:FP7:9", "cordis:H2020:1"]
    assert outcomes["theme"].to_list() == [None, "SC1"]
    assert report.fp7_dated_nominally == 1
    first = members.filter(pl.col("seq") == 2).sort("pos")["org_id"].to_list()
    assert first == ["PIC:1", "PIC:2"]  # the coordinator leads
    assert report.participations_read == report.participations_imported + sum(
        report.skipped_participations.values())


@pytest.mark.skipif(not CORDIS_DIR.is_dir(), reason="shared CORDIS data not present")
def test_real_tables_import_with_counts_that_match_the_source(tmp_path):
    tables = cordis.read_tables(CORDIS_DIR)
    orgs, items, outcomes, members, report = cordis.to_frames(*tables)
    source_orgs, source_parts, source_projects = tables
    assert report.organisations_read == source_orgs.height
    assert report.organisations_read == report.organisations_imported + sum(
        report.skipped_organisations.values())
    assert report.projects_read == source_projects.height == report.group_outcomes + sum(
        report.skipped_projects.values())
    assert report.participations_read == source_parts.height == (
        report.participations_imported + sum(report.skipped_participations.values()))
    assert members.height == report.participations_imported
    with Store(tmp_path / "k.db") as store:
        store.load_frames(orgs, items, outcomes, members)
        assert store.count("organizations") == report.organisations_imported
        assert store.count("outcomes") == report.group_outcomes
        assert store.count("outcome_members") == report.participations_imported
