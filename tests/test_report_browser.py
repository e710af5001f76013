"""The theme report in a real browser: headless Chromium through selenium.

Opens the report of the bundled corpus (generated once per session) from ``file://`` and checks that it
runs without console errors, that the theme index, a theme section and the matrix render, that the filter
box filters and paging pages, and that the page never tries to reach the network.  A screenshot goes to
``tests/_artifacts/report.png``.  Skipped only when chromium / chromedriver (Debian packages ``chromium``,
``chromium-driver``) are not installed.
"""
from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from test_report import ARTIFACTS, bundled_report

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _find(*names: str) -> str | None:
    for n in names:
        p = shutil.which(n) or (f"/usr/bin/{n}" if Path(f"/usr/bin/{n}").exists() else None)
        if p:
            return p
    return None


CHROMIUM = _find("chromium", "chromium-browser")
CHROMEDRIVER = _find("chromedriver")
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1400,1800"]


@pytest.fixture(scope="module")
def driver():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("headless Chromium is not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed (pip install -e .[test])")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="kt-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    drv = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    try:
        yield drv
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def page(driver):
    """The bundled report, loaded; ``(driver, console log, network requests)`` of the load."""
    html = bundled_report()["html"]
    driver.get(html.resolve().as_uri())
    for _ in range(100):
        if driver.execute_script("return document.readyState") == "complete":
            break
        time.sleep(0.05)
    time.sleep(0.3)
    console = driver.get_log("browser")
    requests = _requests(driver)
    return driver, console, requests


def _requests(driver) -> list[tuple[str, str]]:
    """``(url, document url)`` of every request the browser logged since the last call."""
    out = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            p = msg.get("params", {})
            out.append((p.get("request", {}).get("url") or p.get("url") or "", p.get("documentURL") or ""))
    return out


def _visible(driver, css: str):
    from selenium.webdriver.common.by import By

    return [e for e in driver.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]


def _settle(driver, seconds: float = 0.4) -> None:
    time.sleep(seconds)  # the filter is debounced by 120 ms


def test_no_console_errors(page):
    _, console, _ = page
    errors = [e for e in console if e.get("level") in ("SEVERE", "ERROR")]
    assert not errors, f"console errors: {errors}"


