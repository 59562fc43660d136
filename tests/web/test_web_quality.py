"""The quality page in a real browser, on calls put through the real analytics pipeline (the store's
recording rows with a pause, the stereo WAV, AnalyticsService with the test risk words and scorecard;
only the recognizer is the tone stand-in of tests/analytics/tones.py): a supervisor follows the
wallboard's risk-word alert to the call, searches a phrase and opens the call, sees the transcript per
side with the risk word marked and the recording's gap, plays from a line (the download is logged),
overrides a rule (refused at the comment field first; then stored beside the automatic result, checked
through the API) and downloads the analytics report's CSV (the API's bytes); an agent finds only its own
calls and the server refuses it another agent's call, audio and overrides."""
from __future__ import annotations

import time

import pytest

from callcenter.analytics.service import AnalyticsService
from callcenter.config import AnalyticsSection
from callcenter.store import jobs as store_jobs
from callcenter.store import recordings as store_rec
from callcenter.store import repo
from tests.analytics.tones import ToneWords, tone_call
from tests.web.browser import new_page, screenshot
from tests.web.staff import logged_in, token_of, workplace

pytestmark = pytest.mark.browser

FIX = __import__("pathlib").Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
# agent greets, caller threatens a lawyer, (recording paused 3 s at 00:06), agent closes
BURSTS = [("agent", 0.5, 2.0, 300), ("caller", 2.5, 4.5, 500), ("agent", 9.0, 10.5, 700)]
CALLS = {"c-q1": "a00", "c-q2": "a01"}


def analytics(center, bus=None) -> AnalyticsService:
    return AnalyticsService(center.app.db, None, bus, AnalyticsSection(risk_words=str(FIX / "risk_words.yaml"),
                                                                       scorecards=str(FIX / "scorecards")),
                            recognizer=lambda language: ToneWords())


async def record_and_analyse(center, tmp_path) -> dict[str, int]:
    """Each call: its CDR, a finished stereo recording with one pause (the store's functions, as the
    recorder and the finalize job write them), then the analytics job's own code. Returns call -> recording id."""
    ids = {}
    t0 = time.time() - 600
    for call_id, agent in CALLS.items():
        wav = tone_call(tmp_path / f"{call_id}.wav", BURSTS, 12.0)
        async with center.app.db.session() as s:
            await repo.save_call(s, call_id, queue="support", agent=agent, language="en-US", arrived_at=t0,
                                 answered_at=t0 + 5, caller="+15550100")
            rec = await store_rec.start_call_recording(
                s, call_id, str(wav), source_path=str(wav) + ".raw", asterisk_path=str(wav) + ".raw", policy="always",
                started_at=t0 + 5, queue="support", agent=agent, caller="+15550100")
            await store_rec.add_pause(s, rec.id, t0 + 11.0, "boss")
            await store_rec.end_pause(s, rec.id, t0 + 14.0, "boss")
            await store_rec.update_recording(s, rec.id, status="ready", duration=12.0, channels=2, sample_rate=8000,
                                             size_bytes=wav.stat().st_size, ended_at=t0 + 20)
            ids[call_id] = rec.id
        await analytics(center).analyze_call(call_id, recording_id=ids[call_id])
        async with center.app.db.session() as s:
            # the post-call jobs' rows as the job queue leaves them (enqueued, claimed and finished in one
            # transaction, so the server's own queue never sees them queued)
            for kind in ("recording.finalize", "analytics"):
                job = await store_jobs.enqueue_job(s, kind, key=f"{kind}:{rec.id}", call_id=call_id,
                                                   recording_id=rec.id, now=t0 + 20)
                assert [j.id for j in await store_jobs.claim_jobs(s, "webqa", t0 + 21, 60.0, kinds=[kind])] == [job.id]
                assert await store_jobs.finish_job(s, job.id, "webqa", {"ok": True}, t0 + 22)
    return ids


