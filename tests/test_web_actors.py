"""The firms, organisations, policy and talent pages and their JSON twins (jiqun.web.actor_routes over
jiqun.query.actors): every view answers, the twin holds what the library computes, unknown choices are 404
with the valid ones, downloads carry every row, and a guest scope sees counts, not firms."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from jiqun import connect
from jiqun.organizations import evaluate_organizations
from jiqun.policy import policy_view
from jiqun.query import Query, Scope
from jiqun.talent import talent_flows
from jiqun.web.app import create_app

PAGES = {"firms": ("candidates", "close", "ladder"), "organizations": ("ranking", "pool", "levels"),
         "policy": ("matrix", "overlaps", "gaps", "alignment", "budget", "suggestions"),
         "talent": ("flows", "pairs", "communities", "alerts")}


@pytest.fixture(scope="module")
def client(demo_store):
    return TestClient(create_app(demo_store))


@pytest.mark.parametrize("kind", PAGES)
def test_every_view_answers_with_its_twin(client, kind):
    for view in PAGES[kind]:
        page = client.get(f"/{kind}", params={"view": view})
        assert page.status_code == 200, (kind, view, page.text[:200])
        assert f'href="/api/{kind}?' in page.text and f"/{kind}.csv" in page.text
        twin = client.get(f"/api/{kind}", params={"view": view})
        assert twin.status_code == 200 and twin.json()["view"] == view


def test_twins_hold_what_the_library_computes(client, demo_store):
    con = connect(demo_store, read_only=True)
    try:
        organizations = evaluate_organizations(con)
        overlaps = policy_view(con, "overlaps")
        flows = talent_flows(con)
    finally:
        con.disconnect()
    ranking = client.get("/api/organizations").json()["records"]
    assert [r["organization_id"] for r in ranking] == organizations.organizations.organization_id.tolist()
    assert [r["score"] for r in ranking] == pytest.approx(organizations.organizations.score.tolist())
    records = client.get("/api/policy", params={"view": "overlaps"}).json()["records"]
    assert [(r["cluster_id"], r["instrument"], r["n_departments"]) for r in records] == list(
        zip(overlaps.cluster_id, overlaps.instrument, overlaps.n_departments))
    talent = client.get("/api/talent").json()["records"]
    assert [(r["region"], r["inflow"]) for r in talent] == [
        (region, None if inflow is None else int(inflow)) for region, inflow in zip(flows.region, flows.inflow)]


def test_firm_candidates_carry_their_criteria_and_downloads_every_row(client):
    data = client.get("/api/firms", params={"limit": 5}).json()
    assert data["records"] and data["n_records"] >= len(data["records"])
    assert all({"uscc", "tier", "criteria"} <= set(r) for r in data["records"])
    download = client.get("/firms.csv")
    assert download.status_code == 200 and download.content.startswith(b"\xef\xbb\xbf")
    frame = pd.read_csv(io.BytesIO(download.content), encoding="utf-8-sig")
    assert len(frame) == data["n_records"] and "统一社会信用代码" in frame.columns


def test_unknown_choices_are_refused_with_the_valid_ones(client):
    for url, params in (("/api/firms", {"year": 1990}), ("/api/firms", {"cluster": "nope"}),
                        ("/api/talent", {"level": "x"}), ("/api/policy", {"view": "nope"}),
                        ("/organizations", {"view": "nope"})):
        answer = client.get(url, params=params)
        assert answer.status_code == 404 and answer.json()["choices"], (url, params)


def test_a_guest_scope_sees_counts_not_firms(demo_store):
    guest = Query(demo_store, Scope(label="guest", firm_level=False))
    data = guest.firm_lists()
    assert data["records"] and all(set(r) == {"cluster_id", "tier", "n_firms"} for r in data["records"])
    with pytest.raises(LookupError, match="level"):
        guest.talent_lists(level="firm")
    scoped = Query(demo_store, Scope(label="无锡", regions=frozenset({"320200"}), clusters=frozenset({"iot"})))
    assert {r["cluster_id"] for r in scoped.organization_lists()["records"]} <= {"iot"}
    assert {r["region"] for r in scoped.talent_lists()["records"]} <= {"320200"}


def test_the_overview_lists_the_poaching_alerts(client, demo_store, monkeypatch):
    monkeypatch.setenv("JIQUN_TALENT_ALERT_SHARE", "0.3")
    monkeypatch.setenv("JIQUN_TALENT_MIN_MOVES", "2")
    query = Query(demo_store)
    alerts = query.alerts()
    con = connect(demo_store, read_only=True)
    try:
        from jiqun.talent import talent_alerts

        expected = talent_alerts(con, alerts["year"])
    finally:
        con.disconnect()
    assert [(a["region"], a["rival"]) for a in alerts["talent"]] == list(zip(expected.region, expected.rival))
    assert alerts["talent"] and all(a["rule"] for a in alerts["talent"])
    page = TestClient(create_app(demo_store)).get("/")
    assert page.status_code == 200 and 'id="talent-alerts"' in page.text
