"""The reports and admin pages in a real browser, and who may open them: the report table shows the
API's figures and the CSV download is the API's CSV; an admin creates an agent, is refused at the
field (extension taken, proficiency out of range), then succeeds and the engine has the agent; an agent
(and, for admin, a supervisor) neither sees these pages in the menu nor gets them, and the server
refuses their calls (403)."""
from __future__ import annotations

import time

import pytest

from callcenter.store import repo
from tests.web.browser import new_page
from tests.web.history import day_of_events
from tests.web.staff import logged_in, token_of, workplace

pytestmark = pytest.mark.browser

QUERY = "from=-6h&to=now&bucket=hour"


@pytest.fixture
async def center(tmp_path, double, speech_service):  # noqa: F811 - double/speech_service from conftest
    async with workplace(tmp_path, double, speech_service) as c:
        async with c.app.db.session() as s:
            await repo.add_events(s, day_of_events(time.time() - 5 * 3600, hours=4,
                                                   queues=("support", "billing", "sales")))
        yield c


async def test_report_page_shows_the_api_figures_and_downloads_csv(center, browser, tmp_path):
    page = await new_page(browser, center.url)
    await logged_in(page, "boss", "boss-pw")
    await page.goto(f"/#/reports?{QUERY}&by=queue")
    await page.wait_for_selector("[data-testid=report-table] tbody tr")
    st, api = await center.api("GET", f"/api/reports?{QUERY}&by=queue")
    assert st == 200 and api["lines"], api
    rows = page.locator("[data-testid=report-table] tbody tr")
    assert await rows.count() == len(api["lines"])
    for i, line in enumerate(api["lines"]):
        row = rows.nth(i)
        for col in ("queue", "offered", "answered", "abandoned"):
            assert await row.locator(f"td[data-col={col}]").inner_text() == str(line[col]), (i, col)
        sl = line["service_level"]
        assert await row.locator("td[data-col=service_level]").inner_text() == ("–" if sl is None else f"{round(sl)}%")
    assert await page.locator(".reports .chart canvas").count() >= 2          # the charts are drawn

    async with page.expect_download() as info:
        await page.click("[data-testid=csv]")
    download = await info.value
    path = tmp_path / "report.csv"
    await download.save_as(path)
    st, csv = await center.api("GET", f"/api/reports?{QUERY}&by=queue&format=csv")
    assert path.read_text(encoding="utf-8") == csv and csv.startswith("bucket,queue,offered")

    await page.select_option("[data-testid=by]", "agent")
    await page.wait_for_selector("[data-testid=report-table] td[data-col=agent]")
    st, api = await center.api("GET", f"/api/reports?{QUERY}&by=agent")
    assert await rows.count() == len(api["lines"])
    assert page.errors == []


async def test_admin_creates_an_agent_after_a_refusal_at_the_field(center, browser):
    page = await new_page(browser, center.url)
    await logged_in(page, "root", "root-pw")
    await page.goto("/#/admin?tab=agents")
    await page.click("[data-testid=new-agent]")
    form = page.locator("[data-testid=agent-form]")
    await form.locator("input[name=name]").fill("a09")
    await form.locator("input[name=extension]").fill("3001")                 # a01's extension
    await form.locator("[data-testid=skills] input:not([type=number])").fill("billing")
    await form.locator("[data-testid=skills] input[type=number]").fill("7")
    await page.click("[data-testid=save]")
    err = page.locator("[data-testid=error-extension]")
    await err.wait_for()
    assert "already belongs to agent 'a01'" in await err.inner_text()
    await form.locator("input[name=extension]").fill("3009")
    await page.click("[data-testid=save]")
    err = page.locator("[data-testid=error-skills]")
    await err.wait_for()
    assert "1-5" in await err.inner_text()
    st, prov = await center.api("GET", "/api/admin/provisioning", token="tok-admin")
    assert "a09" not in [a["name"] for a in prov["agents"]]                   # nothing half-written

    await form.locator("[data-testid=skills] input[type=number]").fill("4")
    await page.click("[data-testid=save]")
    await page.wait_for_selector("[data-testid=agents-table] tr[data-agent=a09]")
    st, prov = await center.api("GET", "/api/admin/provisioning", token="tok-admin")
    a09 = next(a for a in prov["agents"] if a["name"] == "a09")
    assert a09["extension"] == "3009" and a09["skills"] == {"billing": 4} and a09["interface"] == "PJSIP/3009"
    assert "a09" in center.engine.agents                                       # applied live
    assert page.errors == []


@pytest.mark.parametrize("user,password,pages", [("a00", "a00-pw", ("flows", "reports", "admin")),
                                                 ("boss", "boss-pw", ("admin",))])
async def test_pages_refused_to_weaker_roles(center, browser, user, password, pages):
    page = await new_page(browser, center.url)
    await logged_in(page, user, password)
    nav = await page.inner_text(".topbar nav")
    for p in pages:
        assert p.capitalize() not in nav, nav
        await page.goto(f"/#/{p}")
        await page.wait_for_selector("[data-testid=forbidden]")
    token = await token_of(page)
    calls = [("GET", "/api/admin/provisioning", None), ("PUT", "/api/admin/agents/x", {"extension": "1"}),
             ("POST", "/api/admin/users/root/tokens", {}), ("DELETE", "/api/admin/queues/support", None)]
    if "flows" in pages:
        calls += [("GET", "/api/flows/e2e", None), ("PUT", "/api/flows/e2e", {"text": "x"}),
                  ("POST", "/api/flows/validate", {"text": "x"}), ("POST", "/api/flows/e2e/try", {}),
                  ("GET", "/api/reports", None), ("GET", "/api/flow-schema", None)]
    for method, path, body in calls:
        st, answer = await center.api(method, path, token=token, json=body)
        assert st == 403, (method, path, st, answer)
    st, prov = await center.api("GET", "/api/admin/provisioning", token="tok-admin")
    assert "x" not in [a["name"] for a in prov["agents"]]
    assert page.errors == []
