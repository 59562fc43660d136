"""Launching Debian's chromium for the browser tests (Python Playwright, async API, so the server under
test runs in the same event loop), and small page helpers."""
from __future__ import annotations

import contextlib
import os
from typing import AsyncIterator

import pytest

CHROMIUM = os.environ.get("CALLCENTER_TEST_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
VIEWPORT = {"width": 1280, "height": 800}


def need_chromium() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium; "
                    "scripts/test.sh installs it)")
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        pytest.skip("browser tests need Python Playwright (pip install -e .[test])")


@contextlib.asynccontextmanager
async def chromium() -> AsyncIterator["object"]:
    """A headless chromium (Playwright Browser); closed on exit."""
    need_chromium()
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            await browser.close()


async def new_page(browser, base_url: str):
    """A fresh context (own localStorage) at 1280x800, English, with the script errors collected in
    ``page.errors`` (a test asserts none happened)."""
    ctx = await browser.new_context(viewport=VIEWPORT, base_url=base_url, locale="en-US")
    page = await ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    # refused requests (a wrong password's 401) are the API's answers, shown by the page: not errors
    page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
            and page.errors.append(m.text))
    return page


async def log_in(page, user: str, password: str) -> None:
    await page.goto("/")
    await page.fill("input[name=username]", user)
    await page.fill("input[name=password]", password)
    await page.click("button[type=submit]")


async def screenshot(page, name: str) -> None:
    """With ``CALLCENTER_WEB_SCREENSHOTS=DIR`` set, keep the page as DIR/<name>.png (how
    docs/screenshots/ is made: ``CALLCENTER_WEB_SCREENSHOTS=docs/screenshots pytest tests/web``)."""
    where = os.environ.get("CALLCENTER_WEB_SCREENSHOTS")
    if where:
        os.makedirs(where, exist_ok=True)
        await page.screenshot(path=os.path.join(where, f"{name}.png"))
