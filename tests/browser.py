"""Headless Chromium for the tests of static pages (the auditors' site, the reports).

`chromium()` starts Debian's `chromium` through `chromedriver` with a fresh profile, no
network chatter and a hook that records any dialog a page opens; `load_page` opens a
page and fails on a console error, a dialog, or any element that runs or loads
something. Without `/usr/bin/chromium` the tests that need it are skipped, saying why.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

DIALOG_HOOK = """
window.__xla_dialogs = [];
for (const name of ["alert", "confirm", "prompt", "print"]) {
  window[name] = (...args) => { window.__xla_dialogs.push(name + ":" + String(args[0])); };
}
"""


@contextmanager
def chromium(
    window_size: str = "1400,1600",
    log_types: tuple[str, ...] = ("browser",),
    page_load_timeout: int = 30,
) -> Iterator[Any]:
    """A headless Chromium WebDriver; skips the test when Chromium is not installed.

    `log_types` are the logs the driver keeps (`browser` for the console, `performance`
    for the network requests).
    """
    if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
        pytest.skip(
            "headless Chromium tests need /usr/bin/chromium and /usr/bin/chromedriver "
            "(apt-get install chromium chromium-driver)"
        )
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="xla-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        f"--user-data-dir={profile}",
        f"--window-size={window_size}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", dict.fromkeys(log_types, "ALL"))
    # A dialog left open would be dismissed silently; leave it open so it is seen.
    options.unhandled_prompt_behavior = "ignore"
    driver = webdriver.Chrome(
        options=options, service=Service(str(CHROMEDRIVER), log_output=subprocess.DEVNULL)
    )
    driver.set_page_load_timeout(page_load_timeout)
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": DIALOG_HOOK})
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def load_page(driver: Any, page: Path) -> str:
    """Open a page; fail on a console error, a dialog or any script; return its text."""
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(page.as_uri())
    with pytest.raises(NoAlertPresentException):
        driver.switch_to.alert.text  # noqa: B018
    assert driver.execute_script("return window.__xla_dialogs") == []
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == [], errors
    active = driver.execute_script(
        "return document.querySelectorAll('script, img, iframe, object, embed, link, "
        '[onerror], [onload], [onclick], a[href^="javascript"]\').length'
    )
    assert active == 0
    return driver.find_element(By.TAG_NAME, "body").text


def save_full_page_screenshot(driver: Any, path: Path, width: int = 1280) -> None:
    """A screenshot of the whole page, however long, `width` CSS pixels wide."""
    height = driver.execute_script("return Math.ceil(document.body.scrollHeight)")
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": int(height), "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        driver.save_screenshot(str(path))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
