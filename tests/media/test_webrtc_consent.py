"""ICE consent freshness (RFC 7675) on a loaded peer: a browser whose answers to consent checks come later than
aioice's 0.5 s keeps its call; a peer that stops answering altogether still loses it.

The bug these guard: aioice closed the ICE connection (so DTLS, so the peer connection) after six consent
checks in a row answered later than 0.5 s, so in ``bench/webrtc_bench.py --asterisk`` on a loaded machine
every browser agent's phone died ~30 s into the run. Here the consent period is shortened (0.2 s checks,
aioice's too) and every STUN Binding answer is held back 0.8 s once the call is up: aioice's own checks
would close the connection after ~4 s; RFC 7675 (a late answer still renews consent) keeps it.
"""
from __future__ import annotations

import asyncio
import logging
import time

import aioice.ice
import pytest
from aioice import stun

from callcenter.media import webrtc_consent
from callcenter.media.webrtc_consent import ConsentFreshness

from .webrtc_helpers import connect, gateway, tone


def test_consent_expires_only_when_no_answer_came_for_the_whole_window():
    c = ConsentFreshness(100.0, interval=5.0, expiry=30.0)
    assert not c.expired(129.9) and c.expired(130.0)          # granted by ICE at 100, nothing since
    c.answered(128.0)                                          # a late answer to any earlier check renews
    assert not c.expired(150.0) and c.expired(158.0)
    c.answered(120.0)                                          # answers arriving out of order never go back
    assert c.last == 128.0 and c.answers == 2
    assert 4.0 <= c.next_check(0.0) < c.next_check(0.999) <= 6.0
    assert c.stale(100.0, 130.1) and not c.stale(100.0, 129.0)
    with pytest.raises(ValueError, match="consent freshness"):
        ConsentFreshness(0.0, interval=5.0, expiry=5.0)


def test_an_unanswered_check_is_followed_by_quicker_ones_until_an_answer_comes():
    c = ConsentFreshness(0.0, interval=5.0, expiry=30.0, retry=1.0)
    assert 4.0 <= c.next_check(0.5) <= 6.0                     # nothing sent yet
    c.sent(5.0)
    c.answered(5.1)
    assert 4.0 <= c.next_check(0.5) <= 6.0                     # answered: the normal period
    c.sent(10.0)                                               # this one is lost (a full socket buffer)
    assert 0.8 <= c.next_check(0.5) <= 1.2
    c.sent(11.0)
    c.answered(11.2)                                           # an answer to either check
    assert 4.0 <= c.next_check(0.5) <= 6.0


def test_the_gateway_replaces_aioices_consent_checks():
    assert getattr(aioice.ice.Connection.query_consent, "_callcenter", False)
    assert webrtc_consent.install()                            # idempotent


@pytest.fixture
def slow_answers(monkeypatch):
    """Short consent periods (ours and aioice's) and a switch holding back (or dropping) STUN Binding answers."""
    monkeypatch.setattr(webrtc_consent, "CONSENT_INTERVAL", 0.2)
    monkeypatch.setattr(webrtc_consent, "CONSENT_EXPIRY", 3.0)
    monkeypatch.setattr(aioice.ice, "CONSENT_INTERVAL", 0.2)   # what aioice's own checks would use
    state = {"delay": None, "drop": False, "held": 0}
    send = aioice.ice.StunProtocol.send_stun

    def send_stun(self, message, addr):
        answer = message.message_method == stun.Method.BINDING and message.message_class == stun.Class.RESPONSE
        if answer and state["drop"]:
            return
        if answer and state["delay"]:
            state["held"] += 1

            def later() -> None:
                if not self.transport.is_closing():
                    send(self, message, addr)
            asyncio.get_running_loop().call_later(state["delay"], later)
            return
        send(self, message, addr)

    monkeypatch.setattr(aioice.ice.StunProtocol, "send_stun", send_stun)
    return state


async def wait_until(cond, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        await asyncio.sleep(0.05)
    return cond()


async def test_answers_later_than_half_a_second_keep_the_call(slow_answers):
    gw = gateway(media_timeout=60)
    client, leg = await connect(gw)
    try:
        client.say(tone(440, 60.0))
        assert await wait_until(lambda: leg.frames_in > 10, 30), "no audio before the test began"
        slow_answers["delay"] = 0.8                 # every consent answer 0.8 s late from now on, both ways
        # aioice's checks: ~0.7 s each, closed after 6 in a row (~12 answers held back in all); ours go on
        done = await wait_until(lambda: slow_answers["held"] >= 40 or leg.ended is not None
                                or client.ended.is_set(), 90)
        assert leg.ended is None, f"the call ended with slow consent answers: {leg.ended}"
        assert not client.ended.is_set(), "the browser's side ended with slow consent answers"
        assert done, f"only {slow_answers['held']} consent answers were held back in 90 s"
        assert leg.pc.connectionState == "connected" and client.pc.connectionState == "connected"
        frames = leg.frames_in
        assert await wait_until(lambda: leg.frames_in >= frames + 25, 30), "audio stopped flowing"
    finally:
        await client.close()
        await leg.close()
        await gw.stop()


async def test_a_peer_that_stops_answering_loses_consent(slow_answers, caplog):
    caplog.set_level(logging.WARNING, logger="callcenter.media.webrtc")
    gw = gateway(media_timeout=120)                 # the media watchdog must not be what ends it
    client, leg = await connect(gw)
    try:
        client.say(tone(440, 60.0))
        slow_answers["drop"] = True
        assert await wait_until(lambda: leg.ended is not None, 60), "consent never expired"
        assert leg.ended.by == "far"
        assert any("ICE consent expired" in r.getMessage() for r in caplog.records)
        assert gw.sessions == {}
    finally:
        await client.close()
        await leg.close()
        await gw.stop()
