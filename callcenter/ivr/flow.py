"""The in-memory model of a loaded, validated flow (immutable once loaded)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping

from .channel import Prompt
from .expr import ExprError, parse_template

PROMPT_ITEM_KEYS = {"text", "file", "digits", "number", "silence", "voice"}
#: Node fields that hold a prompt.
PROMPT_FIELDS = ("prompt", "no_input", "no_match", "invalid", "dtmf_prompt", "goodbye")
#: Node fields that name another node (plus options[].next, cases[].next, intents.*.next).
TARGET_FIELDS = ("next", "on_fail", "on_error", "default", "else", "open", "closed", "holiday")
#: Nodes after which the flow (or a subflow) ends.
TERMINAL_TYPES = {"queue", "transfer", "voicemail", "hangup", "return"}
#: Nodes that wait for the caller (a loop through one of these is not a busy loop).
WAITING_TYPES = {"play", "menu", "collect", "ask", "voicemail", "http"}


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    spec: Mapping[str, Any]
    line: int = 0
    column: int = 0

    def get(self, key: str, default: Any = None) -> Any:
        return self.spec.get(key, default)

    def targets(self) -> list[tuple[str, str]]:
        """(label, target node id) for every transition out of this node, in order."""
        out: list[tuple[str, str]] = []
        s = self.spec
        if self.type == "menu":
            for i, opt in enumerate(s.get("options") or []):
                if isinstance(opt, Mapping) and isinstance(opt.get("next"), str):
                    lab = opt.get("label") or " / ".join(
                        x for x in [opt.get("digit")] + _first_phrases(opt.get("say")) if x)
                    out.append((lab or f"option {i + 1}", opt["next"]))
        if self.type == "branch":
            for case in s.get("cases") or []:
                if isinstance(case, Mapping) and isinstance(case.get("next"), str):
                    out.append((f"if {case.get('if')}", case["next"]))
        if self.type in ("intent", "ask"):
            for label, d in (s.get("intents") or {}).items():
                if isinstance(d, Mapping) and isinstance(d.get("next"), str):
                    out.append((str(label), d["next"]))
        for f in TARGET_FIELDS:
            v = s.get(f)
            if isinstance(v, str):
                out.append((f, v))
        return out


def _first_phrases(say: Any) -> list[str]:
    if isinstance(say, list):
        return [str(x) for x in say[:1]]
    if isinstance(say, Mapping):
        for v in say.values():
            if isinstance(v, list) and v:
                return [str(v[0])]
    return []


@dataclass(frozen=True)
class Flow:
    name: str
    start: str
    nodes: Mapping[str, Node]
    language: str = "en-US"
    languages: tuple[str, ...] = ()
    voice: str | None = None
    timezone: str = "UTC"
    variables: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""
    source: str = "<memory>"
    content_hash: str = ""
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def node(self, node_id: str) -> Node | None:
        return self.nodes.get(node_id)

    @property
    def all_languages(self) -> tuple[str, ...]:
        langs = list(self.languages) or [self.language]
        if self.language not in langs:
            langs.insert(0, self.language)
        return tuple(langs)


# ------------------------------------------------------------------------------------------------
# Prompts

#: What ``collect`` says before reading the digits back, per primary language.
READBACK_LEAD = {"en": "You entered", "zh": "您输入的是", "es": "Usted marcó", "fr": "Vous avez saisi",
                 "de": "Sie haben eingegeben", "ko": "입력하신 번호는"}


def readback_lead(language: str) -> str:
    return READBACK_LEAD.get(language.split("-")[0].lower(), READBACK_LEAD["en"])


def is_language_map(spec: Any) -> bool:
    return isinstance(spec, Mapping) and bool(spec) and not (set(spec) <= PROMPT_ITEM_KEYS)


def prompt_languages(spec: Any) -> list[str] | None:
    """Languages a prompt spec is written in (``None`` = language-neutral: the flow's language)."""
    if is_language_map(spec):
        return [str(k) for k in spec]
    return None


def select_language_key(spec: Any, language: str, default_language: str) -> tuple[str, Any]:
    """``(language of the variant, variant)`` of a prompt/phrase spec for ``language``: exact tag, then
    same primary language, then the flow's language, then the first. A spec that is not a language map
    is written in the flow's language (``default_language``)."""
    if not is_language_map(spec):
        return default_language, spec
    if language in spec:
        return language, spec[language]
    primary = language.split("-")[0].lower()
    for k, v in spec.items():
        if str(k).split("-")[0].lower() == primary:
            return str(k), v
    if default_language in spec:
        return default_language, spec[default_language]
    k, v = next(iter(spec.items()))
    return str(k), v


def select_language(spec: Any, language: str, default_language: str) -> Any:
    """Pick the variant of a prompt spec for ``language`` (exact, then same primary tag, then default)."""
    return select_language_key(spec, language, default_language)[1]


def same_language(a: str, b: str) -> bool:
    return a == b or a.split("-")[0].lower() == b.split("-")[0].lower()


def prompt_items(spec: Any, language: str, default_language: str) -> list[dict[str, Any]]:
    """Normalise a prompt spec into a list of item dicts (``{"text": ...}``, ``{"file": ...}``...)."""
    if spec is None:
        return []
    chosen = select_language(spec, language, default_language)
    items = chosen if isinstance(chosen, list) else [chosen]
    out: list[dict[str, Any]] = []
    for it in items:
        if isinstance(it, str):
            out.append({"text": it})
        elif isinstance(it, (int, float)) and not isinstance(it, bool):
            out.append({"text": str(it)})
        elif isinstance(it, Mapping):
            out.append(dict(it))
    return out


def iter_text_prompts(flow: Flow) -> Iterator[Prompt]:
    """Every static text prompt of every node, in every language it is written in.

    Text with ``${...}`` parts is skipped (it is only known during a call). Used by
    ``callcenter prompts build`` to synthesize and cache prompts ahead of calls.
    """
    seen: set[tuple[str, str, str | None]] = set()

    def emit(spec: Any) -> Iterator[Prompt]:
        langs = prompt_languages(spec)
        for lang in (langs if langs is not None else [flow.language]):
            for it in prompt_items(spec, lang, flow.language):
                text = it.get("text")
                if not isinstance(text, str) or not text.strip():
                    continue
                try:
                    if not parse_template(text).is_static:
                        continue
                except ExprError:
                    continue
                voice = it.get("voice") or flow.voice
                key = (text.replace("$$", "$"), lang, voice)
                if key in seen:
                    continue
                seen.add(key)
                yield Prompt("text", key[0], lang, voice)

    for node in flow.nodes.values():
        for f in PROMPT_FIELDS:
            if f in node.spec:
                yield from emit(node.spec[f])
        cb = node.spec.get("callback")
        if isinstance(cb, Mapping) and "prompt" in cb:
            yield from emit(cb["prompt"])
        if node.type == "collect" and node.spec.get("read_back"):
            yield from emit({lang: readback_lead(lang) for lang in flow.all_languages})
