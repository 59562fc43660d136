"""Speech over WebRTC reaches the IVR: an aiortc caller says "billing" (espeak-ng) during the menu and
the engine's streaming recognizer (pocketsphinx) puts the call in the billing queue."""
from __future__ import annotations

import pytest

from .webrtc_helpers import Server, server_config


@pytest.fixture(scope="module")
def speech_service(tmp_path_factory):
    pytest.importorskip("pocketsphinx")
    from callcenter.speech.service import build_speech_service
    svc = build_speech_service(server_config(tmp_path_factory.mktemp("speech"), **{"speech.enabled": True}))
    svc.start_sync()
    yield svc
    svc.close()


async def test_spoken_answer_reaches_the_ivr(tmp_path, speech_service):
    from callcenter.commands.call import speech_pcm
    try:
        said = speech_pcm("billing")
    except RuntimeError as exc:
        pytest.skip(str(exc))
    async with Server(tmp_path, speech_service, **{"speech.enabled": True}) as s:
        caller, answer = await s.call()
        assert await caller.wait_message("prompt", 20)
        caller.say(said)                                  # barge-in: said while the prompt plays
        heard = await caller.wait_message("heard", 20)
        assert heard["text"] == "billing", heard
        status = await caller.wait_message("status", 20)
        assert status is not None and status["queue"] == "billing", caller.messages
        call = s.engine.calls[answer["call_id"]]
        assert call.queue == "billing" and call.state == "waiting"
