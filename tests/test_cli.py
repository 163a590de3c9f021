"""The CLI is a thin layer: exit codes, messages and the files it writes."""

import csv

from typer.testing import CliRunner

from jiqun.cli import app

runner = CliRunner()


def _firms_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["统一社会信用代码", "企业名称", "行政区划代码", "行业代码", "登记注册类型"])
        writer.writerows(rows)
    return path


def test_init_and_tables(tmp_path):
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["init", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "clusters: 14 rows" in result.output
    result = runner.invoke(app, ["tables", "--db", str(db)])
    assert result.exit_code == 0 and "firms" in result.output
    result = runner.invoke(app, ["tables", "firm_years"])
    assert result.exit_code == 0 and "revenue_yuan" in result.output


def test_ingest_good_then_same_again(store_path, make_uscc, tmp_path):
    path = _firms_csv(tmp_path / "firms.csv", [[make_uscc(1), "某某科技有限公司", "320281", "3983", "民营"]], "gbk")
    result = runner.invoke(app, ["ingest", str(path), "--table", "firms", "--db", str(store_path)])
    assert result.exit_code == 0, result.output
    assert "1 inserted" in result.output
    result = runner.invoke(app, ["ingest", str(path), "--table", "firms", "--db", str(store_path)])
    assert result.exit_code == 0 and "no change" in result.output
    result = runner.invoke(app, ["loads", "--db", str(store_path)], env={"COLUMNS": "250"})
    assert result.exit_code == 0 and "firms.csv" in result.output


def test_ingest_report_defaults_beside_the_file_never_the_cwd(store_path, tmp_path, monkeypatch):
    data = tmp_path / "data"
    data.mkdir()
    path = _firms_csv(data / "firms.csv", [["X", "甲", "1", "3983", "民营"]])
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    result = runner.invoke(app, ["ingest", str(path), "-t", "firms", "--db", str(store_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    reports = list(data.glob("firms.errors-*.csv"))
    assert len(reports) == 1 and list(cwd.iterdir()) == []
    assert "full report" in result.output and reports[0].name in result.output.replace("\n", "")
    legacy = tmp_path / "legacy.csv"  # --errors still works as another spelling of --report
    result = runner.invoke(app, ["ingest", str(path), "-t", "firms", "--db", str(store_path), "--errors", str(legacy)])
    assert result.exit_code == 2 and legacy.exists() and list(cwd.iterdir()) == []


def test_ingest_bad_exits_2_with_report_and_no_write(store_path, make_uscc, tmp_path):
    good = make_uscc(2)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = _firms_csv(tmp_path / "firms.csv", [[good, "甲", "320281", "3983", "民营"], [bad, "乙", "999999", "3983", "民营"]])
    report = tmp_path / "report.csv"
    result = runner.invoke(app, ["ingest", str(path), "-t", "firms", "--db", str(store_path), "--report", str(report)])
    assert result.exit_code == 2
    assert "uscc" in result.output and "codelist" in result.output and "nothing was written" in result.output
    with open(report, encoding="utf-8-sig") as fh:
        problems = list(csv.DictReader(fh))
    assert {(p["row"], p["rule"]) for p in problems} == {("3", "uscc"), ("3", "codelist")}
    assert all(p["message_zh"] and p["message_en"] for p in problems)
    import jiqun

    con = jiqun.connect(store_path)
    assert con.table("firms").count().execute() == 0
    con.disconnect()


def test_ingest_usage_errors(store_path, tmp_path):
    result = runner.invoke(app, ["ingest", str(tmp_path / "x.csv"), "--table", "nope", "--db", str(store_path)])
    assert result.exit_code == 2 and "unknown table" in result.output
    result = runner.invoke(app, ["ingest", str(tmp_path / "missing.csv"), "--table", "firms", "--db", str(store_path)])
    assert result.exit_code == 2 and "no such file" in result.output
    result = runner.invoke(app, ["ingest", str(tmp_path / "x.csv"), "-t", "loads", "--db", str(store_path)])
    assert result.exit_code == 2


def test_settings_and_version():
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0 and "JIQUN_DB" in result.output
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "jiqun" in result.output
