"""``jiqun io summary`` / ``jiqun io extract`` on a hand-made table."""

import json

from typer.testing import CliRunner

from jiqun.cli import app

runner = CliRunner()
ROWS = ["Code,Description,01,02,TIU,TC,EX,TFU,IM,GO", "01,Agriculture,12,24,36,70,4,74,10,100",
        "02,Industry,31,5,36,50,4,54,10,80", "TVA,Total value-added,57,51,,,,,,"]


def _table(tmp_path):
    path = tmp_path / "io.csv"
    path.write_text("\n".join(ROWS) + "\n", encoding="gbk")
    return path


def test_summary_json_and_xlsx(tmp_path):
    path = _table(tmp_path)
    result = runner.invoke(app, ["io", "summary", str(path), "--format", "json", "--out", str(tmp_path / "s.json")])
    assert result.exit_code == 0, result.output
    records = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert [r["sector"] for r in records] == ["01", "02"]
    assert abs(sum(r["backward"] for r in records) - 2) < 1e-9
    result = runner.invoke(app, ["io", "summary", str(path), "--domestic", "--format", "xlsx",
                                 "--out", str(tmp_path / "s.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "s.xlsx").is_file(), result.output
    result = runner.invoke(app, ["io", "summary", str(path), "--format", "csv"])
    assert result.exit_code == 0 and "影响力系数" in result.output


def test_extract_and_bad_sector(tmp_path):
    path = _table(tmp_path)
    result = runner.invoke(app, ["io", "extract", str(path), "--sector", "01"])
    assert result.exit_code == 0 and "backward" in result.output, result.output
    result = runner.invoke(app, ["io", "extract", str(path), "--sector", "99"])
    assert result.exit_code == 2 and "valid codes: 01, 02" in result.output
    assert len([line for line in result.output.splitlines() if line.startswith("error:")]) == 1


def test_bad_file_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    result = runner.invoke(app, ["io", "summary", str(bad)])
    assert result.exit_code == 2 and "rule: header" in result.output and "Traceback" not in result.output
