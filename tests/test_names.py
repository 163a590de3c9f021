"""Cluster, region, level and year names resolved to ids, or refused with the closest matches."""

import pandas as pd
import pytest

from jiqun.ingest import ingest_table
from jiqun.names import (NameNotFound, list_clusters, list_regions, resolve_cluster, resolve_level,
                         resolve_region, resolve_year)


@pytest.mark.parametrize("text", ["iot", "IOT", "物联网", "Internet of Things", " internet  of things ", "物联"])
def test_cluster_by_id_or_name(text):
    assert resolve_cluster(None, text) == "iot"


def test_cluster_by_unique_part_of_a_name_and_full_width_text():
    assert resolve_cluster(None, "新型电力") == "new_power_equipment"
    assert resolve_cluster(None, "新型电力(新能源)装备") == "new_power_equipment"  # half-width brackets
    assert resolve_cluster(None, "integrated-circuits") == "integrated_circuits"


def test_unknown_cluster_lists_closest_and_every_valid_id():
    with pytest.raises(NameNotFound) as caught:
        resolve_cluster(None, "integrated_circuit")
    assert isinstance(caught.value, ValueError)
    assert caught.value.matches[0] == "integrated_circuits 集成电路"
    message = str(caught.value)
    assert "closest" in message and "未知集群" in message
    assert all(cid in message for cid in list_clusters()["cluster_id"])  # 14: all listed
    assert "\n" not in message


def test_all_clusters_only_where_allowed():
    assert resolve_cluster(None, "全部", allow_all=True) == "all"
    with pytest.raises(NameNotFound):
        resolve_cluster(None, "all")


@pytest.mark.parametrize("text, code", [
    ("苏州市", "320500"), ("苏州", "320500"), ("Suzhou", "320500"), ("320500", "320500"), ("３２０５００", "320500"),
    ("姑苏区", "320508"), ("昆山", "320583"), ("Kunshan City", "320583"),
    ("province", "320000"), ("全省", "320000"), ("江苏", "320000"), ("江苏省", "320000"),
])
def test_region_by_code_or_name(text, code):
    assert resolve_region(None, text) == code


def test_ambiguous_region_lists_the_candidates():
    with pytest.raises(NameNotFound) as caught:
        resolve_region(None, "鼓楼区")
    assert caught.value.matches == ["320106 鼓楼区 (南京市)", "320302 鼓楼区 (徐州市)"]
    assert "ambiguous" in str(caught.value) and "名称不唯一" in str(caught.value)
    assert resolve_region(None, "320302") == "320302"


def test_unknown_region_closest_first_and_choices_shortened():
    with pytest.raises(NameNotFound) as caught:
        resolve_region(None, "Suzhuo")
    assert caught.value.matches[0] == "320500 苏州市"
    message = str(caught.value)
    assert "in all; `jiqun regions` lists them" in message
    assert message.count(", ") < 40  # not all 143 regions


def test_region_levels_restrict():
    assert resolve_region(None, "苏州", levels=("prefecture",)) == "320500"
    with pytest.raises(NameNotFound):
        resolve_region(None, "昆山", levels=("prefecture",))


@pytest.mark.parametrize("text, level", [("city", "prefecture"), ("市", "prefecture"), ("county", "county"),
                                         ("区县", "county"), ("省", "province")])
def test_levels(text, level):
    assert resolve_level(None, text) == level


def test_list_regions_by_level_and_parent():
    cities = list_regions(level="city")
    assert len(cities) == 13 and set(cities["parent_code"]) == {"320000"}
    assert cities["region_code"].iloc[0] == "320100"
    suzhou = list_regions(parent="苏州")
    assert "320583" in set(suzhou["region_code"]) and set(suzhou["parent_zh"]) == {"苏州市"}
    with pytest.raises(NameNotFound):
        list_regions(level="planet")


def test_clusters_from_store_equal_the_catalogue(store):
    frame = list_clusters(store)
    pd.testing.assert_frame_equal(frame, list_clusters())
    assert frame.set_index("cluster_id").loc["iot", "core_cities_zh"] == "无锡市"
    assert resolve_region(store, "苏州") == "320500"


