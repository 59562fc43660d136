"""The flows page in a real browser: a supervisor edits a flow; an edit with an error is shown at its line
while typing and refused on save (the serving version stays), a good edit becomes the new version (hot
reload: the engine serves it), the diff shows the change, and the flow is tried from the page."""
from __future__ import annotations

import pytest

from tests.web.browser import new_page
from tests.web.staff import logged_in, workplace

pytestmark = pytest.mark.browser


@pytest.fixture
async def center(tmp_path, double, speech_service):  # noqa: F811 - double/speech_service from conftest
    async with workplace(tmp_path, double, speech_service) as c:
        yield c


async def _serving(center) -> dict:
    st, body = await center.api("GET", "/api/flows/e2e")
    assert st == 200, body
    return body


async def test_edit_with_error_refused_then_good_edit_is_a_new_version(center, browser):
    page = await new_page(browser, center.url)
    await logged_in(page, "boss", "boss-pw")
    await page.goto("/#/flows?flow=e2e&tab=graph")
    await page.wait_for_selector("[data-testid=flow-graph] g[data-node=menu]")
    assert "version 1 serving" in await page.inner_text("[data-testid=flow-version]")
    original = (await _serving(center))["text"]

    await page.click("[data-testid=tab-edit]")
    await page.wait_for_selector(".cm-content")
    await page.locator(".cm-line", has_text="start: welcome").first.click()
    await page.keyboard.press("End")
    await page.keyboard.type("x")
    problem = page.locator("[data-testid=problems] li", has_text="welcomex")
    await problem.wait_for()
    assert (await problem.inner_text()).startswith("5:")                  # at its line, while typing
    await page.click("[data-testid=save-flow]")
    refused = page.locator("[data-testid=save-refused]")
    await refused.wait_for()
    text = await refused.inner_text()
    assert "line 5" in text and "version 1 keeps serving" in text, text
    body = await _serving(center)
    assert body["current"]["version"] == 1 and body["text"] == original
    assert center.engine.flows.for_did("8000").version == 1

    await page.locator(".cm-line", has_text="start: welcomex").first.click()
    await page.keyboard.press("End")
    await page.keyboard.press("Backspace")
    await page.locator(".cm-line", has_text="description:").first.click()
    await page.keyboard.press("End")
    await page.keyboard.type(" v2")
    await page.wait_for_selector("[data-testid=validation]:has-text('Valid')")
    await page.click("[data-testid=save-flow]")
    await page.wait_for_selector("[data-testid=flow-version]:has-text('version 2 serving')")
    body = await _serving(center)
    assert body["current"]["version"] == 2 and "(speech + DTMF) v2" in body["text"]
    assert center.engine.flows.for_did("8000").flow.description.endswith("v2")     # new calls get it

    await page.click("[data-testid=tab-versions]")
    diff = page.locator("[data-testid=diff]")
    await diff.wait_for()
    assert "+description: End-to-end test line (speech + DTMF) v2" in await diff.inner_text()
    assert page.errors == []


async def test_try_the_flow_from_the_page(center, browser):
    page = await new_page(browser, center.url)
    await logged_in(page, "boss", "boss-pw")
    await page.goto("/#/flows?flow=e2e&tab=try")
    await page.click("[data-testid=try-start]")
    transcript = page.locator("[data-testid=transcript]")
    await transcript.locator("text=Welcome to the test line.").wait_for()
    await page.click("button[data-key='1']")
    await transcript.locator("text=Enter your account number followed by pound.").wait_for()
    await page.fill("[data-testid=try-input]", "1234#")
    await page.keyboard.press("Enter")
    outcome = page.locator("[data-testid=try-outcome]")
    await outcome.wait_for()
    assert "billing" in await outcome.inner_text()
    # the path is lit on the graph
    assert await page.locator("[data-testid=flow-graph] g.visited[data-node=account]").count() == 1
    # the web caller page is served (webrtc.enabled): the page offers a real call
    assert await page.get_attribute("[data-testid=real-call]", "href") == "call"
    assert page.errors == []


async def test_editor_completes_from_the_flow_schema(center, browser):
    page = await new_page(browser, center.url)
    await logged_in(page, "boss", "boss-pw")
    await page.goto("/#/flows?flow=e2e&tab=edit")
    await page.wait_for_selector(".cm-content")
    popup = page.locator(".cm-tooltip-autocomplete")

    async def complete(text: str) -> str:
        await page.keyboard.insert_text(text)
        await page.keyboard.press("Control+Space")
        await popup.wait_for()
        shown = await popup.inner_text()
        await page.keyboard.press("Escape")
        return shown

    await page.locator(".cm-line", has_text="var: department").first.click()   # inside the menu node
    await page.keyboard.press("End")
    assert "threshold" in await complete("\n    thr")                    # a field of a menu node
    await page.keyboard.press("Control+End")
    types = await complete("\n  extra:\n    type: ")
    assert "hangup" in types and "menu" in types                          # the node types
    assert "general_q" in await complete("goto\n    next: ")            # the flow's node names
    assert page.errors == []
