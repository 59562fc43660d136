"""`callcenter speech ...` and `callcenter prompts ...` as a user runs them."""
from __future__ import annotations

import json
import wave
from pathlib import Path

import pytest

from callcenter.cli import main

REPO = Path(__file__).resolve().parents[2]
FLOWS = REPO / "ivr_flows"


def test_speech_status_json(isolated_env, capsys, monkeypatch):
    monkeypatch.setenv("CALLCENTER_VOSK_MODEL", str(isolated_env / "missing-model"))
    assert main(["speech", "status", "--json", "--no-load"]) == 0
    st = json.loads(capsys.readouterr().out)
    assert st["languages"]["en-US"]["backend"] == "pocketsphinx"
    assert st["pocketsphinx"]["installed"] is True
    assert any(p["path"].endswith("missing-model") and "no such directory" in p["message"] for p in st["problems"])
    assert st["synthesis"]["format"] == "wav" and st["synthesis"]["espeak_voices"] > 10


def test_speech_status_text_lists_languages(isolated_env, capsys, ko_model_dir):
    assert main(["speech", "status", "--no-load"]) == 0
    out = capsys.readouterr().out
    assert "ko-KR" in out and "vosk" in out and "grammar" in out
    assert "en-US" in out and "pocketsphinx" in out
    assert "espeak-ng" in out


def test_speech_status_without_models_says_dtmf_only(isolated_env, capsys, monkeypatch):
    monkeypatch.setenv("CALLCENTER_SPEECH__POCKETSPHINX", "false")
    monkeypatch.setattr("callcenter.speech.discovery.installed_model_packages", lambda: [])
    assert main(["speech", "status", "--no-load"]) == 0
    assert "none: menus run DTMF-only" in capsys.readouterr().out


