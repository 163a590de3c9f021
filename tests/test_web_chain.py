"""The chain page, the comparison page and the chokepoint inventory page of the web observatory, their JSON
twins, downloads and background shock scenarios, on the small demo store — each checked against the
library it calls (jiqun.chains, the store's own rows) rather than against itself."""

from __future__ import annotations

import io
import re
import threading
import time

import duckdb
import pytest

import jiqun
from jiqun.query import Query, Scope
from jiqun.query.jobs import Jobs


@pytest.fixture(scope="module")
def client(demo_store):
    from fastapi.testclient import TestClient

    from jiqun.web import create_app

    return TestClient(create_app(demo_store))


@pytest.fixture(scope="module")
def direct(demo_store):
    """The query layer on its own reader (not the app's): what the pages must equal."""
    return Query(demo_store)


def _close(first: dict, second: dict) -> bool:
    """The same keys and values, numbers within 1e-9 relative (DuckDB's parallel sums may differ in the
    last bits between two computations)."""
    return first.keys() == second.keys() and all(
        first[k] == pytest.approx(second[k], rel=1e-9) if isinstance(second[k], float) else first[k] == second[k]
        for k in first)


def _wait(client, job_id: str, seconds: float = 60) -> dict:
    deadline = time.time() + seconds
    while time.time() < deadline:
        state = client.get(f"/api/jobs/{job_id}").json()
        if state["state"] in ("done", "failed"):
            return state
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish in {seconds} s")


def test_the_chain_page_colours_each_segment_by_its_weakness_and_links_it(client, demo_store):
    from jiqun.chains import chain_graph, chain_map
    from jiqun.pictures.chain import weakness_colour

    data = client.get("/api/clusters/iot/chain").json()
    con = jiqun.connect(demo_store, read_only=True)
    try:
        expected = chain_graph(chain_map(con, "iot"))
    finally:
        con.disconnect()
    assert [n["node_id"] for n in data["nodes"]] == [n["node_id"] for n in expected["nodes"]]
    assert [n["weakness"] for n in data["nodes"]] == [n["weakness"] for n in expected["nodes"]]
    page = client.get("/clusters/iot/chain").text
    boxes = dict(re.findall(r'data-node="([^"]+)" href="[^"]+"><rect [^>]*fill="(#[0-9a-f]+)"', page))
    assert boxes == {n["node_id"]: weakness_colour(n["weakness"]) for n in data["nodes"]}
    assert len(re.findall(r'href="/clusters/iot/chain\?year=\d+&amp;segment=iot\.\w+#segment"', page)) == len(data["nodes"])
    weak = [n for n in data["nodes"] if n["weakness"] > 0]
    assert weak and len(data["weak_links"]) >= len(weak)
    for link in data["weak_links"]:
        assert link["evidence_zh"] in page.replace("&#x27;", "'")


def test_a_segment_shows_its_province_firms_suppliers_and_flows(client, demo_store, direct):
    node = "iot.m1"
    data = client.get(f"/api/clusters/iot/chain/segments/{node}").json()
    alone = direct.segment("iot", node)
    # amounts and shares of parallel sums may differ in their last bits between two computations
    assert _close(data["metrics"], alone.pop("metrics"))
    for part in ("suppliers", "flows", "inflows", "outflows"):
        mine, theirs = data[part], alone.pop(part)
        assert len(mine) == len(theirs) and all(_close(a, b) for a, b in zip(mine, theirs)), part
    assert {key: value for key, value in data.items() if key not in ("metrics", "suppliers", "flows", "inflows",
                                                                     "outflows")} == alone
    year = data["year"]
    with duckdb.connect(str(demo_store), read_only=True) as con:
        firms = con.execute("""SELECT f.uscc FROM firm_chain_nodes n JOIN firms f USING (uscc)
                               LEFT JOIN firm_years y ON y.uscc = f.uscc AND y.year = ?
                               WHERE n.node_id = ? AND f.region_code LIKE '32%'
                               ORDER BY y.output_value_yuan DESC NULLS LAST, f.uscc LIMIT 20""", [year, node]).fetchall()
        bought = con.execute("SELECT sum(amount_yuan) FROM transactions WHERE node_id = ? AND year = ?",
                             [node, year]).fetchone()[0]
    assert [f["uscc"] for f in data["firms"]] == [row[0] for row in firms]
    outputs = [f["output_value_yuan"] or 0 for f in data["firms"]]
    assert outputs == sorted(outputs, reverse=True)
    assert data["suppliers"] and data["suppliers"][0]["rank"] == 1
    assert abs(sum(s["share"] for s in data["suppliers"]) - 1) < 1e-9 or sum(s["share"] for s in data["suppliers"]) < 1
    assert data["flows"] and sum(f["amount_yuan"] for f in data["flows"]) <= bought + 1e-6
    page = client.get(f"/clusters/iot/chain?segment={node}").text
    assert 'id="segment"' in page and 'id="segment-firms"' in page and 'id="flow-graph"' in page
    assert data["firms"][0]["name"] in page
    # a reader without firm-level access sees the segment's figures, not its firms
    hidden = Query(direct.reader, Scope(label="guest", firm_level=False)).segment("iot", node)
    assert "firms" not in hidden and "flows" not in hidden and _close(hidden["metrics"], data["metrics"])
    assert client.get("/api/clusters/iot/chain/segments/nowhere").status_code == 404