@pytest.fixture
async def center(tmp_path, double, speech_service):  # noqa: F811 - double/speech_service from conftest
    async with workplace(tmp_path, double, speech_service) as c:
        c.recordings = await record_and_analyse(c, tmp_path)
        yield c


async def test_supervisor_searches_opens_the_call_overrides_and_downloads(center, browser, tmp_path):
    page = await new_page(browser, center.url)
    await logged_in(page, "boss", "boss-pw")

    # the wallboard's risk-word alert (the analysis, run again, raises it) leads to the call
    await page.goto("/#/wallboard")
    await page.wait_for_selector("[data-testid=alerts]")
    await page.wait_for_selector(".live-dot.live-open")                     # the WebSocket is there
    await analytics(center, center.app.bus).analyze_call("c-q1", recording_id=center.recordings["c-q1"])
    await page.click("[data-testid=risk-alert] [data-testid=risk-open]")
    await page.wait_for_selector("[data-testid=call-view][data-call=c-q1] [data-testid=line]")

    # search a phrase the transcripts hold: both agents' calls, as the API finds them, the words marked
    await page.goto("/#/quality")
    await page.fill("input[name=q]", '"call my lawyer"')
    await page.check("input[name=risk]")
    await page.click("[data-testid=search]")
    rows = page.locator("[data-testid=results] tbody tr")
    # the list of analysed calls shown before the search has rows too: wait for the search's own
    # results (their heading names the words), not for the first rows on the page
    await page.locator(".panel h3", has_text='"call my lawyer"').wait_for()
    await rows.first.wait_for()
    st, api = await center.api("GET", "/api/analytics/search?q=%22call+my+lawyer%22&risk=true&limit=100")
    assert st == 200 and sorted(c["call_id"] for c in api["calls"]) == ["c-q1", "c-q2"]
    assert [await rows.nth(i).get_attribute("data-call") for i in range(await rows.count())] == \
        [c["call_id"] for c in api["calls"]]
    marks = await rows.first.locator("mark").all_inner_texts()
    assert marks == ["call my lawyer"], marks                                  # the phrase, highlighted
    await screenshot(page, "quality-search")

    # the call: transcript per side, the risk word marked, the gap, mood, the scorecard
    await page.locator("[data-testid=results] tr[data-call=c-q1]").click()
    lines = page.locator("[data-testid=transcript] [data-testid=line]")
    await lines.first.wait_for()
    st, a = await center.api("GET", "/api/analytics/calls/c-q1")
    turns = a["result"]["turns"]
    assert await lines.count() == len(turns) == 3
    assert [await lines.nth(i).get_attribute("data-side") for i in range(3)] == [x["side"] for x in turns]
    assert "thank you for calling" in await lines.nth(0).inner_text()
    risky = lines.nth(1).locator("[data-testid=risk-word]")
    assert await risky.all_inner_texts() == ["lawyer"] and a["result"]["risk_hits"][0]["term"] == "lawyer"
    assert "lawyer" in await page.locator("[data-testid=hits]").inner_text()
    gap = page.locator("[data-testid=transcript] [data-testid=gap]")
    assert await gap.count() == 1 and "00:03" in await gap.inner_text() and "boss" in await gap.inner_text()
    assert await page.locator("[data-testid=mood] [data-side=caller]").count() == 1

    # a click on the caller's line fetches the audio (logged) and puts the player there
    await lines.nth(1).click()
    await page.wait_for_selector("[data-testid=line][data-side=caller][aria-current=true]")
    audio = "document.querySelector('[data-testid=audio]')"
    assert 2.4 <= await page.evaluate(f"{audio}.currentTime") < 9.0          # it plays from the caller's line
    await screenshot(page, "quality-call")
    # keys: Space pauses, <- goes 5 s back, J to the next line's start
    await page.keyboard.press(" ")
    await page.wait_for_function(f"{audio}.paused")
    at = await page.evaluate(f"{audio}.currentTime")
    await page.keyboard.press("ArrowLeft")
    await page.wait_for_function(f"Math.abs({audio}.currentTime - {max(0.0, at - 5):.3f}) < 0.05")
    nxt = min(x["start"] for x in turns if x["start"] > max(0.0, at - 5) + 0.1)
    await page.keyboard.press("j")
    await page.wait_for_function(f"Math.abs({audio}.currentTime - {nxt}) < 0.05")
    st, rec = await center.api("GET", f"/api/recordings/{center.recordings['c-q1']}")
    assert [(x["action"], x["actor"]) for x in rec["log"]] == [("download", "boss")]

    # override "identity" (failed automatically): refused without a comment, at the field; then stored
    card = page.locator("[data-testid=scorecard]")
    rule = card.locator("tr[data-rule=identity]")
    assert "fail" in await rule.locator("[data-testid=auto]").inner_text()
    await rule.locator("[data-testid=override]").click()
    form = page.locator("[data-testid=override-form]")
    await form.locator("input[value=true]").check()
    await form.locator("[data-testid=save-override]").click()
    err = form.locator("[data-testid=error-comment]")
    await err.wait_for()
    assert "needs a comment" in await err.inner_text()
    await form.locator("textarea[name=comment]").fill("asked for the account number at 00:01")
    await form.locator("[data-testid=save-override]").click()
    await rule.locator("[data-testid=override-note]").wait_for()
    assert "pass" in await rule.locator("[data-testid=final]").inner_text()
    st, a = await center.api("GET", "/api/analytics/calls/c-q1")
    ident = {r["id"]: r for r in a["result"]["qa"]["rules"]}["identity"]
    assert ident["auto"]["passed"] is False and ident["passed"] is True
    assert ident["override"]["by"] == "boss" and ident["override"]["comment"].startswith("asked for")
    assert str(round(a["score"], 1)).rstrip("0").rstrip(".") in await card.locator("[data-testid=score]").inner_text()

    # the filters alone (no words): the override lifted c-q1 above 85, so only c-q2 is left
    await page.goto("/#/quality?max_score=85")
    await page.wait_for_selector("[data-testid=results] tbody tr")
    assert await page.locator("[data-testid=results] tbody tr").evaluate_all("rs => rs.map(r => r.dataset.call)") == ["c-q2"]

    # the analytics report per agent, and its CSV: the API's own
    await page.goto("/#/quality?tab=report&by=agent")
    rows = page.locator("[data-testid=analytics-table] tbody tr")
    await rows.first.wait_for()
    st, rep = await center.api("GET", "/api/analytics/report?by=agent")
    assert [await rows.nth(i).get_attribute("data-name") for i in range(await rows.count())] == \
        [ln["agent"] for ln in rep["lines"]] == ["a00", "a01"]
    assert await rows.nth(0).locator("td[data-col=calls]").inner_text() == "1"
    await screenshot(page, "quality-report")
    async with page.expect_download() as info:
        await page.click("[data-testid=csv]")
    path = tmp_path / "analytics.csv"
    await (await info.value).save_as(path)
    st, csv = await center.api("GET", "/api/analytics/report?by=agent&format=csv")
    assert st == 200 and path.read_text(encoding="utf-8") == csv and csv.startswith("agent,calls,")
    assert "fail_identity" in csv.splitlines()[0]
    assert page.errors == []


