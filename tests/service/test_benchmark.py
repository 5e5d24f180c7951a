"""`kyoso benchmark cordis` on a small CORDIS-format fixture with a known answer."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl
import pytest

from service.benchmark import BenchmarkInputError, run_cordis, score

AS_OF = date(2018, 1, 1)


def fixture_tables(rng_seed: int = 0, with_future: bool = False):
    """Ten communities of ten organisations; projects form inside a community, 2014-2017.
    Org c0 of each community coordinates, and always works with c1 and c2."""
    rng = np.random.default_rng(rng_seed)
    orgs, parts, projects = [], [], []
    kinds = ["PRC", "HES", "REC", "PUB", "OTH"]
    for c in range(10):
        for i in range(10):
            orgs.append({"org_id": f"PIC:{c}{i:02d}", "name": f"Org {c}-{i}", "short_name": None,
                         "activity_type": kinds[i % 5], "country": ["DE", "FR", "IT"][c % 3]})
    pid = 0
    for year in (2014, 2015, 2016, 2017):
        for c in range(10):
            for _ in range(3):
                pid += 1
                members = [0, 1, 2, *rng.choice(np.arange(3, 10), 2, replace=False).tolist()]
                projects.append({"project_id": f"H2020:{pid}", "start_date": date(year, 3, 1),
                                 "programme_part": "SC1" if c % 2 else "LEIT"})
                for pos, m in enumerate(members):
                    parts.append({"project_id": f"H2020:{pid}", "org_id": f"PIC:{c}{m:02d}",
                                  "role": "coordinator" if pos == 0 else "participant"})
    if with_future:  # would change every answer if the pipeline looked past as_of
        for c in range(10):
            pid += 1
            projects.append({"project_id": f"H2020:{pid}", "start_date": date(2018, 6, 1),
                             "programme_part": "LEIT"})
            for m in range(10):
                parts.append({"project_id": f"H2020:{pid}", "org_id": f"PIC:{(c + 1) % 10}{m:02d}",
                              "role": None})
                parts.append({"project_id": f"H2020:{pid}", "org_id": f"PIC:{c}{m:02d}",
                              "role": None})
    return pl.DataFrame(orgs), pl.DataFrame(parts).unique(["project_id", "org_id"]), pl.DataFrame(
        projects)


def write(tmp_path, tables, name="data"):
    root = tmp_path / name
    root.mkdir()
    for frame, file in zip(tables, ("organisations", "participations", "projects"), strict=True):
        frame.write_parquet(root / f"{file}.parquet")
    return root


QUERIES = pl.DataFrame({
    "query_id": ["C0", "C5", "P0", "X"],
    "org_id": ["PIC:000", "PIC:500", "PIC:000", "PIC:unknown"],
    "as_of": [AS_OF] * 4,
    "theme": ["LEIT", "SC1", None, None],
    "new_only": [False, False, True, False],
})


@pytest.fixture
def bench(tmp_path):
    data = write(tmp_path, fixture_tables())
    queries = tmp_path / "q.parquet"
    QUERIES.write_parquet(queries)
    return tmp_path, data, queries


@pytest.mark.parametrize("system", ["kyoso", "repeat", "adamic_adar", "theme_popularity",
                                    "popularity"])
def test_answers_follow_the_rules(bench, system):
    tmp_path, data, queries = bench
    out = tmp_path / f"{system}.parquet"
    stats = run_cordis(str(data), str(queries), str(out), system=system, k=20, log=lambda _: None)
    pred = pl.read_parquet(out)
    assert stats["unknown_askers"] == 1 and pred.filter(pl.col("query_id") == "X").height == 0
    for qid, asker in (("C0", "PIC:000"), ("C5", "PIC:500"), ("P0", "PIC:000")):
        rows = pred.filter(pl.col("query_id") == qid).sort("rank")
        assert 0 < rows.height <= 20 and asker not in rows["org_id"].to_list()
        assert rows["rank"].to_list() == list(range(1, rows.height + 1))
        assert rows["score"].is_sorted(descending=True)
    # new_only: nobody the asker worked with before 2018 (its whole community here).
    assert not {o for o in pred.filter(pl.col("query_id") == "P0")["org_id"]} & {
        f"PIC:0{m:02d}" for m in range(10)}


@pytest.mark.parametrize("system", ["kyoso", "repeat"])
def test_the_known_answer_comes_first(bench, system):
    tmp_path, data, queries = bench
    out = tmp_path / "p.parquet"
    run_cordis(str(data), str(queries), str(out), system=system, k=20, log=lambda _: None)
    top = pl.read_parquet(out).filter(pl.col("query_id") == "C0").sort("rank")["org_id"][:2]
    assert set(top) == {"PIC:001", "PIC:002"}  # the coordinator's constant partners


def test_the_pipeline_never_reads_past_as_of(tmp_path):
    queries = tmp_path / "q.parquet"
    QUERIES.write_parquet(queries)
    answers = []
    for name, future in (("plain", False), ("future", True)):
        data = write(tmp_path, fixture_tables(with_future=future), name)
        out = tmp_path / f"{name}.parquet"
        run_cordis(str(data), str(queries), str(out), system="kyoso", k=20, log=lambda _: None)
        answers.append(pl.read_parquet(out))
    assert answers[0].equals(answers[1])


def test_scoring_follows_the_definitions(tmp_path):
    queries = tmp_path / "q.parquet"
    QUERIES.write_parquet(queries)
    truth = tmp_path / "t.parquet"
    pl.DataFrame({"query_id": ["C0", "C0", "P0"], "org_id": ["PIC:001", "PIC:002", "PIC:103"]}
                 ).write_parquet(truth)
    pred = tmp_path / "p.parquet"
    pl.DataFrame({"query_id": ["C0", "C0", "C0", "P0"],
                  "org_id": ["PIC:000", "PIC:009", "PIC:001", "PIC:103"],
                  "rank": [1, 2, 3, 1], "score": [3.0, 2.0, 1.0, 1.0]}).write_parquet(pred)
    result = score(str(queries), str(truth), str(pred))
    # C0: the asker is dropped, so PIC:001 stands at rank 2 of 2; C5 and X have no answer.
    c0_ndcg = (1 / np.log2(3)) / (1 + 1 / np.log2(3))
    assert result["consortium"]["queries"] == 3
    assert result["consortium"]["ndcg@10"] == pytest.approx(c0_ndcg / 3)
    assert result["consortium"]["recall@50"] == pytest.approx(0.5 / 3)
    assert result["consortium"]["mrr"] == pytest.approx(0.5 / 3)
    assert result["partner"] == {"queries": 1, "ndcg@10": 1.0, "recall@50": 1.0, "mrr": 1.0}


def test_bad_inputs_are_named(tmp_path, bench):
    _, data, queries = bench
    broken = tmp_path / "broken.parquet"
    QUERIES.drop("as_of").write_parquet(broken)
    with pytest.raises(BenchmarkInputError, match="as_of"):
        run_cordis(str(data), str(broken), str(tmp_path / "o.parquet"))
    with pytest.raises(BenchmarkInputError, match="system"):
        run_cordis(str(data), str(queries), str(tmp_path / "o.parquet"), system="oracle")
