"""The IVR interpreter: a pure state machine.

``Interpreter(flow).start(call, now)`` and ``Interpreter.step(state, event, now)`` return
``(new_state, actions)``. Nothing here does I/O or reads a clock: the runner (``runner.py``) executes
the actions on a :class:`~callcenter.ivr.channel.Channel` and feeds back what happened as events.

Every list of actions ends with either one *request* (``Play``, ``CollectDigits``, ``Recognize``,
``Record``, ``HttpRequest``, ``SetLanguage``: the runner answers it with an event) or ``Finish(outcome)``.
Fire-and-forget actions (``Transfer``, ``Hangup``) come before a ``Finish``. ``step`` never raises: a bug or an
impossible situation ends the IVR with the fallback queue and an ``error`` trace entry.
"""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .channel import CallInfo, Prompt, Recognition, RecordResult
from .expr import EvalContext, ExprError, evaluate, parse, parse_template, render, truthy
from .flow import Flow, Node, prompt_items, readback_lead, same_language, select_language, select_language_key
from .outcome import CallbackOffer, IvrOutcome, QueueRequest, TraceEntry

__all__ = ["Interpreter", "IvrState",
           "Started", "PlayDone", "Digits", "Speech", "Recorded", "HttpDone", "LanguageSet", "HungUp", "Failed",
           "Play", "CollectDigits", "Recognize", "Record", "HttpRequest", "SetLanguage", "Transfer", "Hangup",
           "Finish", "REQUESTS"]

ALL_KEYS = "0123456789*#"
#: Node transitions allowed without waiting for the caller before the interpreter gives up.
MAX_TRANSITIONS = 500
MAX_SUBFLOW_DEPTH = 16
MAX_TRACE = 2000


# ------------------------------------------------------------------------------------------------
# Events (what happened; fed to step)

@dataclass(frozen=True)
class Started:
    speech_available: bool = False


@dataclass(frozen=True)
class PlayDone:
    digit: str | None = None        # the key that interrupted the prompt (barge-in)


@dataclass(frozen=True)
class Digits:
    digits: str = ""
    timed_out: bool = False


@dataclass(frozen=True)
class Speech:
    recognition: Recognition | None  # None: recognition unavailable (fall back to DTMF)


@dataclass(frozen=True)
class Recorded:
    result: RecordResult


@dataclass(frozen=True)
class HttpDone:
    status: int | None = None
    body: Any = None
    error: str | None = None


@dataclass(frozen=True)
class LanguageSet:
    speech_available: bool = False  # can the channel recognize speech in the new language?


@dataclass(frozen=True)
class HungUp:
    pass


@dataclass(frozen=True)
class Failed:
    error: str = ""


# ------------------------------------------------------------------------------------------------
# Actions (what to do)

@dataclass(frozen=True)
class Play:
    prompts: tuple[Prompt, ...]
    escape_digits: str = ""


@dataclass(frozen=True)
class CollectDigits:
    prompts: tuple[Prompt, ...]
    max_digits: int = 1
    timeout: float = 5.0
    terminator: str = "#"
    inter_digit_timeout: float = 3.0


@dataclass(frozen=True)
class Recognize:
    prompts: tuple[Prompt, ...]
    phrases: tuple[str, ...] | None = None
    timeout: float = 5.0
    language: str = "en-US"


@dataclass(frozen=True)
class Record:
    name: str
    max_seconds: float = 120.0
    silence_seconds: float = 3.0
    beep: bool = True
    escape_digits: str = "#"


@dataclass(frozen=True)
class HttpRequest:
    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    timeout: float = 3.0


@dataclass(frozen=True)
class SetLanguage:
    language: str
    voice: str | None = None


@dataclass(frozen=True)
class Transfer:
    destination: str


@dataclass(frozen=True)
class Hangup:
    pass


@dataclass(frozen=True)
class Finish:
    outcome: IvrOutcome


REQUESTS = (Play, CollectDigits, Recognize, Record, HttpRequest, SetLanguage)


# ------------------------------------------------------------------------------------------------
# State

@dataclass
class IvrState:
    flow: str
    node: str | None = None
    waiting: str | None = None        # which kind of answer the current node waits for
    phase: str = ""                   # sub-step inside a node (e.g. "readback", "record")
    attempt: int = 0
    mode: str = ""                    # "speech" or "dtmf" for menu/ask
    variables: dict[str, Any] = field(default_factory=dict)
    call: dict[str, Any] = field(default_factory=dict)
    language: str = "en-US"
    voice: str | None = None
    speech: bool = False
    stack: tuple[tuple[str, str], ...] = ()
    trace: list[TraceEntry] = field(default_factory=list)
    outcome: IvrOutcome | None = None
    started_at: float = 0.0
    scratch: dict[str, Any] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        return self.outcome is not None


class _Fail(Exception):
    """Internal: end the IVR on the fallback queue with this reason."""


def _call_dict(call: CallInfo | Mapping[str, Any] | None) -> dict[str, Any]:
    if call is None:
        return {}
    if isinstance(call, CallInfo):
        d = {"call_id": call.call_id, "caller": call.caller, "caller_name": call.caller_name,
             "did": call.did, "channel": call.channel, "language": call.language}
        d.update({f"chan_{k}": v for k, v in call.variables.items()})
        return d
    return {str(k): v for k, v in dict(call).items()}


