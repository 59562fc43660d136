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
from datetime import timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from .channel import CallInfo, Prompt
from .expr import EvalContext, ExprError, evaluate, parse, parse_template, render
from .flow import Flow, Node, prompt_items, same_language, select_language_key
from .outcome import IvrOutcome, QueueRequest, TraceEntry
from .messages import (REQUESTS, CollectDigits, Digits, Failed, Finish, Hangup, HttpDone,  # noqa: F401 (re-exported)
                       HttpRequest, HungUp, LanguageSet, Play, PlayDone, Recognize, Record, Recorded, SetLanguage,
                       Speech, Started, Transfer)
from .nodes_flow import FlowNodes
from .nodes_input import CallerInputNodes
from .state import ALL_KEYS, MAX_TRACE, MAX_TRANSITIONS, IvrAbort, IvrState, call_dict
from .jsonpath import json_path  # noqa: F401
from .schedule import schedule_state  # noqa: F401

__all__ = ["Interpreter", "IvrState", "schedule_state", "json_path",
           "Started", "PlayDone", "Digits", "Speech", "Recorded", "HttpDone", "LanguageSet", "HungUp", "Failed",
           "Play", "CollectDigits", "Recognize", "Record", "HttpRequest", "SetLanguage", "Transfer", "Hangup",
           "Finish", "REQUESTS"]


class Interpreter(CallerInputNodes, FlowNodes):
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
        cd = call_dict(call)
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
                raise IvrAbort(f"channel failed: {event.error}")
            elif isinstance(event, Started):
                s.speech = bool(event.speech_available)
                if not same_language(s.language, str(s.call.get("language") or s.language)):
                    # the caller's channel speaks another language than this flow: tell it
                    self._request(s, actions, SetLanguage(s.language, s.voice), "language_switch")
                else:
                    self._run(s, now, actions)
            else:
                self._on_event(s, event, now, actions)
        except IvrAbort as exc:
            self._fallback(s, now, str(exc))
            actions = [Finish(s.outcome)]
        except Exception as exc:  # noqa: BLE001 - the interpreter never raises to its caller
            self._fallback(s, now, f"internal error: {type(exc).__name__}: {exc}")
            actions = [Finish(s.outcome)]
        if not actions or not isinstance(actions[-1], (*REQUESTS, Finish)):
            self._fallback(s, now, "internal error: no action to perform")
            actions = [Finish(s.outcome)]
        return s, actions

    def upcoming_prompts(self, state: IvrState, now: float) -> list[Prompt]:
        """The static prompts the flow may play after the node ``state`` waits in (``lookahead.py``):
        what a channel may render while the caller listens, so the next prompt is ready."""
        from .lookahead import upcoming_prompts
        return upcoming_prompts(self, state, now)

    # -- helpers ------------------------------------------------------------------------------
    def _cur_flow(self, s: IvrState) -> Flow:
        f = self.flows.get(s.flow)
        if f is None:
            raise IvrAbort(f"unknown flow '{s.flow}'")
        return f

    def _node(self, s: IvrState) -> Node:
        f = self._cur_flow(s)
        n = f.nodes.get(s.node or "")
        if n is None:
            raise IvrAbort(f"flow '{f.name}' has no node '{s.node}'")
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
                raise IvrAbort("a transition leads nowhere")
            node = self._node(s)
            self._trace(s, now, "enter", type=node.type)
            getattr(self, f"_enter_{node.type}")(s, node, now, actions)
        raise IvrAbort(f"more than {MAX_TRANSITIONS} nodes without waiting for the caller (a loop?)")

    def _on_event(self, s: IvrState, event: Any, now: float, actions: list) -> None:
        if s.waiting is None:
            raise IvrAbort(f"unexpected {type(event).__name__} while not waiting")
        if s.waiting == "language_switch":
            s.waiting = None
            if isinstance(event, LanguageSet):
                s.speech = bool(event.speech_available)
            self._run(s, now, actions)      # enter the node we were about to enter
            return
        node = self._node(s)
        handler = getattr(self, f"_answer_{node.type}", None)
        if handler is None:
            raise IvrAbort(f"node type {node.type} got {type(event).__name__}")
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
            # no match is an answer (speech that is none of the phrases), never silence
            return "", text, max(0.0, min(1.0, conf)), not text and not getattr(r, "no_match", False)
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
