"""`jiqun demo` end to end at small scale: files → validated ingest → analyses → outputs."""

import csv

import pytest
from typer.testing import CliRunner

import jiqun
from jiqun.cli import app


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--seed", "7"], env={"COLUMNS": "200"})
    return out, result


def test_demo_command_succeeds_and_labels_synthetic(demo_run):
    out, result = demo_run
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert "SYNTHETIC" in (out / "README.txt").read_text(encoding="utf-8")
    assert "SYNTHETIC" in (out / "outputs" / "README.txt").read_text(encoding="utf-8")
    for name in ("cluster_city_year.csv", "city_year.csv", "loads.csv", "jiqun-demo-summary.xlsx"):
        assert (out / "outputs" / name).stat().st_size > 0


def test_demo_store_loaded_through_validated_ingest(demo_run):
    out, _ = demo_run
    con = jiqun.connect(out / "jiqun.duckdb", read_only=True)
    try:
        loads = con.table("loads").execute()
        facts = loads[loads.vintage.str.startswith("synthetic demo")]
        assert len(facts) == 12 and (facts.rows_rejected == 0).all()
        assert (facts.rows_inserted == facts.rows_in_file).all()
        assert con.table("firms").count().execute() == facts[facts.table_name == "firms"].rows_in_file.iloc[0]
        assert con.table("quarantine").count().execute() == 0
    finally:
        con.disconnect()


def test_demo_cities_rank_like_real_economies(demo_run):
    out, _ = demo_run
    with open(out / "outputs" / "city_year.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["year"] == "2023"]
    ranking = [r["city_code"] for r in sorted(rows, key=lambda r: -float(r["revenue_yuan"]))]
    assert len(ranking) == 13
    assert ranking[0] == "320500"                                  # Suzhou largest
    assert set(ranking[-3:]) & {"321300", "320700"}                # Suqian / Lianyungang among the smallest


def test_demo_rerun_replaces_only_a_demo_store(demo_run, tmp_path):
    out, _ = demo_run
    foreign = tmp_path / "mine.duckdb"
    con = jiqun.connect(foreign)
    con.disconnect()
    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path / "o"), "--db", str(foreign)])
    assert result.exit_code == 1 and "not a demo store" in result.output