def test_a_shock_runs_in_the_background_and_equals_the_library(client, demo_store):
    from jiqun.chains.simulation import shock_scenario

    started = client.post("/api/clusters/iot/shock", json={"remove": ["segment:iot.m1"], "share": 0.5})
    assert started.status_code == 202
    state = _wait(client, started.json()["job_id"])
    assert state["state"] == "done" and state["progress"] == 1.0, state
    con = jiqun.connect(demo_store, read_only=True)
    try:
        run = shock_scenario(con, "iot", ["segment:iot.m1"], 0.5)
    finally:
        con.disconnect()
    summary = run.tables["summary"].iloc[0]
    assert state["result"]["summary"]["esri"] == pytest.approx(summary["esri"], rel=1e-12)
    assert state["result"]["summary"]["output_at_risk_yuan"] == pytest.approx(summary["output_at_risk_yuan"], rel=1e-12)
    assert [r["node_id"] for r in state["result"]["by_segment"]] == run.tables["by_segment"]["node_id"].tolist()
    # from the page: the form's post leads to the job page, which reloads itself until the results show
    posted = client.post("/clusters/iot/shock", data={"remove": "country:JPN", "share": "1"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].startswith("/jobs/")
    job_id = posted.headers["location"].split("/")[-1]
    _wait(client, job_id)
    page = client.get(f"/jobs/{job_id}").text
    assert 'id="shock-summary"' in page and 'http-equiv="refresh"' not in page


@pytest.mark.parametrize("body, status, words", [
    ({"remove": ["segment:nowhere"], "share": 1}, 404, "iot.m1"),
    ({"remove": ["segment:iot.m1"], "share": 1.5}, 422, "share"),
    ({"remove": [], "share": 1}, 422, "remove"),
    ({"remove": ["planet:mars"], "share": 1}, 422, "segment:"),
])
def test_a_bad_shock_is_refused_before_it_starts(client, body, status, words):
    response = client.post("/api/clusters/iot/shock", json=body)
    assert response.status_code == status and words in response.json()["error"]
    assert client.get("/api/jobs/unknown").status_code == 404


def test_a_long_job_does_not_hold_up_other_readers(client):
    jobs = Jobs()
    release = threading.Event()
    job = jobs.submit("wait", "a long job", lambda progress: (progress(1, 2, "等待", "waiting"), release.wait(30), 42)[-1])
    time.sleep(0.2)
    assert jobs.get(job.job_id).as_dict()["state"] == "running"
    began = time.time()
    assert client.get("/api/clusters").status_code == 200 and time.time() - began < 5
    release.set()
    for _ in range(50):
        if jobs.get(job.job_id).state == "done":
            break
        time.sleep(0.05)
    assert jobs.get(job.job_id).as_dict()["result"] == 42
    failing = jobs.submit("fail", "a failing job", lambda progress: 1 / 0)
    for _ in range(50):
        if jobs.get(failing.job_id).state == "failed":
            break
        time.sleep(0.05)
    assert jobs.get(failing.job_id).as_dict()["error"] == "division by zero"
    jobs.shutdown()


def test_the_comparison_shows_the_stored_indicators_side_by_side(client, demo_store):
    data = client.get("/api/compare?kind=clusters&ids=iot,automobiles").json()
    assert [item["id"] for item in data["items"]] == ["iot", "automobiles"]
    with duckdb.connect(str(demo_store), read_only=True) as con:
        stored = dict(con.execute("""SELECT cluster_id, value FROM indicator_results WHERE indicator = 'employment'
                                     AND region_code = '320000' AND year = ?""", [data["year"]]).fetchall())
        cities = dict(con.execute("""SELECT region_code, value FROM indicator_results WHERE indicator = 'lq_employment'
                                     AND cluster_id = 'iot' AND year = ?""", [data["year"]]).fetchall())
    assert data["items"][0]["values"]["employment"] == stored["iot"]
    assert data["items"][0]["type"] in ("leading", "breakthrough", "catch_up") and data["items"][0]["rank_p05"]
    bubbles = {b["id"]: b["y"] for b in data["portfolios"][0]["bubbles"]}
    assert bubbles and all(cities[code] == value for code, value in bubbles.items())
    by_city = client.get("/api/compare?kind=cities&ids=南京市,320200").json()
    assert [item["id"] for item in by_city["items"]] == ["320100", "320200"]
    assert len(by_city["portfolios"]) == 2 and len(by_city["portfolios"][1]["bubbles"]) >= 10
    page = client.get("/compare?kind=cities&ids=南京市,320200").text
    assert page.count('class="bubble-chart"') == 2 and "无锡市" in page
    many = ",".join(data["choices"][:11])
    assert client.get(f"/api/compare?ids={many}").status_code == 422
    assert client.get("/api/compare?kind=cities&ids=火星市").status_code == 404


def test_the_inventory_page_filters_by_class_and_priority(client, demo_store, direct):
    everything = client.get("/api/chokepoints").json()
    assert len(everything["items"]) == sum(everything["counts"].values()) > 0
    provinces = [item["priority_province"] for item in everything["items"]]
    assert provinces == sorted(provinces)
    one = client.get("/api/chokepoints?class=lagging&max_priority=2&cluster=high_end_equipment").json()
    assert all(i["class"] == "lagging" and i["priority"] <= 2 and i["cluster"] == "high_end_equipment"
               for i in one["items"])
    expected = [(i["product"], i["priority"]) for i in direct.chokepoints("high_end_equipment")["items"]
                if i["class"] == "lagging" and i["priority"] <= 2]
    assert [(i["product"], i["priority"]) for i in one["items"]] == expected and expected
    assert one["items"][0]["cluster_zh"] == "高端装备"
    page = client.get("/chokepoints").text
    assert page.count("<tr>") == len(everything["items"]) + 1 and 'id="position"' in page
    assert client.get("/api/chokepoints?class=nothing").status_code == 404


@pytest.mark.parametrize("url", ["/clusters/iot/chain/segments.csv", "/compare.csv?kind=clusters&ids=iot",
                                 "/chokepoints.csv"])
def test_csv_downloads_carry_a_bom_and_chinese_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert re.search(r"[\u4e00-\u9fff]", header) and "attachment" in response.headers["content-disposition"]


def test_shares_in_a_csv_are_percent_as_their_header_says(client):
    import pandas as pd

    csv = pd.read_csv(io.BytesIO(client.get("/clusters/iot/chain/segments.csv").content), encoding="utf-8-sig",
                      dtype={"环节编号": str})
    data = {n["node_id"]: n for n in client.get("/api/clusters/iot/chain").json()["nodes"]}
    for row in csv.itertuples(index=False):
        rate = data[row[0]]["metrics"]["local_supporting_rate_province"]
        shown = csv.loc[csv["环节编号"] == row[0], "省内配套率（%）"].iloc[0]
        assert (rate is None and pd.isna(shown)) or shown == pytest.approx(rate * 100)


@pytest.mark.parametrize("url", ["/clusters/iot/chain/segments.xlsx", "/compare.xlsx", "/chokepoints.xlsx"])
def test_xlsx_downloads_open_with_their_sheets(client, url):
    import openpyxl

    response = client.get(url)
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert response.status_code == 200 and "说明" in book.sheetnames and book.worksheets[0].max_row >= 2


@pytest.mark.parametrize("url", ["/clusters/iot/chain/charts/chain-graph", "/compare/charts/portfolio-1",
                                 "/chokepoints/charts/position"])
def test_every_chart_downloads_as_svg_and_a_drawn_png(client, url):
    from PIL import Image

    svg = client.get(url + ".svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml") and b"<svg" in svg.content
    png = client.get(url + ".png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    image = Image.open(io.BytesIO(png.content)).convert("L")
    low, high = image.getextrema()
    assert image.width > 400 and high - low > 100  # drawn, not blank
    assert client.get(url + ".gif").status_code == 422


def test_the_new_pages_load_nothing_from_elsewhere(client):
    for url in ("/clusters/iot/chain?segment=iot.m1", "/compare", "/chokepoints", "/compare?lang=en",
                "/chokepoints?lang=en", "/clusters/iot/chain?lang=en"):
        text = client.get(url).text
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", text) and "<script" not in text, url
        assert 'type="application/json" href="/api/' in text


def test_the_cluster_page_shows_its_world_class_gap_leaders_and_chain(client, demo_store, direct):
    from jiqun.firms import leading_firms

    data = client.get("/api/clusters/iot").json()
    world = data["world_class"]
    # the gap comes from re-running the stored scheme on the stored indicators: the same score
    assert world["score"] == pytest.approx(data["evaluation"]["score"], rel=1e-9)
    assert all(0 <= g <= 1 for g in world["dimension_gaps"].values() if g is not None)
    assert world["largest_gaps"] and all(0 < g["gap"] <= 1 and g["name_zh"] for g in world["largest_gaps"])
    con = jiqun.connect(demo_store, read_only=True)
    try:
        expected = leading_firms(con, "iot", data["year"])
    finally:
        con.disconnect()
    assert [f["uscc"] for f in data["leaders"]] == expected["uscc"].tolist()
    assert {f["origin_zh"] for f in data["leaders"]} <= {"本地总部企业", "外资集团分支/生产基地", "外省集团分支/生产基地"}
    page = client.get("/clusters/iot").text
    assert 'id="world-radar"' in page and page.count("<tr>", page.index('id="leaders"')) >= len(data["leaders"])
    assert 'id="chain-graph"' in page and "/clusters/iot/chain?" in page
    guest = Query(direct.reader, Scope(label="guest", firm_level=False)).cluster("iot")
    assert guest["leaders"] is None and guest["world_class"] == world


def test_a_report_is_written_in_the_background_and_downloaded(client):
    started = client.post("/api/reports", json={"cluster": "iot", "format": "pdf", "lang": "zh"})
    assert started.status_code == 202
    state = _wait(client, started.json()["job_id"], 120)
    assert state["state"] == "done", state
    assert state["result"]["title"] == "物联网集群监测专报（2023年）"
    pdf = client.get(state["result"]["download"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["content-type"] == "application/pdf"
    posted = client.post("/reports", data={"format": "xlsx", "lang": "en"}, follow_redirects=False)
    assert posted.status_code == 303 and posted.headers["location"].endswith("?lang=en")
    job_id = posted.headers["location"].split("/")[-1].split("?")[0]
    assert _wait(client, job_id, 120)["state"] == "done"
    assert 'id="report-download"' in client.get(f"/jobs/{job_id}?lang=en").text
    assert client.post("/api/reports", json={"cluster": "nowhere"}).status_code == 404
    assert client.post("/api/reports", json={"format": "docx"}).status_code == 422
    assert client.get("/jobs/unknown/file").status_code == 404


@pytest.mark.parametrize("page", ["/", "/?lang=en", "/clusters/iot", "/clusters/iot/chain", "/compare",
                                  "/compare?kind=cities&ids=320100,320200", "/chokepoints?class=lagging"])
def test_every_download_link_of_a_page_answers_its_file(client, page):
    from html import unescape

    text = client.get(page).text
    links = [unescape(href) for href in re.findall(r'href="([^"]+\.(?:csv|xlsx|svg|png)(?:\?[^"]*)?)"', text)]
    assert len(links) >= 2
    kinds = {"csv": "text/csv", "xlsx": "application/vnd.openxml", "svg": "image/svg+xml", "png": "image/png"}
    for link in links:
        response = client.get(link)
        extension = link.split("?")[0].rsplit(".", 1)[1]
        assert response.status_code == 200 and response.headers["content-type"].startswith(kinds[extension]), link


def test_the_overview_lists_the_alerts_that_fire(client, demo_store, direct):
    data = client.get("/api/alerts").json()
    alone = direct.alerts()
    assert data["counts"] == alone["counts"] and len(data["alerts"]) == len(alone["alerts"])

    def keyed(alerts):  # values computed from firm data by parallel sums may differ in their last bits
        return sorted((a["alert"], a["cluster_id"], a["region_code"], a["indicator"], round(a["value"] or 0, 9))
                      for a in alerts)

    assert keyed(data["alerts"]) == keyed(alone["alerts"])
    assert data["alerts"] and sum(data["counts"].values()) == len(data["alerts"])
    page = client.get("/").text
    summary = page[page.index('id="alert-summary"'):page.index("</table>", page.index('id="alert-summary"'))]
    for alert, count in data["counts"].items():
        name = next(a["name_zh"] for a in data["alerts"] if a["alert"] == alert)
        assert f"{name}</td><td class=num>{count:,}</td>" in summary.replace("&#x27;", "'")
    assert f'（{len(data["alerts"]):,}）</summary>' in page
    assert client.get("/api/alerts?year=1990").status_code == 404
