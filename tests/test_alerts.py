"""Alert rules: validation, each comparison on hand-made series, evidence; the CLI commands."""

import ibis
import pandas as pd
import pytest
from typer.testing import CliRunner

from jiqun.cli import app
from jiqun.metrics.alerts import AlertRule, evaluate_alerts, load_alerts, lost_segments, parse_alerts
from jiqun.metrics.catalogue import CatalogueError, load_catalogue, parse_catalogue


def _series(indicator, values, region="320200", start=2019):
    return pd.DataFrame({"cluster_id": "iot", "region_code": region, "year": range(start, start + len(values)),
                         "indicator": indicator, "value": values, "n_firms": 3, "top_firm_share": 0.5})


def test_shipped_rules_and_catalogue_are_valid():
    assert len(load_alerts()) >= 4
    assert len(load_catalogue()) >= 40


def test_decrease_two_years_in_a_row_with_evidence():
    ind = ibis.memtable(_series("local_supporting_rate_city", [0.5, 0.6, 0.55, 0.40, 0.45]))
    rule = AlertRule("x", "甲", "x", "local_supporting_rate_city", "decrease", window=2)
    got = evaluate_alerts(ind, [rule]).execute()
    assert got.year.tolist() == [2022]  # 0.6 -> 0.55 -> 0.40
    assert got.evidence[0] == "2020: 0.6 → 2021: 0.55 → 2022: 0.4"


def test_threshold_percentile_and_gaps():
    frame = pd.concat([_series("top_firm_output_share", [0.4, 0.6], region=f"32{i:02d}00") for i in range(1, 5)])
    frame.loc[(frame.region_code == "320400") & (frame.year == 2020), "value"] = 0.9
    ind = ibis.memtable(frame)
    above = evaluate_alerts(ind, [AlertRule("a", "甲", "a", "top_firm_output_share", "above", threshold=0.5)]).execute()
    assert len(above) == 4 and set(above.year) == {2020}
    p = evaluate_alerts(ind, [AlertRule("p", "甲", "p", "top_firm_output_share", "above", percentile=75)]).execute()
    assert p.region_code.tolist() == ["320400"] and "P75" in p.evidence[0]
    gap = ibis.memtable(pd.concat([_series("import_share_purchases", [0.1], start=2018),
                                   _series("import_share_purchases", [0.2, 0.3], start=2020)]))
    inc = evaluate_alerts(gap, [AlertRule("i", "甲", "i", "import_share_purchases", "increase", window=2)]).execute()
    assert inc.empty  # 2019 is missing: not two consecutive increases


def test_lost_segments_named():
    seg = ibis.memtable(pd.DataFrame({"cluster_id": "iot", "node_id": ["iot.u1", "iot.u2", "iot.u1"],
                                      "region_code": "320200", "year": [2021, 2021, 2022], "n_local": 1}))
    got = lost_segments(seg).execute()
    assert got.year.tolist() == [2022] and got.nodes.tolist() == ["iot.u2"]


def test_invalid_rules_and_catalogue_refused():
    with pytest.raises(ValueError, match="unknown indicator"):
        parse_alerts({"alerts": [dict(id="x", name_zh="x", name_en="x", indicator="nope", comparison="above",
                                      threshold=1)]})
    with pytest.raises(ValueError, match="threshold or percentile"):
        parse_alerts({"alerts": [dict(id="x", name_zh="x", name_en="x", indicator="hhi", comparison="above")]})
    entry = dict(id="x", name_zh="甲", name_en="x", definition="d", formula="f", unit="u", direction="neutral",
                 dimension="scale", sources=["firms"], reference="r", levels=["city"])
    assert parse_catalogue({"indicators": [entry]})
    for bad in ({"dimension": "vibes"}, {"direction": "up"}, {"sources": ["nope"]}, {"levels": ["moon"]},
                {"unit": ""}):
        with pytest.raises(CatalogueError):
            parse_catalogue({"indicators": [{**entry, **bad}]})
    with pytest.raises(CatalogueError, match="duplicate"):
        parse_catalogue({"indicators": [entry, entry]})


def test_cli_indicators_and_alerts(store_path, tmp_path):
    runner = CliRunner()
    for fmt in ("csv",):
        out = tmp_path / f"i.{fmt}"
        result = runner.invoke(app, ["indicators", "--db", str(store_path), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert out.exists()
    assert open(tmp_path / "i.csv", encoding="utf-8-sig").readline().strip() == \
        "cluster,region,year,indicator,value,n_firms,top_firm_share"
    result = runner.invoke(app, ["indicators", "--db", str(store_path), "--format", "nope"])
    assert result.exit_code == 2
    from jiqun.metrics.export import write

    frame = pd.read_csv(tmp_path / "i.csv")
    for fmt in ("json", "parquet", "xlsx"):
        assert write(frame, fmt, tmp_path / f"w.{fmt}").exists()
    result = runner.invoke(app, ["alerts", "--db", str(store_path), "--format", "csv"])
    assert result.exit_code == 0 and "alert,name_zh" in result.output