async def test_agent_sees_only_its_own_calls(center, browser):
    page = await new_page(browser, center.url)
    await logged_in(page, "a00", "a00-pw")
    await page.goto("/#/quality?q=lawyer")
    rows = page.locator("[data-testid=results] tbody tr")
    await rows.first.wait_for()
    assert [await rows.nth(i).get_attribute("data-call") for i in range(await rows.count())] == ["c-q1"]
    await rows.first.click()
    await page.wait_for_selector("[data-testid=transcript] [data-testid=line]")
    assert await page.locator("[data-testid=override]").count() == 0        # no override offered to an agent

    # another agent's call: the page shows the server's refusal, and the server refuses every way in
    await page.goto("/#/quality?call=c-q2")
    err = page.locator("[data-testid=call-error]")
    await err.wait_for()
    assert "no analysis of yours" in await err.inner_text()
    assert await page.locator("[data-testid=line]").count() == 0
    token = await token_of(page)
    assert (await center.api("GET", "/api/analytics/calls/c-q2", token=token))[0] == 404
    assert (await center.api("GET", f"/api/recordings/{center.recordings['c-q2']}/audio", token=token))[0] == 404
    st, body = await center.api("POST", "/api/analytics/calls/c-q1/overrides/identity", token=token,
                                json={"passed": True, "comment": "me"})
    assert st == 403
    st, body = await center.api("GET", "/api/analytics/report?by=agent", token=token)
    assert [ln["agent"] for ln in body["lines"]] == ["a00"]
    st, rec = await center.api("GET", f"/api/recordings/{center.recordings['c-q2']}")
    assert st == 200 and rec["log"] == []                                    # nobody downloaded it

    # the recordings tab: its own recording only, as GET /api/recordings answers an agent
    await page.goto("/#/quality?tab=recordings")
    rec_rows = page.locator("[data-testid=recordings] tbody tr")
    await rec_rows.first.wait_for()
    assert await rec_rows.count() == 1 and "c-q1" in await rec_rows.first.inner_text()

    # the page in Chinese
    await page.select_option("select.lang", "zh")
    await page.goto("/#/quality")
    await page.wait_for_selector("[data-testid=tab-search]:has-text('搜索')")
    assert "质检" in await page.locator(".topbar nav").inner_text()
    await page.goto("/#/quality?call=c-q1")
    await page.wait_for_selector("[data-testid=transcript] [data-testid=line]")
    assert "转写" in await page.locator(".transcript-box h3").inner_text()
    await screenshot(page, "quality-call-zh")
    assert page.errors == []


