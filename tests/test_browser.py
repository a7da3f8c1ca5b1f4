"""The dashboard in a real browser (Debian's Chromium), with no network.

Screenshots of each step are kept in tests/artifacts/ (not committed).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import free_port, wait_until_serving

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM, CHROMEDRIVER = shutil.which("chromium") or "/usr/bin/chromium", shutil.which("chromedriver") or "/usr/bin/chromedriver"
HAVE_BROWSER = Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()
if not HAVE_BROWSER and os.environ.get("KARABAKH_MAP_REQUIRE_BROWSER"):
    raise RuntimeError("KARABAKH_MAP_REQUIRE_BROWSER is set but chromium/chromedriver are missing: apt-get install chromium chromium-driver")
pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not HAVE_BROWSER, reason="Debian's chromium and chromium-driver are not installed: apt-get install chromium chromium-driver")]

XSS = """Title: Report <img src=x onerror="globalThis.pwned=1"> ${globalThis.pwned=2}
Published: 2023-09-19

Azerbaijani artillery shelled Martuni on Tuesday <img src=x onerror="globalThis.pwned=3"> ${globalThis.pwned=4} `${globalThis.pwned=5}`, officials said.
"""
DISTRICT_RGB = (237, 224, 204)  # #e8cfa9 at 45 % over the land colour #f2efe9


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    env = dict(os.environ, KARABAKH_MAP_STORE=str(tmp / "store.gpkg"))
    article = tmp / "xss.txt"
    article.write_text(XSS, encoding="utf-8")
    subprocess.run([sys.executable, "-m", "cli.main", "ingest", str(article)], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=120)
    port = free_port()
    from cli.main import dashboard_command

    # served as a user serves it (`karabakh-map dashboard`), with the project's own settings
    proc = subprocess.Popen(dashboard_command(port, "127.0.0.1"), cwd=tmp, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    wait_until_serving(url, proc)
    yield url
    proc.terminate()
    proc.wait(10)


@pytest.fixture
def browser():
    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not try to download a driver
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1400,1100"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    ARTIFACTS.mkdir(exist_ok=True)
    yield driver
    driver.quit()


def _wait(driver, fn, timeout=60, what="condition"):
    end = time.time() + timeout
    last = None
    while time.time() < end:
        try:
            result = fn()
            if result:
                return result
        except Exception as err:  # stale elements while Streamlit reruns
            last = err
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting for {what} ({last})")


def _enter_map(driver):
    from selenium.webdriver.common.by import By

    driver.switch_to.default_content()
    frame = _wait(driver, lambda: next((f for f in driver.find_elements(By.TAG_NAME, "iframe")
                                        if "st_folium" in (f.get_attribute("title") or "")), None), what="the map frame")
    driver.switch_to.frame(frame)
    return frame


def _wait_idle(driver, settle: float = 1.5):
    """Wait until Streamlit has finished running the script (faded elements are restored)."""
    from selenium.webdriver.common.by import By

    driver.switch_to.default_content()
    time.sleep(0.5)
    _wait(driver, lambda: not driver.find_elements(By.CSS_SELECTOR, "[data-testid='stStatusWidget']"), timeout=90,
          what="the app to finish running")
    time.sleep(settle)


def _open_popup(driver, wanted) -> str:
    """Click event markers until a popup whose text satisfies ``wanted`` opens; its text."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    for marker in driver.find_elements(By.CSS_SELECTOR, "path.km-event"):
        try:
            ActionChains(driver).move_to_element(marker).click().perform()
        except Exception:  # hidden under another marker or the legend
            continue
        time.sleep(0.6)
        popups = driver.find_elements(By.CSS_SELECTOR, ".leaflet-popup-content")
        if popups and wanted(popups[0].text):
            return popups[0].text
    return ""


def _count(driver, css):
    from selenium.webdriver.common.by import By

    return len(driver.find_elements(By.CSS_SELECTOR, css))