def test_years_with_data(store, make_uscc):
    with pytest.raises(NameNotFound, match="no firm_years data yet"):
        resolve_year(store, 2023)
    uscc = make_uscc(1)
    ingest_table(store, pd.DataFrame({"uscc": [uscc], "name": ["甲"], "region_code": ["320281"],
                                      "industry_code": ["3983"]}), "firms")
    ingest_table(store, pd.DataFrame({"uscc": [uscc] * 3, "year": [2021, 2022, 2023],
                                      "revenue_yuan": [1e7, 2e7, 3e7]}), "firm_years")
    assert resolve_year(store, 2022) == 2022
    assert resolve_year(store, "2023年") == 2023
    assert resolve_year(store, "latest") == 2023
    with pytest.raises(NameNotFound, match="2021–2023") as caught:
        resolve_year(store, 2030)
    assert caught.value.kind == "year"
    with pytest.raises(NameNotFound, match="not a year"):
        resolve_year(store, "twenty")


# --------------------------------------------------------------------------- the CLI
@pytest.fixture
def small_store(store, store_path, make_uscc):
    """Two IoT firms in Wuxi, 2022-2023 (closed, so the CLI can open the file)."""
    a, b = make_uscc(1), make_uscc(2)
    ingest_table(store, pd.DataFrame({"uscc": [a, b], "name": ["甲", "乙"], "region_code": ["320281", "320205"],
                                      "industry_code": ["3983", "3961"]}), "firms")
    ingest_table(store, pd.DataFrame({"uscc": [a, b, a, b], "year": [2022, 2022, 2023, 2023],
                                      "revenue_yuan": [1e8, 2e7, 1.2e8, 3e7], "employment": [100, 50, 110, 40]}),
                 "firm_years")
    store.disconnect()
    return store_path


@pytest.mark.slow  # computes the indicators three times (~20 s)
def test_cli_accepts_chinese_names_wherever_ids_are(small_store, tmp_path):
    from typer.testing import CliRunner

    from jiqun.cli import app

    runner = CliRunner()
    by_id, by_name = tmp_path / "by_id.csv", tmp_path / "by_name.csv"
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--cluster", "iot", "--region", "320200",
                                 "--year", "2023", "--format", "csv", "--out", str(by_id)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--cluster", "物联网", "--region", "无锡",
                                 "--year", "2023", "--format", "csv", "--out", str(by_name)])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(by_name, dtype=str)
    assert len(frame) > 0 and by_id.read_bytes() == by_name.read_bytes()
    assert set(frame["cluster"]) == {"iot"} and set(frame["region"]) == {"320200"} and set(frame["year"]) == {"2023"}
    # a valid region without data is an answer that says so, not an empty table
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--cluster", "iot", "--region", "南京"])
    assert result.exit_code == 1 and "no indicators for --cluster iot --region 320100 南京市" in result.output


def test_cli_refuses_unknown_names_and_years_with_the_choices(small_store):
    from typer.testing import CliRunner

    from jiqun.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--year", "2030"])
    assert result.exit_code == 2 and "years with data 有数据的年份: 2022, 2023" in result.output
    result = runner.invoke(app, ["evaluate", "--db", str(small_store), "--year", "2030"])
    assert result.exit_code == 2 and "2022, 2023" in result.output
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--region", "鼓楼区"])
    assert result.exit_code == 2 and "320106 鼓楼区 (南京市)" in result.output
    result = runner.invoke(app, ["indicators", "--db", str(small_store), "--cluster", "物连网"])
    assert result.exit_code == 2 and "closest 最接近: iot 物联网" in result.output


def test_cli_lists_clusters_and_regions(store_path, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from jiqun.cli import app

    runner = CliRunner()
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    result = runner.invoke(app, ["clusters", "--format", "csv"])  # no store: the shipped catalogue
    assert result.exit_code == 0 and "shipped catalogue" in result.output
    assert "iot,物联网,Internet of Things,320200,无锡市,Wuxi" in result.output
    result = runner.invoke(app, ["regions", "--db", str(store_path), "--level", "city", "--format", "json"])
    assert result.exit_code == 0 and result.output.count('"region_code"') == 13
    result = runner.invoke(app, ["regions", "--db", str(store_path), "--parent", "苏州"], env={"COLUMNS": "200"})
    assert result.exit_code == 0 and "昆山市" in result.output and "南京市" not in result.output
    result = runner.invoke(app, ["regions", "--level", "planet"])
    assert result.exit_code == 2 and "unknown level 'planet'" in result.output
