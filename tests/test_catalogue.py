"""The shipped Jiangsu catalogue: code lists, clusters and chain templates as published."""

import csv
from collections import defaultdict

import pytest

from jiqun.catalogue import CATALOGUE_FILES, data_path

PREFECTURES = {
    "320100": "南京市", "320200": "无锡市", "320300": "徐州市", "320400": "常州市", "320500": "苏州市",
    "320600": "南通市", "320700": "连云港市", "320800": "淮安市", "320900": "盐城市", "321000": "扬州市",
    "321100": "镇江市", "321200": "泰州市", "321300": "宿迁市",
}


def rows(filename):
    with open(data_path(filename), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_shipped_files_exist():
    for _, filename in CATALOGUE_FILES:
        if filename:
            assert data_path(filename).exists(), filename
    assert data_path("SOURCES.md").exists()


def test_catalogue_loads_through_validated_ingest(store):
    for table, filename in CATALOGUE_FILES:
        expected = len(rows(filename)) if filename else 249
        assert store.table(table).count().execute() == expected, table
    loads = store.table("loads").execute()
    assert set(loads.table_name) == {t for t, _ in CATALOGUE_FILES}


def test_prefecture_cities_gbt2260():
    regions = {r["region_code"]: r for r in rows("regions.csv")}
    prefectures = {c: r["name_zh"] for c, r in regions.items() if r["level"] == "prefecture"}
    assert prefectures == PREFECTURES
    assert regions["100000"]["level"] == "nation"  # reference area (convention, not GB/T 2260)
    provinces = [r for r in regions.values() if r["level"] == "province"]
    assert len(provinces) == 34
    for r in regions.values():
        if r["level"] == "county":
            assert r["parent_code"] in PREFECTURES and r["region_code"][:4] == r["parent_code"][:4]
    assert regions["320281"]["name_zh"] == "江阴市"


def test_manufacturing_divisions_complete():
    industries = {r["industry_code"]: r for r in rows("industries.csv")}
    for division in range(13, 44):
        assert str(division) in industries and industries[str(division)]["parent_code"] == "C"
    for code, r in industries.items():
        if r["level"] in ("group", "class"):
            assert r["parent_code"] == code[:-1]


def test_fourteen_clusters_with_assumption_marked():
    clusters = rows("clusters.csv")
    assert len(clusters) == 14
    named = {c["name_zh"] for c in clusters}
    for name in ("工程机械", "物联网", "前沿新材料", "高端纺织", "集成电路", "高端装备", "节能环保", "核心信息技术", "新型显示"):
        assert name in named
    assumed = [c for c in clusters if c["is_assumption"] == "true"]
    assert len(assumed) == 1 and assumed[0]["note"]


@pytest.mark.parametrize("cluster,cities", [
    ("iot", {"320200"}),                                   # 无锡市物联网集群
    ("engineering_machinery", {"320300"}),                 # 徐州市工程机械集群
    ("biomedicine", {"320500", "321200", "320700"}),       # 苏州, 泰州·连云港 biomedicine clusters
    ("offshore_shipbuilding", {"320600", "321200", "321000"}),  # 南通·泰州·扬州 海工装备和高技术船舶
    ("integrated_circuits", {"320200", "320500", "320100"}),
    ("high_end_textiles", {"320500", "320200", "320600"}),  # 苏州·无锡·南通 高端纺织
])
def test_core_cities_follow_national_clusters(cluster, cities):
    core = {r["region_code"] for r in rows("cluster_regions.csv") if r["cluster_id"] == cluster and r["role"] == "core"}
    assert cities <= core


def test_chain_templates_are_dags_with_all_segments():
    nodes = rows("chain_nodes.csv")
    by_cluster = defaultdict(list)
    for n in nodes:
        by_cluster[n["cluster_id"]].append(n)
    assert len(by_cluster) == 14
    for cluster, members in by_cluster.items():
        assert {n["segment"] for n in members} == {"upstream", "midstream", "downstream"}, cluster
        assert any(n["is_key_component"] == "true" for n in members), cluster
    node_cluster = {n["node_id"]: n["cluster_id"] for n in nodes}
    graph = defaultdict(set)
    for link in rows("chain_links.csv"):
        assert node_cluster[link["from_node_id"]] == node_cluster[link["to_node_id"]] == link["cluster_id"]
        graph[link["from_node_id"]].add(link["to_node_id"])
    # Kahn's algorithm: every node is removed iff there is no cycle.
    indegree = {n: 0 for n in node_cluster}
    for targets in graph.values():
        for t in targets:
            indegree[t] += 1
    queue = [n for n, d in indegree.items() if d == 0]
    seen = 0
    while queue:
        node = queue.pop()
        seen += 1
        for t in graph[node]:
            indegree[t] -= 1
            if indegree[t] == 0:
                queue.append(t)
    assert seen == len(node_cluster)


def test_wipo_concordance_matches_reference(shared_reference):
    with open(shared_reference / "wipo_ipc_technology_35.csv", encoding="utf-8", newline="") as fh:
        reference = [tuple(r.values()) for r in csv.DictReader(fh)]
    shipped = [tuple(r.values()) for r in rows("wipo_ipc_technology_35.csv")]
    assert shipped == reference
    assert {int(r[0]) for r in shipped} == set(range(1, 36))


def test_full_gbt4754_class_list():
    industries = {r["industry_code"]: r for r in rows("industries.csv")}
    per_level = defaultdict(int)
    for r in industries.values():
        per_level[r["level"]] += 1
    # 20 sections, 97 divisions, 473 groups; 1,381 classes (sources quote 1,380-1,382, see SOURCES.md)
    assert dict(per_level) == {"section": 20, "division": 97, "group": 473, "class": 1381}
    assert {c for c, r in industries.items() if r["level"] == "section"} == set("ABCDEFGHIJKLMNOPQRST")
    expected_parent_level = {"division": "section", "group": "division", "class": "group"}
    for code, r in industries.items():
        if r["level"] == "section":
            assert r["parent_code"] == ""
        else:
            parent = industries[r["parent_code"]]
            assert parent["level"] == expected_parent_level[r["level"]], code
        assert r["name_zh"], code
    assert industries["3973"]["name_zh"] == "集成电路制造"
    assert industries["0111"]["parent_code"] == "011" and industries["011"]["parent_code"] == "01"
    # every code of the cluster concordance is in the list
    for r in rows("cluster_industries.csv"):
        assert r["industry_code"] in industries, r


def test_any_valid_class_loads(store, make_uscc, tmp_path):
    from jiqun.ingest import ingest_file

    path = tmp_path / "firms.csv"
    path.write_text("统一社会信用代码,企业名称,行政区划代码,行业代码\n"
                    f"{make_uscc(1)},稻米公司,320581,0111\n{make_uscc(2)},保险公司,320581,6811\n", encoding="utf-8")
    assert ingest_file(store, path, "firms").rows_inserted == 2


NBS_ZONES = {"320371", "320571", "320671", "320771", "320772", "320871", "320971", "321071", "321171",
             "321271", "321371"}


def test_development_zones_roll_up_into_their_city():
    regions = {r["region_code"]: r for r in rows("regions.csv")}
    zones = {c: r for c, r in regions.items() if r["level"] == "zone"}
    assert NBS_ZONES <= set(zones)
    assert zones["320571"]["name_zh"] == "苏州工业园区" and zones["320571"]["parent_code"] == "320500"
    gbt2260 = {c for c, r in regions.items() if r["level"] != "zone"}
    for code, r in zones.items():
        parent = regions[r["parent_code"]]
        assert parent["level"] in ("prefecture", "county"), code
        city = code[:4] + "00"
        assert regions[city]["level"] == "prefecture" and r["parent_code"][:4] == code[:4], code
        if code not in NBS_ZONES:  # jiqun codes: the 9x block, never a GB/T 2260 or NBS code
            assert code[4] == "9" and code not in gbt2260, code
