"""The pages in a real browser: headless Chromium from Debian (``/usr/bin/chromium``, installed by .ci/run;
Playwright never downloads one) against a real ``jiqun serve``, with every request to another host
blocked (the network cut): no console error, the map and charts drawn, the language toggle, a bad upload's
error report. Screenshots go to ``test-artifacts/screenshots/`` (kept after the run)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install chromium")


@pytest.fixture(scope="module")
def server(demo_store, tmp_path_factory):
    from jiqun.web.background import ServerProcess

    store = tmp_path_factory.mktemp("browser") / "served.duckdb"
    shutil.copy(demo_store, store)
    with ServerProcess(store) as running:
        yield running.url


@pytest.fixture(scope="module")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser, server):
    """A page whose requests to any other host are aborted, collecting console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server)
                  else route.abort())
    tab = context.new_page()
    tab.errors = []
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    tab.on("requestfailed", lambda request: tab.errors.append(f"request failed: {request.url}"))
    yield tab
    context.close()


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_overview_draws_the_map_and_toggles_language(page, server):
    page.goto(server + "/")
    assert page.locator("#city-map path[data-city]").count() == 13
    box = page.locator("#city-map").bounding_box()
    assert box["width"] > 300 and box["height"] > 300
    assert page.locator("#clusters tbody tr").count() == 14
    shoot(page, "overview-zh")
    page.click("#lang-toggle")
    page.wait_for_url("**lang=en**")
    assert page.locator("html").get_attribute("lang") == "en" and "Province overview" in page.title()
    shoot(page, "overview-en")
    page.select_option("select[name=indicator]", "employment")
    page.click("#map-form button")
    page.wait_for_url("**indicator=employment**")
    assert page.locator("#city-map path[data-city]").count() == 13
    assert page.errors == []


def test_cluster_page_draws_its_charts(page, server):
    page.goto(server + "/clusters/iot")
    assert page.locator("#radar polygon[data-series]").count() == 3
    assert page.locator("svg.line-chart").count() == 8
    assert page.locator("#chokepoints tbody tr").count() >= 1
    shoot(page, "cluster-iot")
    assert page.errors == []


def test_a_bad_upload_shows_its_error_report(page, server, tmp_path):
    bad = tmp_path / "bad_firms.csv"
    bad.write_text("统一社会信用代码,企业名称,行政区划代码,行业代码\n123,坏企业,999999,3983\n", encoding="utf-8")
    page.goto(server + "/data")
    page.select_option("#upload-form select[name=table]", "firms")
    page.set_input_files("#upload-form input[type=file]", str(bad))
    page.click("#upload-form button")
    page.wait_for_selector("#upload-error")
    assert page.locator("#error-report tbody tr").count() == 2
    assert "999999" in page.locator("#error-report").inner_text()
    shoot(page, "data-upload-refused")
    # the refused page answers 422 by design; nothing else may fail
    assert [e for e in page.errors if "422" not in e] == []


def test_a_click_on_a_chain_segment_shows_its_firms_and_flows(page, server):
    page.goto(server + "/clusters/iot")
    page.click("#chain-link a")
    page.wait_for_url("**/clusters/iot/chain**")
    segments = page.locator("#chain-graph a.segment")
    assert segments.count() == 9
    shoot(page, "chain-iot")
    page.click('#chain-graph a.segment[data-node="iot.m1"]')
    page.wait_for_selector("#segment-firms")
    assert "iot.m1" in page.url and page.locator("#segment-firms tbody tr").count() >= 1
    assert page.locator("#flow-graph path").count() >= 1 and page.locator("#segment-suppliers tbody tr").count() >= 1
    shoot(page, "chain-iot-segment")
    assert page.errors == []


def test_a_shock_scenario_runs_from_the_page_with_its_progress(page, server):
    page.goto(server + "/clusters/iot/chain")
    page.select_option("#shock-form select[name=remove]", "segment:iot.m1")
    page.fill("#shock-form input[name=share]", "0.5")
    page.click("#shock-form button")
    page.wait_for_url("**/jobs/**")
    assert page.locator("#job-state").count() == 1  # the job page: progress, then the results
    page.wait_for_selector("#shock-summary", timeout=60_000)
    assert "ESRI" in page.locator("#shock-summary").inner_text()
    assert page.locator("#shock-segments tbody tr").count() >= 1
    shoot(page, "shock-result")
    assert page.errors == []


def test_the_comparison_and_inventory_pages_draw_their_charts(page, server):
    page.goto(server + "/compare")
    page.select_option("#compare-form select[name=kind]", "cities")
    page.fill("#compare-form input[name=ids]", "南京市,无锡市,苏州市")
    page.click("#compare-form button")
    page.wait_for_url("**kind=cities**")
    assert page.locator("svg.bubble-chart").count() == 3 and page.locator("svg.bubble-chart circle.bubble").count() > 10
    assert page.locator("#compare-table thead th").count() == 4
    shoot(page, "compare-cities")
    page.goto(server + "/chokepoints")
    rows = page.locator("#inventory tbody tr").count()
    page.select_option("#inventory-form select[name=class]", "fully_dependent")
    page.click("#inventory-form button")
    page.wait_for_url("**class=fully_dependent**")
    assert page.locator("#inventory tbody tr").count() < rows and page.locator("#position circle.bubble").count() >= 1
    shoot(page, "chokepoints")
    assert page.errors == []


def test_a_report_is_written_from_the_page_with_its_progress(page, server):
    page.goto(server + "/clusters/iot")
    page.select_option("#report-form select[name=format]", "pdf")
    page.click("#report-form button")
    page.wait_for_url("**/jobs/**")
    page.wait_for_selector("#report-download", timeout=120_000)
    with page.expect_download() as download:
        page.click("#report-download")
    assert download.value.suggested_filename.endswith(".pdf")
    # a download ends the link's navigation, which the browser reports as an aborted request
    assert [e for e in page.errors if not e.endswith("/file")] == []