def test_screenshot(page):
    driver, _, _ = page
    driver.execute_script("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    out = ARTIFACTS / "report.png"
    assert driver.save_screenshot(str(out))
    assert out.stat().st_size > 10_000


def test_no_network_requests(page):
    driver, _, requests = page
    # everything that happened so far plus a round of interaction
    box = driver.find_element("id", "kt-filter")
    box.send_keys("a")
    _settle(driver)
    requests = requests + _requests(driver)
    page_url = driver.current_url.split("#")[0]
    ours = [u for u, doc in requests if doc.split("#")[0] == page_url]
    assert ours, "the performance log saw the page load"
    off_page = [u for u in ours if u.split("#")[0] != page_url]
    assert not off_page, f"the report tried to load {off_page}"
    # and nothing at all went to the network (the browser's own chrome:// pages aside)
    assert not [u for u, _ in requests if u.split(":")[0] in ("http", "https", "ws", "wss", "ftp")]
    csp = driver.execute_script(
        "var m = document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]'); return m && m.content")
    assert csp and csp.startswith("default-src 'none'")
    box.clear()
    box.send_keys("\ue00c")  # Escape resets the filter


def test_theme_index_section_and_matrix_render(page):
    driver, _, _ = page
    rows = _visible(driver, "#temaindex tbody tr[data-theme]")
    assert rows and all(r.size["height"] > 0 and r.size["width"] > 0 for r in rows)
    n_themes = len(bundled_report()["data"].themes)
    assert len(rows) == min(n_themes, 25), "the index is paged 25 rows at a time"
    # open the first theme section from the index link
    link = rows[0].find_element("css selector", "a")
    target = link.get_attribute("href").split("#")[1]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", link)
    _settle(driver, 0.2)
    section = driver.find_element("id", target)
    assert section.get_attribute("open") is not None, "following the index link opens the section"
    body = section.find_element("css selector", ".body")
    assert body.is_displayed() and body.size["height"] > 50
    assert section.find_elements("css selector", "ul.findings li cite")
    matrix = _visible(driver, "#matris svg.matrix")
    assert matrix and matrix[0].size["width"] > 100 and matrix[0].size["height"] > 50
    areas = _visible(driver, "#oversikt svg.areas")
    assert areas and areas[0].size["width"] > 100


def test_filter_box_filters(page):
    driver, _, _ = page
    data = bundled_report()["data"]
    total = len(data.themes)
    label = str(data.themes.sort_values("n_findings").iloc[-1]["label"])
    box = driver.find_element("id", "kt-filter")
    box.clear()
    box.send_keys(label)
    _settle(driver)
    sections = _visible(driver, "details.theme")
    rows = _visible(driver, "#temaindex tbody tr[data-theme]")
    assert 1 <= len(sections) < total and 1 <= len(rows) < total
    assert any(label in r.text for r in rows)
    assert "Visar" in driver.find_element("id", "kt-filter-count").text
    box.send_keys("qqqxyzzy")
    _settle(driver)
    assert not _visible(driver, "details.theme") and not _visible(driver, "#temaindex tbody tr[data-theme]")
    box.send_keys("\ue00c")  # Escape clears
    _settle(driver)
    assert len(_visible(driver, "details.theme")) == total


def test_paging(page):
    driver, _, _ = page
    if len(bundled_report()["data"].themes) <= 25:
        pytest.skip("fewer themes than one page")
    first = [r.get_attribute("data-theme") for r in _visible(driver, "#temaindex tbody tr[data-theme]")]
    nxt = [b for b in _visible(driver, "#temaindex .pager button") if "Nästa" in b.text][0]
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'}); arguments[0].click()", nxt)
    _settle(driver, 0.1)
    second = [r.get_attribute("data-theme") for r in _visible(driver, "#temaindex tbody tr[data-theme]")]
    assert second and not set(first) & set(second)


def test_no_console_errors_after_interaction(page):
    driver, _, _ = page
    errors = [e for e in driver.get_log("browser") if e.get("level") in ("SEVERE", "ERROR")]
    assert not errors, f"console errors during the interaction: {errors}"


def test_print_media_shows_every_theme(page):
    """Printing ("save as PDF") keeps every theme: the PDF Chromium prints holds every theme-index row and
    every theme section's contents, whatever the paging; a section opened from the index clears the sticky
    header."""
    import base64

    import pypdfium2 as pdfium

    driver, _, _ = page
    themes = bundled_report()["data"].themes
    pdf = base64.b64decode(driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})["data"])
    doc = pdfium.PdfDocument(pdf)
    text = " ".join(" ".join(doc[i].get_textpage().get_text_range().split()) for i in range(len(doc)))
    flat = " ".join(text.replace("\u00ad", "").split())
    labels = [" ".join(str(t.label).split()) for t in themes.itertuples()] if hasattr(themes, "itertuples") \
        else [" ".join(str(t["label"]).split()) for t in themes]
    missing = [lab for lab in labels if lab[:40] not in flat]
    assert not missing, missing[:5]
    # the sections' contents, not only the index: every representative finding's first words are printed
    sections = driver.execute_script(
        "return Array.prototype.map.call(document.querySelectorAll('details.theme[data-theme] ul.findings li'),"
        " function (li) { var c = li.cloneNode(true); c.querySelectorAll('.badge, cite')"
        ".forEach(function (e) { e.remove(); }); return c.textContent; })")
    assert sections
    firsts = [" ".join(t.split()[-4:]) for t in sections]  # the last words: no badge or municipality prefix
    absent = [f for f in firsts if f not in flat]
    assert len(absent) <= len(firsts) // 50, absent[:5]
    margin = driver.execute_script("return getComputedStyle(document.querySelector('details.theme[id]'))"
                                   ".scrollMarginTop")
    assert float(margin.rstrip("px")) > 40