class Interpreter:
    """Walks one flow (and the flows it jumps to). Immutable configuration; the per-call state is
    an :class:`IvrState` that ``step`` copies, never mutates."""

    def __init__(self, flow: Flow, flows: Mapping[str, Flow] | None = None, *, fallback_queue: str = "support",
                 recordings_prefix: str = "voicemail") -> None:
        self.flow = flow
        self.flows: dict[str, Flow] = dict(flows or {})
        self.flows[flow.name] = flow
        self.fallback_queue = fallback_queue
        self.recordings_prefix = recordings_prefix
        self._classifiers: dict[tuple, Any] = {}

    # -- public -------------------------------------------------------------------------------
    def start(self, call: CallInfo | Mapping[str, Any] | None, now: float,
              speech_available: bool = False, variables: Mapping[str, Any] | None = None) -> tuple[IvrState, list]:
        """Begin a call. ``variables`` override the flow's initial ``variables``."""
        cd = _call_dict(call)
        call_lang = str(cd.get("language") or "")
        lang = call_lang if call_lang and any(same_language(call_lang, x) for x in self.flow.all_languages) \
            else self.flow.language
        s = IvrState(flow=self.flow.name, node=self.flow.start, variables={**self.flow.variables, **dict(variables or {})},
                     call=cd, language=lang, voice=self.flow.voice, speech=speech_available, started_at=now)
        return self.step(s, Started(speech_available), now)

    def step(self, state: IvrState, event: Any, now: float) -> tuple[IvrState, list]:
        if state.outcome is not None:
            return state, [Finish(state.outcome)]
        s = copy.copy(state)
        s.variables = dict(state.variables)
        s.trace = list(state.trace)
        s.scratch = dict(state.scratch)
        actions: list = []
        try:
            if isinstance(event, HungUp):
                self._finish(s, now, actions, IvrOutcome("hangup", reason="caller hung up", hung_up_by="caller"))
            elif isinstance(event, Failed):
                raise _Fail(f"channel failed: {event.error}")
            elif isinstance(event, Started):
                s.speech = bool(event.speech_available)
                if not same_language(s.language, str(s.call.get("language") or s.language)):
                    # the caller's channel speaks another language than this flow: tell it
                    self._request(s, actions, SetLanguage(s.language, s.voice), "language_switch")
                else:
                    self._run(s, now, actions)
            else:
                self._on_event(s, event, now, actions)
        except _Fail as exc:
            self._fallback(s, now, str(exc))
            actions = [Finish(s.outcome)]
        except Exception as exc:  # noqa: BLE001 - the interpreter never raises to its caller
            self._fallback(s, now, f"internal error: {type(exc).__name__}: {exc}")
            actions = [Finish(s.outcome)]
        if not actions or not isinstance(actions[-1], (*REQUESTS, Finish)):
            self._fallback(s, now, "internal error: no action to perform")
            actions = [Finish(s.outcome)]
        return s, actions

    # -- helpers ------------------------------------------------------------------------------
    def _cur_flow(self, s: IvrState) -> Flow:
        f = self.flows.get(s.flow)
        if f is None:
            raise _Fail(f"unknown flow '{s.flow}'")
        return f

    def _node(self, s: IvrState) -> Node:
        f = self._cur_flow(s)
        n = f.nodes.get(s.node or "")
        if n is None:
            raise _Fail(f"flow '{f.name}' has no node '{s.node}'")
        return n

    def _trace(self, s: IvrState, now: float, kind: str, **data: Any) -> None:
        if len(s.trace) >= MAX_TRACE and kind != "end":   # the closing entry is always kept
            if len(s.trace) == MAX_TRACE:
                s.trace.append(TraceEntry(now, s.flow, s.node, "error", {"error": "trace truncated"}))
            return
        s.trace.append(TraceEntry(now, s.flow, s.node, kind, data))

    def _ctx(self, s: IvrState, now: float) -> EvalContext:
        call = dict(s.call)
        call["language"] = s.language
        call.setdefault("flow", s.flow)
        try:
            tz = ZoneInfo(self._cur_flow(s).timezone)
        except Exception:  # noqa: BLE001 - validated at load; defensive
            tz = timezone.utc
        return EvalContext(s.variables, call, now, tz)

    def _eval(self, s: IvrState, now: float, src: Any, what: str) -> Any:
        try:
            return evaluate(parse(src), self._ctx(s, now))
        except ExprError as exc:
            self._trace(s, now, "error", error=f"{what}: {exc}")
            return None

    def _render(self, s: IvrState, now: float, src: Any, what: str) -> str:
        if src is None:
            return ""
        if not isinstance(src, str):
            return str(src)
        errors: list[str] = []
        try:
            out = render(parse_template(src), self._ctx(s, now), errors)
        except ExprError as exc:
            errors.append(str(exc))
            out = ""
        for e in errors:
            self._trace(s, now, "error", error=f"{what}: {e}")
        return out

    def _render_deep(self, s: IvrState, now: float, v: Any, what: str) -> Any:
        if isinstance(v, str):
            return self._render(s, now, v, what)
        if isinstance(v, Mapping):
            return {str(k): self._render_deep(s, now, x, what) for k, x in v.items()}
        if isinstance(v, list):
            return [self._render_deep(s, now, x, what) for x in v]
        return v

    def _prompts(self, s: IvrState, now: float, spec: Any) -> list[Prompt]:
        flow = self._cur_flow(s)
        out: list[Prompt] = []
        # text is spoken in the language it is written in: the variant's key, or the flow's language
        lang, _ = select_language_key(spec, s.language, flow.language)
        base_voice = s.voice if same_language(lang, s.language) else flow.voice
        for it in prompt_items(spec, s.language, flow.language):
            voice = it.get("voice") or base_voice
            if "text" in it:
                text = self._render(s, now, it["text"], "prompt")
                if text.strip():
                    out.append(Prompt("text", text, lang, voice))
            elif "file" in it:
                out.append(Prompt("file", self._render(s, now, it["file"], "prompt file"), lang, voice))
            elif "digits" in it:
                d = self._render(s, now, it["digits"], "prompt digits")
                if d:
                    out.append(Prompt("digits", d, lang, voice))
            elif "number" in it:
                n = self._render(s, now, it["number"], "prompt number")
                if n:
                    out.append(Prompt("number", n, lang, voice))
            elif "silence" in it:
                out.append(Prompt("silence", str(it["silence"]), lang, voice))
        return out

    def _fallback(self, s: IvrState, now: float, error: str) -> None:
        self._trace(s, now, "error", error=error)
        q = QueueRequest(self.fallback_queue, language=s.language)
        self._finish(s, now, None, IvrOutcome("queue", reason="engine error: fallback queue", queue=q, error=error))

    def _finish(self, s: IvrState, now: float, actions: list | None, outcome: IvrOutcome) -> None:
        outcome.language = s.language
        outcome.variables = dict(s.variables)
        outcome.flow = self.flow.name
        outcome.flow_version = self.flow.content_hash
        outcome.started_at = s.started_at
        outcome.ended_at = now
        s.waiting = None
        self._trace(s, now, "end", outcome=outcome.kind, summary=outcome.summary())
        outcome.trace = list(s.trace)
        s.outcome = outcome
        if actions is not None:
            actions.append(Finish(outcome))

    def _goto(self, s: IvrState, target: str | None) -> None:
        s.node = target
        s.waiting = None
        s.phase = ""
        s.attempt = 0
        s.mode = ""
        s.scratch = {}

    # -- the main loop ------------------------------------------------------------------------
    def _run(self, s: IvrState, now: float, actions: list) -> None:
        """Enter nodes from ``s.node`` until one waits for an answer or the IVR ends."""
        for _ in range(MAX_TRANSITIONS):
            if s.outcome is not None or s.waiting is not None:
                return
            if s.node is None:
                raise _Fail("a transition leads nowhere")
            node = self._node(s)
            self._trace(s, now, "enter", type=node.type)
            getattr(self, f"_enter_{node.type}")(s, node, now, actions)
        raise _Fail(f"more than {MAX_TRANSITIONS} nodes without waiting for the caller (a loop?)")

    def _on_event(self, s: IvrState, event: Any, now: float, actions: list) -> None:
        if s.waiting is None:
            raise _Fail(f"unexpected {type(event).__name__} while not waiting")
        if s.waiting == "language_switch":
            s.waiting = None
            if isinstance(event, LanguageSet):
                s.speech = bool(event.speech_available)
            self._run(s, now, actions)      # enter the node we were about to enter
            return
        node = self._node(s)
        handler = getattr(self, f"_answer_{node.type}", None)
        if handler is None:
            raise _Fail(f"node type {node.type} got {type(event).__name__}")
        handler(s, node, event, now, actions)
        self._run(s, now, actions)

    def _request(self, s: IvrState, actions: list, action: Any, waiting: str) -> None:
        actions.append(action)
        s.waiting = waiting

    # -- input normalisation ------------------------------------------------------------------
    @staticmethod
    def _as_input(event: Any) -> tuple[str, str, float, bool]:
        """(digits, text, confidence, silent) from any input event."""
        if isinstance(event, Digits):
            d = "".join(c for c in str(event.digits or "") if c in ALL_KEYS)
            return d, "", 1.0, not d
        if isinstance(event, PlayDone):
            d = event.digit if isinstance(event.digit, str) and event.digit in ALL_KEYS and event.digit else ""
            return d, "", 1.0, not d
        if isinstance(event, Speech) and event.recognition is not None:
            r = event.recognition
            d = "".join(c for c in str(r.digits or "") if c in ALL_KEYS)
            if d:
                return d, "", 1.0, False
            text = str(r.text or "").strip()
            try:
                conf = float(r.confidence)
            except (TypeError, ValueError):
                conf = 0.0
            if conf != conf:
                conf = 0.0
            return "", text, max(0.0, min(1.0, conf)), not text
        return "", "", 0.0, True

    def _retry(self, s: IvrState, node: Node, now: float, why: str, actions: list) -> bool:
        """Count a failed attempt; return False (and move on) when the retries are used up."""
        retries = int(node.get("retries", 2))
        s.attempt += 1
        s.scratch["reprompt"] = why
        self._trace(s, now, "retry", reason=why, attempt=s.attempt)
        if s.attempt > retries:
            target = node.get("on_fail")
            if target:
                self._goto(s, target)
            else:
                q = QueueRequest(self.fallback_queue, language=s.language)
                self._finish(s, now, actions, IvrOutcome(
                    "queue", reason=f"no valid input at '{node.id}' after {retries + 1} attempts (no on_fail)",
                    queue=q))
            return False
        return True

    def _with_reprompt(self, s: IvrState, node: Node, now: float, main: Any) -> list[Prompt]:
        why = s.scratch.get("reprompt")
        pre: list[Prompt] = []
        if why == "no_input" and node.get("no_input") is not None:
            pre = self._prompts(s, now, node.get("no_input"))
        elif why in ("no_match", "invalid"):
            spec = node.get("invalid") if why == "invalid" and node.get("invalid") is not None else node.get("no_match")
            if spec is not None:
                pre = self._prompts(s, now, spec)
        return pre + self._prompts(s, now, main)

    # -- play -----------------------------------------------------------------------------------
    def _enter_play(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        prompts = self._prompts(s, now, node.get("prompt"))
        esc = ALL_KEYS if node.get("barge_in") else ""
        self._request(s, actions, Play(tuple(prompts), esc), "play")

    def _answer_play(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        digits, *_ = self._as_input(event)
        if digits and node.get("barge_in"):
            s.variables["last_digits"] = digits
            self._trace(s, now, "input", digits=digits, barge_in=True)
        self._goto(s, node.get("next"))

    # -- menu -----------------------------------------------------------------------------------
    def _menu_options(self, s: IvrState, node: Node) -> list[tuple[str, Mapping]]:
        out = []
        for i, opt in enumerate(node.get("options") or []):
            key = str(opt.get("key") or opt.get("label") or opt.get("digit") or f"option{i + 1}")
            out.append((key, opt))
        return out

    def _say(self, s: IvrState, spec: Any) -> list[str]:
        if spec is None:
            return []
        flow = self._cur_flow(s)
        v = select_language(spec, s.language, flow.language)
        return [str(x) for x in v] if isinstance(v, list) else []

    def _menu_uses_speech(self, s: IvrState, node: Node) -> bool:
        has_say = any(opt.get("say") for _, opt in self._menu_options(s, node))
        return bool(node.get("speech", has_say)) and has_say and s.speech

    def _enter_menu(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        prompts = tuple(self._with_reprompt(s, node, now, node.get("prompt")))
        timeout = float(node.get("timeout", 5))
        if self._menu_uses_speech(s, node):
            phrases = tuple(p for _, opt in self._menu_options(s, node) for p in self._say(s, opt.get("say")))
            s.mode = "speech"
            self._request(s, actions, Recognize(prompts, phrases, timeout, s.language), "menu")
        else:
            s.mode = "dtmf"
            self._request(s, actions, CollectDigits(prompts, 1, timeout, "", 3.0), "menu")

    def _answer_menu(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        if isinstance(event, Speech) and event.recognition is None:
            s.speech = False
            self._trace(s, now, "recognition", available=False, fallback="dtmf")
            return  # re-enter: same attempt, DTMF this time
        digits, text, conf, silent = self._as_input(event)
        options = self._menu_options(s, node)
        chosen: tuple[str, Mapping] | None = None
        if digits:
            self._trace(s, now, "input", digits=digits)
            s.variables["last_digits"] = digits
            chosen = next(((k, o) for k, o in options if o.get("digit") == digits[0]), None)
        elif text:
            threshold = float(node.get("threshold", 0.6))
            rec = event.recognition if isinstance(event, Speech) else None
            key, score = self._match(s, options, text, rec, threshold)
            if key is not None and conf < float(node.get("min_confidence", 0.2)) and not (rec and rec.matched):
                key = None
            self._trace(s, now, "recognition", text=text, confidence=conf, matched=key, score=score)
            s.variables["last_utterance"] = text
            if key is not None:
                chosen = next(((k, o) for k, o in options if k == key), None)
        elif isinstance(event, Speech):
            self._trace(s, now, "recognition", text="", confidence=conf, matched=None)   # heard nothing
        if chosen is None:
            if self._retry(s, node, now, "no_input" if silent else "no_match", actions):
                s.node = node.id
            return
        key, opt = chosen
        if node.get("var"):
            s.variables[node.get("var")] = key
        s.variables["last_choice"] = key
        self._goto(s, opt.get("next"))

    def _match(self, s: IvrState, options: list[tuple[str, Mapping]], text: str, rec: Recognition | None,
               threshold: float) -> tuple[str | None, float]:
        from ..speech.intents import match_phrase
        choices = {k: self._say(s, o.get("say")) for k, o in options if o.get("say")}
        if not choices:
            return None, 0.0
        if rec is not None and rec.matched:
            for k, phrases in choices.items():
                if rec.matched in phrases or rec.matched == k:
                    return k, max(float(rec.confidence or 0.0), threshold)
        key, score = match_phrase(text, choices, s.language, threshold)
        return key, float(score)

    # -- collect --------------------------------------------------------------------------------
    def _enter_collect(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        prompts = tuple(self._with_reprompt(s, node, now, node.get("prompt")))
        self._request(s, actions, CollectDigits(
            prompts, int(node.get("max_digits", 20)), float(node.get("timeout", 8)),
            str(node.get("terminator", "#")), float(node.get("inter_digit_timeout", 3))), "collect")

    def _answer_collect(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        if s.phase == "readback":
            self._goto(s, node.get("next"))
            return
        digits, text, conf, silent = self._as_input(event)
        if not digits and text:
            # a spoken number: keep its digits ("one two three" is the recognizer's job)
            digits = "".join(c for c in text if c.isdigit())
        term = str(node.get("terminator", "#"))
        if term and digits.endswith(term):
            digits = digits[:-len(term)]
        digits = digits[: int(node.get("max_digits", 20))]
        self._trace(s, now, "input", digits=digits, timed_out=silent)
        if not digits:
            if self._retry(s, node, now, "no_input", actions):
                s.node = node.id
            return
        ok = len(digits) >= int(node.get("min_digits", 1))
        pat = node.get("pattern")
        if ok and pat:
            try:
                ok = re.fullmatch(pat, digits) is not None
            except re.error:
                ok = False
        if not ok:
            if self._retry(s, node, now, "invalid", actions):
                s.node = node.id
            return
        s.variables[node.get("var")] = digits
        s.variables["last_digits"] = digits
        if node.get("read_back"):
            lead = readback_lead(s.language)
            s.phase = "readback"
            self._request(s, actions, Play((Prompt("text", lead, s.language, s.voice),
                                            Prompt("digits", digits, s.language, s.voice))), "collect")
            return
        self._goto(s, node.get("next"))

    # -- ask ------------------------------------------------------------------------------------
    def _enter_ask(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        timeout = float(node.get("timeout", 5))
        dtmf = node.get("dtmf") or {}
        if not s.speech or s.mode == "dtmf":
            if not dtmf:
                self._trace(s, now, "recognition", available=False, fallback=None)
                target = node.get("on_fail")
                if not target:
                    raise _Fail(f"ask '{node.id}': speech unavailable and no dtmf fallback or on_fail")
                self._goto(s, target)
                return
            s.mode = "dtmf"
            spec = node.get("dtmf_prompt") if node.get("dtmf_prompt") is not None else node.get("prompt")
            prompts = tuple(self._with_reprompt(s, node, now, spec))
            self._request(s, actions, CollectDigits(prompts, 1, timeout, "", 3.0), "ask")
            return
        s.mode = "speech"
        prompts = tuple(self._with_reprompt(s, node, now, node.get("prompt")))
        phrases = None
        if node.get("choices"):
            phrases = tuple(p for spec in node.get("choices").values() for p in self._say(s, spec))
        self._request(s, actions, Recognize(prompts, phrases, timeout, s.language), "ask")

    def _answer_ask(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        var = node.get("var")
        dtmf = node.get("dtmf") or {}
        if isinstance(event, Speech) and event.recognition is None:
            s.speech = False
            self._trace(s, now, "recognition", available=False, fallback="dtmf" if dtmf else None)
            return
        digits, text, conf, silent = self._as_input(event)
        value: str | None = None
        score = 1.0
        if digits:
            self._trace(s, now, "input", digits=digits)
            s.variables["last_digits"] = digits
            value = dtmf.get(digits[0])
            if value is None and not dtmf:
                value = None
        elif text:
            threshold = float(node.get("threshold", 0.5))
            s.variables["last_utterance"] = text
            s.variables[f"{var}_text"] = text
            rec = event.recognition if isinstance(event, Speech) else None
            if node.get("choices"):
                options = [(k, {"say": v}) for k, v in node.get("choices").items()]
                value, score = self._match(s, options, text, rec, threshold)
                self._trace(s, now, "recognition", text=text, confidence=conf, matched=value, score=score)
            elif node.get("intents"):
                label, score, alts = self._classify(s, node, text, threshold)
                value = None if label == "unknown" else label
                self._trace(s, now, "recognition", text=text, confidence=conf, intent=label, score=score,
                            alternatives=alts)
            else:
                score = conf
                value = text
                self._trace(s, now, "recognition", text=text, confidence=conf)
            if value is not None and conf < float(node.get("min_confidence", 0.2)) and not (rec is not None and rec.matched):
                self._trace(s, now, "retry", reason="low recognizer confidence", confidence=conf)
                value = None
        elif isinstance(event, Speech):
            self._trace(s, now, "recognition", text="", confidence=conf)   # heard nothing
        if value is None:
            if not silent and dtmf and s.mode == "speech":
                s.mode = "dtmf"     # unsure: ask for a key next time
            if self._retry(s, node, now, "no_input" if silent else "no_match", actions):
                s.node = node.id
            return
        s.variables[var] = value
        s.variables[f"{var}_confidence"] = round(float(score), 4)
        intents = node.get("intents") or {}
        idef = intents.get(value) if isinstance(intents, Mapping) else None
        target = idef.get("next") if isinstance(idef, Mapping) and idef.get("next") else node.get("next")
        if not target:
            raise _Fail(f"ask '{node.id}': no 'next' for answer '{value}'")
        self._goto(s, target)

    def _classify(self, s: IvrState, node: Node, text: str, threshold: float) -> tuple[str, float, list]:
        from ..speech.intents import IntentClassifier, IntentSpec
        key = (s.flow, node.id, s.language, threshold)
        clf = self._classifiers.get(key)
        if clf is None:
            specs = []
            for label, d in (node.get("intents") or {}).items():
                d = d or {}
                specs.append(IntentSpec(str(label), self._say(s, d.get("examples")), self._say(s, d.get("keywords"))))
            clf = IntentClassifier(specs, threshold)
            self._classifiers[key] = clf
        r = clf.classify(text, s.language)
        return r.label, float(r.score), [(a, float(b)) for a, b in r.alternatives[:3]]

    # -- intent ---------------------------------------------------------------------------------
    def _enter_intent(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        text = self._eval(s, now, node.get("input"), "input")
        text = "" if text is None else str(text)
        threshold = float(node.get("threshold", 0.5))
        label, score, alts = self._classify(s, node, text, threshold) if text.strip() else ("unknown", 0.0, [])
        self._trace(s, now, "intent", text=text, intent=label, score=score, alternatives=alts)
        if node.get("var"):
            s.variables[node.get("var")] = label
            s.variables[f"{node.get('var')}_confidence"] = round(score, 4)
        idef = (node.get("intents") or {}).get(label)
        target = idef.get("next") if isinstance(idef, Mapping) and idef.get("next") else node.get("default")
        self._goto(s, target)

    # -- set / branch ---------------------------------------------------------------------------
    def _enter_set(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        changed = {}
        for name, src in (node.get("vars") or {}).items():
            v = self._eval(s, now, src, f"vars.{name}")
            s.variables[name] = v
            changed[name] = v
        self._trace(s, now, "set", **{"vars": changed})
        self._goto(s, node.get("next"))

    def _enter_branch(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        for i, case in enumerate(node.get("cases") or []):
            if truthy(self._eval(s, now, case.get("if"), f"cases[{i}].if")):
                self._trace(s, now, "branch", case=i, condition=str(case.get("if")))
                self._goto(s, case.get("next"))
                return
        self._trace(s, now, "branch", case="else")
        self._goto(s, node.get("else"))

    # -- schedule -------------------------------------------------------------------------------
    def _enter_schedule(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        state, why = schedule_state(node.spec, now, node.get("timezone") or self._cur_flow(s).timezone)
        s.variables["schedule"] = state
        self._trace(s, now, "schedule", state=state, why=why)
        target = {"open": node.get("open"), "holiday": node.get("holiday") or node.get("closed")}.get(
            state, node.get("closed"))
        self._goto(s, target)

    # -- http -----------------------------------------------------------------------------------
    def _enter_http(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        url = self._render(s, now, node.get("url"), "url")
        headers = {str(k): str(v) for k, v in self._render_deep(s, now, node.get("headers") or {}, "headers").items()}
        params = {str(k): str(v) for k, v in self._render_deep(s, now, node.get("query") or {}, "query").items()}
        body = self._render_deep(s, now, node.get("body"), "body") if "body" in node.spec else None
        method = str(node.get("method", "POST" if body is not None else "GET")).upper()
        self._request(s, actions, HttpRequest(method, url, headers, params, body, float(node.get("timeout", 3))),
                      "http")

    def _answer_http(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        if not isinstance(event, HttpDone):
            event = HttpDone(None, None, f"no HTTP answer ({type(event).__name__})")
        if node.get("status_var"):
            s.variables[node.get("status_var")] = event.status
        ok = event.error is None and event.status is not None and 200 <= int(event.status) < 300
        err = event.error or (f"HTTP status {event.status}" if not ok else None)
        if ok and node.get("map") and not isinstance(event.body, (dict, list)):
            ok, err = False, "the response is not JSON"
        if not ok:
            s.variables["http_error"] = err
            self._trace(s, now, "http", ok=False, status=event.status, error=err)
            self._goto(s, node.get("on_error"))
            return
        mapped = {}
        for var, jpath in (node.get("map") or {}).items():
            v = json_path(event.body, str(jpath))
            s.variables[var] = v
            mapped[var] = v
        s.variables["http_error"] = None
        self._trace(s, now, "http", ok=True, status=event.status, mapped=mapped)
        self._goto(s, node.get("next"))

    # -- language -------------------------------------------------------------------------------
    def _enter_language(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        lang = self._render(s, now, node.get("language"), "language").strip() or s.language
        s.language = lang
        if node.get("voice"):
            s.voice = node.get("voice")
        s.variables["language"] = lang
        self._trace(s, now, "language", language=lang)
        self._request(s, actions, SetLanguage(lang, s.voice), "language")

    def _answer_language(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        if isinstance(event, LanguageSet):
            s.speech = bool(event.speech_available)
        self._goto(s, node.get("next"))

    # -- endings ----------------------------------------------------------------------------------
    def _enter_queue(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if node.get("prompt") is not None and s.phase != "queued":
            prompts = self._prompts(s, now, node.get("prompt"))
            if prompts:
                s.phase = "queued"
                self._request(s, actions, Play(tuple(prompts)), "queue")
                return
        self._finish(s, now, actions, IvrOutcome("queue", reason="flow", queue=self._queue_request(s, node, now)))

    def _answer_queue(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        s.phase = "queued"
        self._finish(s, now, actions, IvrOutcome("queue", reason="flow", queue=self._queue_request(s, node, now)))

    def _queue_request(self, s: IvrState, node: Node, now: float) -> QueueRequest:
        queue = self._render(s, now, node.get("queue"), "queue").strip() or self.fallback_queue
        skills_spec = node.get("skills") or {}
        skills = {str(k): 1 for k in skills_spec} if isinstance(skills_spec, list) else \
            {str(k): int(v) for k, v in skills_spec.items()}
        lang = self._render(s, now, node.get("language"), "language").strip() if node.get("language") else s.language
        pr = node.get("priority", 0)
        if isinstance(pr, str):
            v = self._eval(s, now, pr, "priority")
            try:
                pr = int(float(v)) if v is not None else 0
            except (TypeError, ValueError):
                self._trace(s, now, "error", error=f"priority: {v!r} is not a number")
                pr = 0
        cb = node.get("callback")
        offer = None
        if cb is True:
            offer = CallbackOffer()
        elif isinstance(cb, Mapping):
            offer = CallbackOffer(float(cb.get("offer_after", 60)), str(cb.get("digit", "1")),
                                  tuple(self._prompts(s, now, cb.get("prompt"))))
        max_wait = node.get("max_wait")
        return QueueRequest(queue, skills, lang or s.language, int(pr), node.get("music"),
                            float(node.get("announce_position", 0)), float(node.get("announce_ewt", 0)),
                            float(max_wait) if max_wait is not None else None, offer)

    def _enter_transfer(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if node.get("prompt") is not None:
            prompts = self._prompts(s, now, node.get("prompt"))
            if prompts:
                self._request(s, actions, Play(tuple(prompts)), "transfer")
                return
        self._do_transfer(s, node, now, actions)

    def _answer_transfer(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        self._do_transfer(s, node, now, actions)

    def _do_transfer(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        dest = self._render(s, now, node.get("to"), "to").strip()
        if not dest:
            raise _Fail(f"transfer '{node.id}': empty destination")
        actions.append(Transfer(dest))
        self._finish(s, now, actions, IvrOutcome("transfer", reason="flow", destination=dest))

    def _enter_voicemail(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if s.phase == "" and node.get("prompt") is not None:
            prompts = self._prompts(s, now, node.get("prompt"))
            if prompts:
                s.phase = "prompt"
                self._request(s, actions, Play(tuple(prompts)), "voicemail")
                return
        self._record(s, node, now, actions)

    def _record(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        mailbox = self._render(s, now, node.get("mailbox", "default"), "mailbox").strip() or "default"
        safe_box = re.sub(r"[^A-Za-z0-9_.-]", "_", mailbox)
        cid = re.sub(r"[^A-Za-z0-9_.-]", "_", str(s.call.get("call_id") or "call"))
        name = f"{self.recordings_prefix}/{safe_box}/{cid}-{int(now)}"
        s.phase = "record"
        s.scratch["mailbox"] = mailbox
        self._request(s, actions, Record(name, float(node.get("max_seconds", 120)),
                                         float(node.get("silence_seconds", 3)), bool(node.get("beep", True))),
                      "voicemail")

    def _answer_voicemail(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        if s.phase == "prompt":
            self._record(s, node, now, actions)
            return
        if s.phase == "record":
            if not isinstance(event, Recorded):
                raise _Fail(f"voicemail '{node.id}': recording failed ({type(event).__name__})")
            s.scratch["recording"] = event.result
            self._trace(s, now, "input", recording=event.result.path, duration=event.result.duration,
                        ended_by=event.result.ended_by)
            if node.get("goodbye") is not None:
                prompts = self._prompts(s, now, node.get("goodbye"))
                if prompts:
                    s.phase = "goodbye"
                    self._request(s, actions, Play(tuple(prompts)), "voicemail")
                    return
        rec = s.scratch.get("recording")
        actions.append(Hangup())
        self._finish(s, now, actions, IvrOutcome("voicemail", reason="flow", recording=rec,
                                                 mailbox=s.scratch.get("mailbox"), hung_up_by="ivr"))

    def _enter_hangup(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if node.get("prompt") is not None:
            prompts = self._prompts(s, now, node.get("prompt"))
            if prompts:
                self._request(s, actions, Play(tuple(prompts)), "hangup")
                return
        actions.append(Hangup())
        self._finish(s, now, actions, IvrOutcome("hangup", reason="flow", hung_up_by="ivr"))

    def _answer_hangup(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        actions.append(Hangup())
        self._finish(s, now, actions, IvrOutcome("hangup", reason="flow", hung_up_by="ivr"))

    # -- jumps ----------------------------------------------------------------------------------
    def _enter_goto(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if node.get("flow"):
            target = self.flows.get(node.get("flow"))
            if target is None:
                raise _Fail(f"goto '{node.id}': unknown flow '{node.get('flow')}'")
            s.flow = target.name
            self._goto(s, node.get("node") or target.start)
            self._adopt_language(s, target, now, actions)
            return
        self._goto(s, node.get("next"))

    def _adopt_language(self, s: IvrState, target: Flow, now: float, actions: list) -> None:
        """Entering a flow that does not speak the caller's language: switch to the flow's language."""
        if any(same_language(s.language, lang) for lang in target.all_languages):
            return
        s.language = target.language
        s.voice = target.voice
        s.variables["language"] = s.language
        self._trace(s, now, "language", language=s.language, reason=f"entered flow {target.name}")
        self._request(s, actions, SetLanguage(s.language, s.voice), "language_switch")

    def _enter_subflow(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        target = self.flows.get(node.get("flow"))
        if target is None:
            raise _Fail(f"subflow '{node.id}': unknown flow '{node.get('flow')}'")
        if len(s.stack) >= MAX_SUBFLOW_DEPTH:
            raise _Fail(f"subflow '{node.id}': more than {MAX_SUBFLOW_DEPTH} nested subflows")
        s.stack = s.stack + ((s.flow, node.get("next")),)
        s.flow = target.name
        self._goto(s, node.get("node") or target.start)
        self._adopt_language(s, target, now, actions)

    def _enter_return(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if not s.stack:
            actions.append(Hangup())
            self._finish(s, now, actions, IvrOutcome("hangup", reason="return outside a subflow", hung_up_by="ivr"))
            return
        (flow, target), s.stack = s.stack[-1], s.stack[:-1]
        s.flow = flow
        self._goto(s, target)


# ------------------------------------------------------------------------------------------------
# Pure helpers (also used by the validator and the console)

_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _day_keys(key: str) -> list[int]:
    if key == "daily":
        return list(range(7))
    if key == "weekdays":
        return list(range(5))
    if key == "weekend":
        return [5, 6]
    if "-" in key:
        a, b = key.split("-", 1)
        i, j = _DAYS.index(a), _DAYS.index(b)
        return list(range(i, j + 1)) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
    return [_DAYS.index(key)]


def _in_hours(spec: Any, local: datetime) -> bool:
    from .loader import parse_hours
    try:
        ranges = parse_hours(spec)
    except ValueError:
        return False
    if not ranges:
        return False
    t = local.time().replace(tzinfo=None)
    return any(start <= t and (end is None or t < end) for start, end in ranges)


@functools.lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one country/subdivision and year (python-holidays), cached."""
    try:
        import holidays as _hol
        return dict(_hol.country_holidays(country, subdiv=subdiv, years=year))
    except Exception:  # noqa: BLE001 - validated at load time; never fail a call for it
        return {}


def schedule_state(spec: Mapping[str, Any], now: float, tz_name: str) -> tuple[str, str]:
    """``("open" | "closed" | "holiday", why)`` for a schedule node spec at ``now`` (epoch seconds)."""
    try:
        tz = ZoneInfo(tz_name)
    except Exception:  # noqa: BLE001
        tz = timezone.utc
    local = datetime.fromtimestamp(now, tz)
    day: date = local.date()
    iso = day.isoformat()
    exceptions = spec.get("exceptions") or {}
    if iso in exceptions:
        return ("open" if _in_hours(exceptions[iso], local) else "closed"), f"exception {iso}"
    for h in spec.get("holidays") or []:
        h = str(h)
        if h == iso or (len(h) == 5 and h == iso[5:]):
            return "holiday", f"holiday {h}"
    cal = spec.get("holiday_calendar")
    if isinstance(cal, Mapping) and cal.get("country"):
        sub = cal.get("subdiv")
        name = _holiday_calendar(str(cal["country"]), str(sub) if sub else None, day.year).get(day)
        if name:
            return "holiday", f"public holiday: {name}"
    wd = local.weekday()
    hours = spec.get("hours") or {}
    matched = None
    # the most specific key wins: a single day over a range over daily/weekdays
    for key in sorted(hours, key=lambda k: (k in ("daily", "weekdays", "weekend"), "-" in k)):
        try:
            if wd in _day_keys(str(key)):
                matched = key
                break
        except ValueError:
            continue
    if matched is None:
        return "closed", f"no hours for {_DAYS[wd]}"
    is_open = _in_hours(hours[matched], local)
    return ("open" if is_open else "closed"), f"{matched} {hours[matched]} at {local.strftime('%a %H:%M %Z')}"


def json_path(body: Any, path: str) -> Any:
    """``order.items.0.name`` -> the value, or None when a part is missing."""
    cur = body
    for part in path.split("."):
        if part == "":
            continue
        if isinstance(cur, Mapping):
            cur = cur.get(part)
        elif isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return None
        else:
            return None
        if cur is None:
            return None
    return cur