async def test_admin_saves_the_wav_and_deletes_the_recording(center, browser, tmp_path):
    page = await new_page(browser, center.url)
    await logged_in(page, "root", "root-pw")
    await page.goto("/#/quality?call=c-q2")
    panel = page.locator("[data-testid=recording]")
    await panel.locator("[data-testid=rec-status]:has-text('ready')").wait_for()
    jobs = panel.locator("[data-testid=rec-jobs] li")
    await jobs.first.wait_for()
    assert await jobs.evaluate_all("js => js.map(j => j.dataset.kind + ':' + j.dataset.status)") == \
        ["recording.finalize:done", "analytics:done"]
    async with page.expect_download() as info:
        await panel.locator("[data-testid=save-wav]").click()
    path = tmp_path / "saved.wav"
    await (await info.value).save_as(path)
    assert path.read_bytes() == (tmp_path / "c-q2.wav").read_bytes()       # the recording as stored
    await panel.locator("[data-testid=rec-log]:has-text('download')").wait_for()   # the log says who

    async def reason(dialog):
        await dialog.accept("customer asked (GDPR erasure)")
    page.once("dialog", reason)
    await panel.locator("[data-testid=delete-recording]").click()
    await panel.locator("[data-testid=rec-status]:has-text('deleted')").wait_for()
    st, rec = await center.api("GET", f"/api/recordings/{center.recordings['c-q2']}")
    assert rec["status"] == "deleted" and not (tmp_path / "c-q2.wav").exists()
    assert [(x["action"], x["actor"]) for x in rec["log"]] == [("download", "root"), ("delete", "root")]
    assert rec["log"][1]["detail"]["reason"] == "customer asked (GDPR erasure)"
    assert (await center.api("GET", "/api/analytics/calls/c-q2"))[0] == 404      # its analysis went with it
    assert page.errors == []