def _open_page(d, server) -> None:
    """Load the page and wait until its map shows the districts after the last run."""
    d.get(server)
    _enter_map(d)
    _wait(d, lambda: _count(d, "path.km-layer-seven_districts") >= 7, what="the districts")
    _wait_idle(d)
    _enter_map(d)
    _wait(d, lambda: _count(d, "path.km-layer-seven_districts") >= 7, what="the districts after the last run")
    d.switch_to.default_content()


def test_map_shows_districts_toggles_and_popups_safely(server, browser):
    from PIL import Image
    from selenium.webdriver.common.by import By

    d = browser
    _open_page(d, server)
    shot = ARTIFACTS / "01_map.png"
    d.save_screenshot(str(shot))
    # pixels: the districts' fill is on screen
    img = Image.open(shot).convert("RGB")
    px = img.load()
    hits = sum(1 for x in range(0, img.width, 3) for y in range(0, img.height, 3)
               if all(abs(px[x, y][i] - DISTRICT_RGB[i]) <= 8 for i in range(3)))
    assert hits > 500, hits

    # untick a layer in the sidebar: it leaves the map
    label = _wait(d, lambda: next(e for e in d.find_elements(By.CSS_SELECTOR, "[data-testid='stCheckbox'] label")
                                  if "The seven districts" in e.text), what="the checkbox")
    label.click()

    def districts_gone():
        _enter_map(d)  # a changed map is a new frame: look again each time
        return _count(d, "path.km-layer-seven_districts") == 0 and _count(d, "path.km-layer-borders") > 0

    _wait(d, districts_gone, what="the districts to disappear")
    d.switch_to.default_content()
    d.save_screenshot(str(ARTIFACTS / "02_districts_off.png"))

    # click an event: its popup opens with the evidence
    _enter_map(d)
    _wait(d, lambda: d.find_elements(By.CSS_SELECTOR, "path.km-event"), what="event markers")
    opened = _open_popup(d, lambda text: "Stepanakert" in text and "mass artillery fire" in text)
    d.switch_to.default_content()
    d.save_screenshot(str(ARTIFACTS / "03_popup.png"))
    assert opened, "no event popup with its evidence opened"
    assert "Who" in opened and "Confidence" in opened

    # the hostile article's popup shows its markup as text, and nothing ran
    _enter_map(d)
    shown = _open_popup(d, lambda text: "Martuni" in text)
    assert "<img src=x" in shown and "${globalThis.pwned=4}" in shown
    assert d.execute_script("return typeof window.pwned") == "undefined"
    d.switch_to.default_content()
    assert d.execute_script("return typeof window.pwned") == "undefined"
    d.save_screenshot(str(ARTIFACTS / "04_xss_as_text.png"))

    errors = [e for e in d.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors


def test_the_page_contacts_no_host_but_its_own_and_says_the_real_upload_limit(server, browser):
    from selenium.webdriver.common.by import By

    d = browser
    _open_page(d, server)
    time.sleep(3)  # let anything that would phone home try
    script = "return performance.getEntriesByType('resource').map(function (r) { return r.name; })"
    urls = list(d.execute_script(script))
    for frame in d.find_elements(By.TAG_NAME, "iframe"):
        d.switch_to.frame(frame)
        urls += d.execute_script(script)
        d.switch_to.default_content()
    outside = [u for u in urls if not u.startswith((server, "data:", "blob:", "about:"))]
    assert not outside, outside
    errors = [e["message"] for e in d.get_log("browser") if "ERR_NAME_NOT_RESOLVED" in e["message"] or "streamlit.io" in e["message"]]
    assert not errors, errors
    limit = _wait(d, lambda: next((e.get_attribute("textContent") for e in
                                   d.find_elements(By.CSS_SELECTOR, "[data-testid='stFileUploaderDropzoneInstructions']")
                                   if "per file" in (e.get_attribute("textContent") or "")), ""), what="the upload box")
    assert "1MB per file" in limit.replace("\u00a0", " ").replace(" MB", "MB"), limit  # not Streamlit's 200MB
