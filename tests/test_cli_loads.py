"""The load-history commands: ``jiqun loads``, ``loads show``, ``loads undo`` and ``ingest --dry-run``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from jiqun.cli import app

runner = CliRunner()
ENV = {"COLUMNS": "250"}


def _files(tmp_path, make_uscc):
    firms = tmp_path / "firms.csv"
    firms.write_text("统一社会信用代码,企业名称,行政区划代码,行业代码\n"
                     f"{make_uscc(1)},企业1,320200,39\n{make_uscc(2)},企业2,320200,39\n", encoding="utf-8")
    years = tmp_path / "fy.csv"
    years.write_text("统一社会信用代码,年份,营业收入（万元）,从业人员\n"
                     f"{make_uscc(1)},2022,100,50\n{make_uscc(2)},2022,200,80\n", encoding="utf-8")
    revenue = tmp_path / "rev.csv"
    revenue.write_text(f"统一社会信用代码,年份,营业收入（万元）\n{make_uscc(1)},2022,110\n", encoding="utf-8")
    return firms, years, revenue


def _last_load(db) -> int:
    import jiqun

    con = jiqun.connect(db, read_only=True)
    try:
        return int(con.table("loads").load_id.max().execute())
    finally:
        con.disconnect()


def test_dry_run_show_and_undo(store_path, make_uscc, tmp_path):
    db = str(store_path)
    firms, years, revenue = _files(tmp_path, make_uscc)
    for path, table in ((firms, "firms"), (years, "firm_years")):
        assert runner.invoke(app, ["ingest", str(path), "-t", table, "--db", db]).exit_code == 0
    before = _last_load(db)
    dry = runner.invoke(app, ["ingest", str(revenue), "-t", "firm_years", "--db", db, "--dry-run"], env=ENV)
    assert dry.exit_code == 0, dry.output
    assert "dry run" in dry.output and "nothing was written" in dry.output and "1000000.0" in dry.output
    assert _last_load(db) == before
    loaded = runner.invoke(app, ["ingest", str(revenue), "-t", "firm_years", "--db", db], env=ENV)
    assert loaded.exit_code == 0 and "1 updated" in loaded.output
    load_id = before + 1

    shown = runner.invoke(app, ["loads", "show", str(load_id), "--db", db, "--format", "json"])
    assert shown.exit_code == 0, shown.output
    record = json.loads(shown.output)
    assert record["cells_changed"] == {"revenue_yuan": 1}
    assert record["first_changes"][0]["old_value"] == "1000000.0"
    table = runner.invoke(app, ["loads", "show", str(load_id), "--db", db], env=ENV)
    assert table.exit_code == 0 and "old 原值" in table.output and "1100000.0" in table.output

    refused = runner.invoke(app, ["loads", "undo", str(before), "--db", db], env=ENV)
    assert refused.exit_code == 2 and f"later load(s) {load_id}" in refused.output
    undone = runner.invoke(app, ["loads", "undo", str(load_id), "--db", db], env=ENV)
    assert undone.exit_code == 0 and "1 rows restored" in undone.output
    listed = runner.invoke(app, ["loads", "--db", db], env=ENV)
    assert listed.exit_code == 0 and f"undo {load_id}" in listed.output and "rev.csv" in listed.output


def test_unknown_load_and_bad_format_exit_2(store_path):
    for args in (["loads", "show", "999"], ["loads", "undo", "999"]):
        result = runner.invoke(app, [*args, "--db", str(store_path)], env=ENV)
        assert result.exit_code == 2 and "valid ids: 1-" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["loads", "show", "1", "--db", str(store_path), "--format", "xml"])
    assert result.exit_code == 2


def test_ingest_mode_spellings(store_path, make_uscc, tmp_path):
    firms, _years, _revenue = _files(tmp_path, make_uscc)
    result = runner.invoke(app, ["ingest", str(firms), "-t", "firms", "--db", str(store_path), "--mode", "replace-rows"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["ingest", str(firms), "-t", "firms", "--db", str(store_path), "--mode", "merge"])
    assert result.exit_code == 2 and "replace-rows" in result.output


def test_dry_run_does_not_create_a_store(tmp_path, make_uscc):
    firms, _years, _revenue = _files(tmp_path, make_uscc)
    db = tmp_path / "new.duckdb"
    result = runner.invoke(app, ["ingest", str(firms), "-t", "firms", "--db", str(db), "--dry-run"])
    assert result.exit_code == 1 and "no store" in result.output and not db.exists()
