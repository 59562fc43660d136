"""The supervisor wallboard in a real browser while calls flow through the whole server and the Asterisk
double: every queue tile shows the same figures as GET /api/queues within about a second, the agents'
grid follows the agents' states, a waiting call is moved from the page, full-screen mode hides the
navigation."""
from __future__ import annotations

import asyncio

from callcenter.events import DomainEvent
from tests.asterisk_double import Caller, Press
from tests.web.browser import log_in, new_page, screenshot

pytestmark = __import__("pytest").mark.browser

FIELDS = ("waiting", "answered", "offered")


async def tile(page, queue: str) -> dict[str, str]:
    loc = page.locator(f"[data-queue={queue}]")
    return {f: (await loc.locator(f"[data-field={f}]").inner_text()).strip() for f in FIELDS}


def api_tile(q: dict) -> dict[str, str]:
    return {"waiting": str(q["calls_waiting"]), "answered": str(q["answered"]), "offered": str(q["offered"])}


async def same_as_api(center, page, timeout: float = 5.0) -> None:
    """Every queue tile equals the API's view (the page follows within its 1 s period)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        st, body = await center.api("GET", "/api/queues")
        want = {q["name"]: api_tile(q) for q in body["queues"]}
        got = {name: await tile(page, name) for name in want}
        if got == want:
            return
        if asyncio.get_running_loop().time() > deadline:
            assert got == want
        await asyncio.sleep(0.3)


async def test_wallboard_follows_the_calls(center, browser):
    page = await new_page(browser, center.url)
    await log_in(page, "boss", "boss-pw")
    await page.wait_for_selector("[data-testid=wallboard] [data-queue=sales]")
    assert "#/wallboard" in page.url                              # a supervisor lands on the wallboard
    await same_as_api(center, page)

    sessions = [center.call(Caller(script=[Press("3")], caller_id=f"55501{i:02d}")) for i in range(3)]
    await center.double.wait_for(lambda: sum(c.state == "waiting" for c in center.engine.calls.values()) == 3, 10)
    await same_as_api(center, page)
    await page.wait_for_selector("[data-testid=waiting-calls] tbody tr >> nth=2")
    await page.wait_for_selector(".charts .chart canvas >> nth=2", state="attached")   # the day's charts
    # web.alert_waiting is 1 here: 3 callers in sales breach it, the bar says so and the tile turns red
    await page.wait_for_selector("[data-testid=alerts] >> text=sales: 3 calls waiting")
    await page.wait_for_selector("[data-queue=sales].alert")
    assert await page.locator("[data-queue=billing].alert").count() == 0

    # move the longest waiting call to support from the page
    first = page.locator("[data-testid=waiting-calls] tbody tr").first
    call_id = await first.get_attribute("data-call")
    await first.locator("[data-testid=btn-move]").click()
    await first.locator("[data-testid=move-select]").select_option("support")
    await center.double.wait_for(lambda: center.engine.calls[call_id].queue == "support", 5)
    await same_as_api(center, page)
    await screenshot(page, "wallboard")
    await page.select_option(".topbar select.lang", "zh")            # the same board in Chinese
    await page.wait_for_selector("[data-testid=waiting-calls] >> text=排队来电")
    await screenshot(page, "wallboard-zh")
    await page.select_option(".topbar select.lang", "en")

    await center.login_agents(["a02"])                           # the sales agent (also in support)
    await page.wait_for_selector("[data-testid=agent-a02][data-state=ready], [data-testid=agent-a02][data-state=offered], "
                                 "[data-testid=agent-a02][data-state=on_call]")
    await center.wait_calls(sessions, 40)
    await center.settle()
    await same_as_api(center, page)
    st, agents = await center.api("GET", "/api/agents")
    for a in agents["agents"]:
        await page.wait_for_selector(f"[data-testid=agent-{a['agent_id']}][data-state={center.engine.agents[a['agent_id']].state}]",
                                     timeout=5000)

    # a risk-word alert from the conversation analytics shows on the board until dismissed
    center.app.bus.publish(DomainEvent("RiskWordsDetected", center.engine.now(), "c-risk", None, "sales",
                                       {"agent": "a02", "count": 1, "hits": [],
                                        "summary": "'lawyer' (legal) said by the caller at 00:04"}))
    risk = page.locator("[data-testid=risk-alert]")
    await risk.wait_for()
    assert "sales" in await risk.inner_text() and "lawyer" in await risk.inner_text()
    await risk.locator("button").click()
    await risk.wait_for(state="detached")

    await page.click("[data-testid=fullscreen]")
    await page.wait_for_selector(".shell.full")
    assert await page.locator(".topbar").count() == 0
    await screenshot(page, "wallboard-full")
    assert page.errors == []
