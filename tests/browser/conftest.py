"""Headless Chromium for the browser tests, and axe-core to check every page they visit.

Run them alone with `pytest -m browser`. Chromium is Debian's (`make chromium`); Playwright never
downloads a browser. Without Chromium they are skipped on a laptop but fail in CI, so a broken
CI image cannot pass by running none of them.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# around it are ordinary blocking calls, which Django would otherwise refuse there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: the browser tests cannot run (install Chromium: make chromium)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"No Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any, live_server: Any, transactional_db: None) -> Iterator[Any]:
    """A fresh browser tab on the live server, phone-sized.

    bypass_csp lets Playwright inject axe-core as an inline script; test_sign_in_csp checks
    the same pages with the policy enforced.
    """
    # Rate limits and used TOTP codes sit in the cache, which a test's database reset misses.
    cache.clear()
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 375, "height": 740}, bypass_csp=True
    )
    tab = context.new_page()
    yield tab
    context.close()
    cache.clear()


def axe_check(page: Any) -> None:
    """Fail, listing each problem readably, if axe-core finds any violation on the page."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    violations = result["violations"]
    if not violations:
        return
    lines = [f"axe-core found {len(violations)} problem(s) on {page.url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(str(node.get("failureSummary", "")).split())
            lines.append(f"    {target}: {summary}")
            lines.append(f"      {node['html'][:200]}")
    pytest.fail("\n".join(lines), pytrace=False)


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    """Give the browser a signed-in session for `user` (sign-in itself: test_sign_in.py)."""
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def fits(page: Any, width: int) -> None:
    """Fail if the page scrolls sideways at `width` pixels."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url
