"""The agent desk in a real browser against the whole server and the Asterisk double: an agent logs in,
goes ready, receives a call, sees the screen pop (caller, IVR path and digits, what the IVR learned),
hangs up, does wrap-up (code and notes stored with the call); an agent cannot reach the wallboard nor
a supervisor action."""
from __future__ import annotations

from callcenter.store import repo
from tests.asterisk_double import Caller, Press
from tests.web.browser import log_in, new_page, screenshot

pytestmark = __import__("pytest").mark.browser


async def add_user(center, name: str, password: str, role: str = "agent", agent: str | None = None) -> None:
    async with center.app.db.session() as s:
        await repo.upsert_user(s, name, password=password, role=role, agent=agent)


async def test_agent_takes_a_call_on_the_desk(center, browser):
    await add_user(center, "ann", "ann-pw", agent="a00")
    async with center.app.db.session() as s:                      # a wrap-up long enough to do by hand
        await repo.upsert_queue(s, "billing", wrapup=120)
    await center.engine.reload_provisioning()
    center.double.phone("3000").talk_seconds = 60                  # a00 talks until the desk hangs up
    page = await new_page(browser, center.url)
    await log_in(page, "ann", "ann-pw")
    await page.wait_for_selector("[data-testid=desk]")
    assert "#/desk" in page.url                                     # an agent lands on its desk
    # the media plane's browser phone (callcenter/web/phone/desk.js) mounts in the desk's phone panel
    await page.wait_for_selector("[data-testid=phone-slot] .browser-phone button:has-text('Take calls in this browser')")
    assert await page.inner_text("[data-testid=agent-state]") == "Logged out"

    await page.click("text=Log in >> nth=-1")                       # the desk's "Log in" (phone: provisioned)
    await page.wait_for_selector("[data-testid=agent-state]:has-text('Paused')")
    await page.keyboard.press("Alt+R")                             # shortcut: ready
    await page.wait_for_selector("[data-testid=agent-state]:has-text('Ready')")
    assert center.engine.agents["a00"].state == "ready"

    s = center.call(Caller(script=[Press("1"), Press("424242#")], caller_id="5550199", caller_name="Grace"))
    await page.wait_for_selector("[data-testid=screen-pop].phase-talking", timeout=20000)
    assert await page.inner_text("[data-testid=pop-caller]") == "5550199"
    assert await page.inner_text("[data-testid=pop-queue]") == "billing"
    path = await page.inner_text("[data-testid=ivr-path]")
    assert "menu" in path and "account" in path
    assert "424242" in await page.inner_text("[data-testid=ivr-digits]")
    variables = await page.inner_text("[data-testid=ivr-vars]")
    assert "account" in variables and "424242" in variables and "billing" in variables
    await page.wait_for_selector("[data-testid=agent-state]:has-text('On call')")
    await page.wait_for_selector("[data-testid=history]")           # no earlier call from this number
    await page.wait_for_selector("[data-testid=rec-state]:has-text('Recording')")   # recordings.policy: always
    await page.click("[data-testid=btn-recording]")                # pause the recording ...
    await page.wait_for_selector("[data-testid=rec-state]:has-text('Recording paused')")
    await page.click("[data-testid=btn-recording]")                # ... and resume it
    await page.wait_for_selector("[data-testid=rec-state]:text-is('Recording')")
    assert await page.is_enabled("[data-testid=btn-transfer]")           # the server offers transfers
    await page.keyboard.press("Alt+T")                                   # the dialog lists the queues
    await page.wait_for_selector("[data-testid=transfer-queue-support]")
    await page.click("text=Cancel")
    await page.click("[data-testid=btn-hold]")                           # hold: the button turns to Resume
    await page.wait_for_selector("[data-testid=btn-hold]:has-text('Resume') [data-testid=hold-timer]")
    await page.wait_for_selector("[data-testid=on-hold]")
    call = center.engine.calls[center.engine.agents["a00"].call_id]
    assert call.on_hold_since is not None and call.holds == 1
    await center.double.wait_for(lambda: not center.double.bridged_pairs(), 5)     # the agent leg is parked
    await page.wait_for_selector("[data-testid=hold-timer]:has-text('0:02')", timeout=10000)   # it counts
    await page.keyboard.press("Alt+K")                                   # the shortcut resumes
    await page.wait_for_selector("[data-testid=btn-hold]:text-matches('^Hold')")
    await page.wait_for_selector("[data-testid=on-hold]", state="detached")
    await center.double.wait_for(lambda: center.double.bridged_pairs() == [{call.channel, call.agent_channel}], 5)
    await screenshot(page, "desk-call")

    await page.click("[data-testid=btn-hangup]")
    await center.wait_calls([s], 10)
    await page.wait_for_selector("[data-testid=agent-state]:has-text('Wrap-up')")
    countdown = await page.inner_text("[data-testid=wrapup-countdown]")
    assert "wrap-up ends in 1:" in countdown or "wrap-up ends in 2:" in countdown, countdown
    await page.select_option("[data-testid=wrapup-code]", "follow-up")
    await page.fill("[data-testid=wrapup-notes]", "call back about invoice 7")
    await page.click("[data-testid=wrapup-save]")
    await page.wait_for_selector("[data-testid=wrapup-saved]")
    await screenshot(page, "desk-wrapup")
    await page.click("[data-testid=wrapup-save-end]")              # save and end wrap-up
    await page.wait_for_selector("[data-testid=agent-state]:has-text('Ready')")
    assert center.engine.agents["a00"].state == "ready"
    await page.wait_for_selector("[data-testid=screen-pop]", state="detached")
    await center.settle()
    [cdr] = await center.cdrs()
    assert cdr["agent"] == "a00" and cdr["data"]["ended_by"] == "agent"
    assert cdr["data"]["holds"] == 1 and cdr["data"]["held_s"] >= 2
    assert cdr["data"]["wrapup"] == {**cdr["data"]["wrapup"], "code": "follow-up", "notes": "call back about invoice 7",
                                     "by": "ann"}
    await page.wait_for_selector("[data-testid=today] .stat-value:text-is('1')")   # answered today: 1

    # an agent cannot reach the wallboard, and the server refuses its token on supervisor routes
    await page.goto(center.url + "/#/wallboard")
    await page.wait_for_selector("[data-testid=forbidden]")
    assert "Wallboard" not in await page.inner_text(".topbar nav")
    token = await page.evaluate("JSON.parse(localStorage.getItem('callcenter.session')).token")
    for method, path in (("GET", "/api/queues"), ("POST", f"/api/calls/{cdr['call_id']}/hangup"),
                         ("POST", "/api/agents/a01/pause"), ("POST", "/api/agents/a00/spy"), ("GET", "/api/reports")):
        st, _ = await center.api(method, path, token=token, json={} if method == "POST" else None)
        assert st == 403, (method, path, st)
    assert page.errors == []
