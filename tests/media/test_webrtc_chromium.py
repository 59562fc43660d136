"""A real browser (Debian's headless chromium, fake microphone from a WAV) calls in from /call, presses a
key on the page, says "billing", reaches the billing queue, and alice answers on her browser phone (/phone)."""
from __future__ import annotations

import asyncio
import wave

import numpy as np
import pytest

from tests.web.browser import CHROMIUM, need_chromium

from .webrtc_helpers import Server

FAKE_MIC_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                 "--allow-loopback-in-peer-connection"]


def fake_microphone(path, text: str = "billing") -> None:
    """16 kHz WAV chromium loops as the microphone: 7 s of quiet, ``text`` (espeak-ng), 4 s of quiet."""
    from callcenter.commands.call import speech_pcm
    try:
        said = np.frombuffer(speech_pcm(text, rate=16000), "<i2")
    except RuntimeError as exc:
        pytest.skip(str(exc))
    quiet = lambda s: np.zeros(int(16000 * s), dtype="<i2")   # noqa: E731
    x = np.concatenate([quiet(7.0), said, quiet(4.0)])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(x.tobytes())


@pytest.fixture(scope="module")
def speech_service(tmp_path_factory):
    from callcenter.speech.service import build_speech_service

    from .webrtc_helpers import server_config
    svc = build_speech_service(server_config(tmp_path_factory.mktemp("speech"), **{"speech.enabled": True}))
    svc.start_sync()
    yield svc
    svc.close()


async def wait_text(page, selector: str, text: str, timeout: float = 30.0) -> None:
    await page.wait_for_function("([s, t]) => (document.querySelector(s)?.textContent || '').includes(t)",
                                 arg=[selector, text], timeout=timeout * 1000)


async def test_chromium_calls_in_presses_a_key_says_billing_and_alice_answers(tmp_path, speech_service):
    need_chromium()
    from playwright.async_api import async_playwright
    mic = tmp_path / "mic.wav"
    fake_microphone(mic)
    async with Server(tmp_path, speech_service, **{"speech.enabled": True, "ivr.default_flow": "web_browser",
                                                  "acd.rona_timeout": 20.0}) as s:
        events: list = []
        s.app.bus.subscribe(events.append)
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM,
                                              args=FAKE_MIC_ARGS + [f"--use-file-for-fake-audio-capture={mic}"])
            try:
                ctx = await browser.new_context(base_url=s.url)
                phone = await ctx.new_page()
                errors: list[str] = []
                phone.on("pageerror", lambda e: errors.append(str(e)))
                await phone.goto("/phone")
                await phone.fill("#user", "alice")
                await phone.fill("#password", "alice")
                await phone.click("button[type=submit]")
                await wait_text(phone, "#log", "ready for calls", 20)
                assert s.engine.agents["alice"].state == "ready"

                caller = await ctx.new_page()
                caller.on("pageerror", lambda e: errors.append(str(e)))
                await caller.goto("/call")
                await caller.click("#call")
                await wait_text(caller, "#log", "For English, press 1", 30)
                await caller.click("#keypad >> text=1")
                await wait_text(caller, "#log", "Please say billing or sales", 30)
                await wait_text(caller, "#log", "waiting in queue billing", 45)
                assert "heard: \u201cbilling\u201d" in await caller.text_content("#log")

                await wait_text(phone, "#state", "ringing", 20)
                await phone.click("#answer")
                await wait_text(phone, "#state", "talking", 10)
                await wait_text(caller, "#log", "talking", 10)
                call = next(c for c in s.engine.calls.values())
                assert call.queue == "billing" and call.agent_id == "alice"
                await asyncio.sleep(1.0)
                await caller.click("#hangup")
                await wait_text(phone, "#state", "idle", 10)
                await wait_text(phone, "#log", "call over", 10)
                assert not errors, errors
            finally:
                await browser.close()
        ended = [e for e in events if e.kind == "CallEnded"]
        assert ended and ended[-1].data["cdr"]["disposition"] == "answered"


HOLD_FLOW = """flow: hold
language: en-US
start: menu
nodes:
  menu:
    type: menu
    prompt: "Please hold."
    timeout: 600
    retries: 3
    options:
      - {digit: "1", key: one, next: q}
    on_fail: q
  q: {type: queue, queue: billing}
"""


async def _until(condition, timeout: float, what: str) -> None:
    """Wait for ``condition()`` (a loaded machine is slow, never wrong): polls, then fails saying what."""
    end = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > end:
            raise AssertionError(f"not within {timeout:g} s: {what}")
        await asyncio.sleep(0.05)


async def test_the_caller_page_says_busy_when_the_server_has_its_calls(tmp_path):
    """The refusal is forced by configuration, never by real event-loop lag: ``webrtc.max_calls_per_core`` 1 x
    ``webrtc.cores`` 1 allows one web call, and the one in progress waits in a menu that gives it 40 minutes,
    so it is still there whatever the machine's load when the page calls; every step waits for a state."""
    need_chromium()
    from playwright.async_api import async_playwright

    from callcenter.media.webrtc_client import PeerClient
    from tests.web.browser import screenshot
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "hold.yaml").write_text(HOLD_FLOW)
    async with Server(tmp_path, **{"webrtc.max_calls_per_core": 1, "webrtc.cores": 1, "ivr.flows_dir": str(flows),
                                   "ivr.default_flow": "hold", "webrtc.media_timeout": 600.0}) as s:
        events: list = []
        s.app.bus.subscribe(events.append)
        first = PeerClient(8000, keep_audio=False)
        s.clients.append(first)
        async with s.http.post(s.url + "/webrtc/call", json=await first.offer()) as r:
            assert r.status == 200, await r.text()
            await first.accept(await r.json())
        await asyncio.wait_for(first.opened.wait(), 120)
        await _until(lambda: len(s.webrtc.calls.tasks) == 1 and any(m.get("type") == "call" for m in first.messages),
                     120, "the first web call in its IVR")
        async with async_playwright() as p:
            browser = await p.chromium.launch(executable_path=CHROMIUM, args=FAKE_MIC_ARGS, timeout=180_000)
            try:
                page = await (await browser.new_context(base_url=s.url, viewport={"width": 900, "height": 560})).new_page()
                page.set_default_timeout(180_000)
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                await page.goto("/call")
                await page.wait_for_function("() => !!window.webCaller")        # the page's script has run
                await page.click("#call")
                await wait_text(page, "#state", "busy", 180)
                await wait_text(page, "#log", "busy, please try later (in 30 s)", 60)
                assert await page.is_enabled("#call") and not await page.is_enabled("#hangup")
                # and it stays busy: the refused session's closing is not reported as a call that ended
                # (it was: "channel closed" arrived after the 503 and the page said "ended")
                await page.evaluate("() => new Promise((r) => setTimeout(r, 500))")
                assert await page.text_content("#state") == "busy"
                assert "call ended" not in await page.text_content("#log")
                await screenshot(page, "call-busy")
                assert not errors, errors
            finally:
                await browser.close()
        refused = [e for e in events if e.kind == "WebCallRefused"]
        assert [e.data["reason"] for e in refused] == ["calls"] and refused[0].data["calls_in_progress"] == 1
        assert s.webrtc.guard.refused == {"calls": 1, "lag": 0}
        # the call in progress goes on: still in its IVR, and its keys still reach it
        assert len(s.webrtc.calls.tasks) == 1 and not first.ended.is_set()
        first.press("1")
        await _until(lambda: any(m.get("type") == "status" and m.get("state") == "waiting" for m in first.messages)
                     or any(m.get("type") == "heard" for m in first.messages), 120, "the first call's key heard")
