"""Logging in with the server's users in a real browser: the session survives a reload, logout
revokes the token, a wrong password is refused, the language switches to Chinese."""
from __future__ import annotations

from tests.web.browser import log_in, new_page, screenshot

pytestmark = __import__("pytest").mark.browser


async def test_login_reload_logout(center, browser):
    page = await new_page(browser, center.url)
    await log_in(page, "boss", "wrong")
    await page.wait_for_selector("[role=alert]")
    await screenshot(page, "login")
    assert "wrong password" in (await page.inner_text("[role=alert]")).lower()

    await log_in(page, "boss", "boss-pw")
    await page.wait_for_selector(".topbar")
    token = await page.evaluate("JSON.parse(localStorage.getItem('callcenter.session')).token")
    assert (await center.api("GET", "/api/me", token=token))[0] == 200

    await page.reload()
    await page.wait_for_selector(".topbar")                  # still logged in
    assert "boss" in await page.inner_text(".topbar .who")

    await page.select_option(".topbar select.lang", "zh")
    await page.wait_for_selector("text=退出")
    await page.select_option(".topbar select.lang", "en")

    await page.click("[data-testid=logout]")
    await page.wait_for_selector("form.login")
    assert (await center.api("GET", "/api/me", token=token))[0] == 401     # revoked on the server
    assert page.errors == []
