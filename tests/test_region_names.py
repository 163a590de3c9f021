"""Regions by name as well as by code; development zones roll up into their city exactly once."""

from __future__ import annotations

import pytest

from jiqun._duck import fetch_all
from jiqun.ingest import IngestError, ingest_file
from jiqun.ingest.regions import name_spellings

HEADER = "统一社会信用代码,企业名称,所在地区代码,行业代码\n"


def firms_file(tmp_path, make_uscc, regions, start=0):
    path = tmp_path / f"firms{start}.csv"
    path.write_text(HEADER + "".join(f"{make_uscc(start + i)},公司{start + i},{r},3973\n"
                                     for i, r in enumerate(regions)), encoding="utf-8")
    return path


def test_name_spellings():
    assert name_spellings("苏州市", "prefecture") == {"苏州市", "苏州"}
    assert name_spellings("沛县", "county", "徐州市") == {"沛县", "徐州市沛县", "徐州沛县"}  # not the single 沛
    assert {"昆山开发区", "昆山经开区"} <= name_spellings("昆山经济技术开发区", "zone", "苏州市")
    assert "武进高新区" in name_spellings("武进国家高新技术产业开发区", "zone", "常州市")
    assert name_spellings("苏 州 市", "prefecture") == {"苏州市", "苏州"}  # spaces and full width (NFKC)


@pytest.mark.parametrize("cell,code", [
    ("苏州市", "320500"), ("苏州", "320500"), ("昆山市", "320583"), ("姑苏区", "320508"),
    ("苏州市姑苏区", "320508"), ("江苏省", "320000"), ("苏州工业园区", "320571"), ("昆山开发区", "320598"),
    (" 苏州 ", "320500"), ("苏州\u3000市", "320500"), ("320583", "320583"),
])
def test_region_names_resolve_to_codes(store, tmp_path, make_uscc, cell, code):
    result = ingest_file(store, firms_file(tmp_path, make_uscc, [cell]), "firms")
    assert result.rows_inserted == 1
    assert fetch_all(store.con, "SELECT region_code FROM firms")[0][0] == code


def test_ambiguous_name_is_refused_with_candidates(store, tmp_path, make_uscc):
    with pytest.raises(IngestError) as refused:
        ingest_file(store, firms_file(tmp_path, make_uscc, ["鼓楼区", "淮安"]), "firms",
                    report_path=tmp_path / "r.csv")
    problems = refused.value.problems
    assert [p.rule for p in problems] == ["ambiguous_region", "ambiguous_region"]
    assert "320106 鼓楼区 (南京市)" in problems[0].message_en and "320302 鼓楼区 (徐州市)" in problems[0].message_en
    assert "320106" in problems[0].message_zh and "请填写代码或完整名称" in problems[0].message_zh
    assert "320800 淮安市" in problems[1].message_en and "320803 淮安区" in problems[1].message_en
    assert fetch_all(store.con, "SELECT count(*) FROM firms")[0][0] == 0


def test_unknown_name_suggests_the_closest(store, tmp_path, make_uscc):
    with pytest.raises(IngestError) as refused:
        ingest_file(store, firms_file(tmp_path, make_uscc, ["苏洲市", "999999"]), "firms",
                    report_path=tmp_path / "r.csv")
    first, second = refused.value.problems
    assert first.rule == second.rule == "codelist"
    assert "closest name: 苏州市" in first.message_en and "最接近的名称：苏州市" in first.message_zh
    assert "closest" not in second.message_en  # a wrong code gets no name suggestion


def test_zone_rolls_up_into_its_city_once(store, tmp_path, make_uscc):
    """A firm of 苏州工业园区 (320571) counts in 苏州市 and in 江苏省, once each; the zone is not a city."""
    from jiqun.metrics.base import region_totals

    ingest_file(store, firms_file(tmp_path, make_uscc, ["苏州工业园区", "姑苏区", "320598"]), "firms")
    accounts = tmp_path / "fy.csv"
    accounts.write_text("统一社会信用代码,年份,从业人员,工业总产值\n" + "".join(
        f"{make_uscc(i)},2022,{e},{q}\n" for i, (e, q) in enumerate([(100, 1e6), (10, 2e5), (1, 5e4)])),
        encoding="utf-8")
    ingest_file(store, accounts, "firm_years")
    totals = region_totals(store).execute()
    rows = {(r.level, r.region_code): (r.e_r, r.n_r) for r in totals.itertuples()}
    assert rows == {("city", "320500"): (111, 3), ("province", "320000"): (111, 3)}