def test_speech_say_and_recognize_roundtrip(isolated_env, capsys):
    out_wav = isolated_env / "yes.wav"
    assert main(["speech", "say", "pay my bill", "-o", str(out_wav)]) == 0
    text = capsys.readouterr().out
    assert "synthesized" in text and "asterisk name:" in text
    with wave.open(str(out_wav)) as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
    assert main(["speech", "say", "pay my bill"]) == 0
    assert capsys.readouterr().out.startswith("cached")
    assert main(["speech", "recognize", str(out_wav), "--lang", "en-US",
                 "--phrases", "yes,no,pay my bill", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["backend"] == "pocketsphinx"
    # the phrase, or no match (pocketsphinx's grammar search may stop inside the phrase on this voice,
    # "pay": a part of a phrase is not a choice), never another phrase
    assert res["matched"] == "pay my bill" or (res["no_match"] and res["matched"] is None
                                               and res["confidence"] < 0.5)


def test_speech_recognize_korean_grammar_and_stream(isolated_env, capsys, clip, ko_model_dir):
    path = clip("상담원 연결", "ko")
    assert main(["speech", "recognize", str(path), "--lang", "ko", "--phrases", "네,아니요,상담원 연결", "--stream"]) == 0
    out = capsys.readouterr().out
    assert "partial:" in out and "vosk (grammar)" in out
    # the phrase, or a no-match naming it as the closest phrase (under the acceptance point)
    assert "matched: '상담원 연결'" in out or ("(no match" in out and "alternative: '상담원 연결'" in out)


def test_speech_recognize_errors(isolated_env, capsys):
    assert main(["speech", "recognize", str(isolated_env / "nope.wav"), "--lang", "en-US"]) == 1
    assert "nope.wav: audio file not found" in capsys.readouterr().err
    monkey_file = isolated_env / "x.wav"
    monkey_file.write_bytes(b"RIFF....WAVEjunk")
    assert main(["speech", "recognize", str(monkey_file), "--lang", "en-US"]) == 1
    assert "x.wav" in capsys.readouterr().err
    assert main(["speech", "recognize", str(monkey_file), "--lang", "xx-YY"]) == 1
    assert "no speech recognition model for xx-YY" in capsys.readouterr().err


def test_speech_say_bad_voice(isolated_env, capsys):
    assert main(["speech", "say", "hi", "--voice", "nonexistent-voice"]) == 1
    assert "nonexistent-voice" in capsys.readouterr().err


def test_speech_intent(capsys):
    assert main(["speech", "intent", "我想查询一下账单", "--lang", "zh-CN",
                 "--intent", "billing=查询账单|交话费;账单", "--intent", "agent=转人工;人工"]) == 0
    assert capsys.readouterr().out.startswith("billing")
    assert main(["speech", "intent", "hello", "--intent", "broken"]) == 2
    assert "LABEL=" in capsys.readouterr().err


def test_speech_voices(capsys):
    assert main(["speech", "voices", "--lang", "cmn"]) == 0
    assert "cmn" in capsys.readouterr().out


@pytest.mark.skipif(not FLOWS.is_dir(), reason="no ivr_flows/ in the repository")
def test_prompts_build_twice_second_run_all_cached(isolated_env, capsys):
    assert main(["prompts", "build", "--flows", str(FLOWS), "--lang", "en-US", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "to synthesize" in dry
    rc = main(["prompts", "build", "--flows", str(FLOWS), "--lang", "en-US"])
    out = capsys.readouterr().out
    assert rc == 0, out
    first = out.strip().splitlines()[-1]
    assert " synthesized, " in first and " 0 failed" in first and not first.startswith("0 ")
    files = list((isolated_env / "data" / "prompts" / "en-US").glob("*.wav"))
    assert files
    assert main(["prompts", "build", "--flows", str(FLOWS), "--lang", "en-US"]) == 0
    assert capsys.readouterr().out.strip().splitlines()[-1].startswith("0 synthesized")
    assert main(["prompts", "list"]) == 0
    assert f"{len(files)} file(s)" in capsys.readouterr().out


def test_prompts_build_reports_broken_flows(isolated_env, capsys):
    flows = isolated_env / "flows"
    flows.mkdir()
    (flows / "broken.yaml").write_text("name: [unclosed\n")
    assert main(["prompts", "build", "--flows", str(flows)]) == 1
    assert "broken.yaml" in capsys.readouterr().err
    assert main(["prompts", "build", "--flows", str(isolated_env / "nowhere")]) == 1
    assert "no such flows directory" in capsys.readouterr().err


def test_prompts_clean_deletes_only_unused(isolated_env, capsys):
    import os
    import time as _t
    assert main(["speech", "say", "old prompt"]) == 0
    assert main(["speech", "say", "new prompt"]) == 0
    capsys.readouterr()
    files = sorted((isolated_env / "data" / "prompts" / "en-US").glob("*.wav"))
    old = next(f for f in files if f.name.startswith("old-prompt"))
    past = _t.time() - 40 * 86400
    os.utime(old, (past, past))
    assert main(["prompts", "clean", "--days", "30", "--dry-run"]) == 0
    assert "would delete 1 " in capsys.readouterr().out and old.exists()
    assert main(["prompts", "clean", "--days", "30"]) == 0
    assert "deleted 1 " in capsys.readouterr().out
    assert not old.exists() and len(list(old.parent.glob("*.wav"))) == 1


def test_speech_status_reports_bad_configured_voice(isolated_env, capsys, monkeypatch):
    monkeypatch.setenv("CALLCENTER_SPEECH__VOICES", "{zh-CN: klingon, en-US: en-gb}")
    assert main(["speech", "status", "--no-load"]) == 0
    out = capsys.readouterr().out
    assert "PROBLEM espeak-ng has no voice 'klingon' for language zh-CN" in out
    problems = [ln for ln in out.splitlines() if "PROBLEM" in ln]
    assert len(problems) == 1                      # en-gb exists: only klingon is reported
