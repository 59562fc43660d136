"""Turns, audio figures (talk, overtalk, silence, prosody) and phrase finding: the pure cores."""
from __future__ import annotations

import pytest

from callcenter.analytics.acoustics import conversation_flow, prosody
from callcenter.analytics.conversation import Transcript, Word, build_turns, mmss
from callcenter.analytics.phrases import PhraseFinder

from .helpers import side_audio, words


def test_turns_follow_the_channels_and_pauses():
    ws = words("agent", 0.5, "thank you for calling") + words("caller", 2.5, "hello i have a problem") \
        + words("agent", 10.0, "let me check")
    turns = build_turns(ws)
    assert [(t.side, t.text) for t in turns] == [("agent", "thank you for calling"),
                                                  ("caller", "hello i have a problem"),
                                                  ("agent", "let me check")]
    # a long pause on the same side starts a new turn
    split = build_turns(words("caller", 0, "one two") + words("caller", 5, "three"))
    assert [t.text for t in split] == ["one two", "three"]


def test_transcript_round_trips_through_json():
    t = Transcript("en-US", 12.0, words("caller", 1, "hi there") + words("agent", 0.2, "hello"), "test")
    back = Transcript.from_dict(t.to_dict())
    assert back.text() == "hello hi there" and [x.side for x in back.turns] == ["agent", "caller"]


def test_mmss():
    assert mmss(133.4) == "02:13" and mmss(0) == "00:00"


def test_flow_measures_talk_overtalk_and_silence():
    caller = side_audio([(1, 4), (6, 9)], 20)
    agent = side_audio([(3.5, 5.5), (12, 19)], 20)
    flow = conversation_flow(caller, agent)
    m = flow.metrics()
    assert m["caller_talk_s"] == pytest.approx(6, abs=0.3)
    assert m["agent_talk_s"] == pytest.approx(9, abs=0.3)
    assert len(flow.overtalk) == 1 and flow.overtalk[0][0] == pytest.approx(3.5, abs=0.1)
    assert m["talk_listen_ratio"] == pytest.approx(1.5, abs=0.1)
    # silences: 0-1, 9-12, 19-20 (those of a second or more)
    starts = [round(a) for a, _b in flow.silences]
    assert starts == [0, 9, 19] and m["longest_silence_s"] == pytest.approx(3, abs=0.15)
    assert m["silence_pct"] == pytest.approx(25, abs=2)


def test_segments_skip_silence():
    side = side_audio([(1, 2), (2.2, 3), (8, 9)], 10)
    segs = side.segments()
    assert len(segs) == 2 and segs[0][0] == pytest.approx(0.8, abs=0.1) and segs[1][1] == pytest.approx(9.2, abs=0.1)


def test_prosody_sees_a_louder_higher_stretch():
    side = side_audio([(0, 10), (12, 30)], 30, loud=[(20, 25, 2.5)])
    calm, angry = prosody(side, 2, 8), prosody(side, 20, 25)
    assert calm.arousal() < 0.1
    assert angry.level_rise_db > 6 and angry.pitch_rise > 0.3 and angry.arousal() > 0.6


def test_phrases_exact_fuzzy_and_side():
    ws = words("caller", 0, "i want to cancel my count please") + words("agent", 5, "we can cancel it")
    f = PhraseFinder(ws)
    assert f.find("cancel my account") == []
    m = f.find("cancel my account", fuzzy=80)
    assert len(m) == 1 and m[0].heard == "cancel my count" and m[0].side == "caller" and m[0].start == pytest.approx(1.2)
    assert [x.side for x in f.find("cancel")] == ["caller", "agent"]
    assert [x.side for x in f.find("CANCEL", side="agent")] == ["agent"]
    assert f.find("cancel", start=4) and f.find("cancel", start=4)[0].side == "agent"


def test_phrases_do_not_run_across_a_long_pause():
    ws = words("caller", 0, "my account") + words("caller", 10, "number")
    assert PhraseFinder(ws).find("account number") == []


def test_korean_term_inside_a_word_with_a_particle():
    ws = words("caller", 0, "환불을 해 주세요")
    m = PhraseFinder(ws).find("환불")
    assert len(m) == 1 and m[0].heard == "환불을"
    assert PhraseFinder([Word("caller", 0, 1, "我想"), Word("caller", 1, 2, "投诉你们")]).find("想投诉")
