"""Open a map in Debian's headless Chromium and report what a reader's browser saw.

Used by the browser tests and the map benchmark. Selenium drives /usr/bin/chromedriver (no
driver download); Chrome's performance log carries the DevTools Network events, from which
every request the page made is read, and its browser log carries console errors.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
MISSING = (
    "Debian's chromium and chromium-driver are needed to check maps in a real browser: "
    "run `make browser` (or apt-get install chromium chromium-driver fonts-noto-cjk), "
    "or set GXNET_SKIP_BROWSER=1 to skip these checks"
)


def chromium_missing() -> str | None:
    """Why the browser checks cannot run here, or None when they can."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if shutil.which(p) is None]
    return f"{', '.join(missing)} not found. {MISSING}" if missing else None


@dataclass
class PageVisit:
    """What loading one page produced."""

    ready_ms: float
    console_errors: list[str]
    requests: list[str]
    layer_names: list[str]
    legend_text: str
    screenshot: Path | None = None


@contextlib.contextmanager
def chromium(width: int = 1400, height: int = 900, *, offline: bool = False) -> Iterator[object]:
    """A headless Chromium under Selenium, with a throw-away profile and no background traffic.

    ``offline`` fails every http(s) request at once, as a machine without a network does: a
    map's time to interactive is then its own, not the wait for basemap tiles that cannot come
    (on this machine a tile request waits seconds for its name to resolve, delaying the load
    event; with a network the tiles arrive after the map is already usable).
    """
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="gxnet-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-default-apps",
        "--disable-extensions",
        "--no-first-run",
        "--mute-audio",
        f"--window-size={width},{height}",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    if offline:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["http://*", "https://*"]})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def load(driver, url: str) -> float:
    """Load ``url`` and return its time to interactive in milliseconds.

    That is from navigation start to the second animation frame after the load event: every
    script of the page has run by the load event, and the second frame follows the paint of
    what they drew.
    """
    driver.get(url)  # returns after the load event
    return float(
        driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now())));"
        )
    )


def visit(driver, url: str, *, screenshot: Path | None = None) -> PageVisit:
    """Load ``url`` and collect its time to interactive, errors, requests and map controls."""
    driver.get("about:blank")
    driver.get_log("performance")  # drop what the start page and earlier pages logged
    driver.get_log("browser")
    ready = load(driver, url)
    console = [
        entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"
    ]
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    names = driver.execute_script(
        "return Array.from(document.querySelectorAll("
        "'.leaflet-control-layers-overlays label > span > span')).map(s => s.textContent.trim())"
    )
    legend = driver.execute_script(
        "var l = document.querySelector('.gx-legend'); return l ? l.innerText : ''"
    )
    if screenshot is not None:
        driver.save_screenshot(os.fspath(screenshot))
    return PageVisit(
        ready_ms=ready,
        console_errors=console,
        requests=requests,
        layer_names=names,
        legend_text=legend,
        screenshot=screenshot,
    )
