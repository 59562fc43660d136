"""IVR node handlers that play, decide (set, branch, schedule), look up (http), pick a language, end the IVR
(queue, transfer, voicemail, hangup) or move between flows (goto, subflow, return).

Methods of the :class:`~callcenter.ivr.interpreter.Interpreter` mixin. Pure: no I/O, time passed in.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from .expr import truthy
from .flow import Flow, Node, same_language
from .outcome import CallbackOffer, IvrOutcome, QueueRequest
from .messages import Hangup, HttpDone, HttpRequest, LanguageSet, Play, Record, Recorded, SetLanguage, Transfer
from .state import ALL_KEYS, MAX_SUBFLOW_DEPTH, IvrState, IvrAbort
from .schedule import schedule_state
from .jsonpath import json_path


class FlowNodes:
    """Nodes that play, decide, look up, hand over or move between flows (a mixin of ``Interpreter``)."""

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
    def _play_first(self, s: IvrState, node: Node, now: float, actions: list, waiting: str) -> bool:
        """Play an ending node's own prompt before it acts; True while that prompt plays."""
        prompts = self._prompts(s, now, node.get("prompt")) if node.get("prompt") is not None else []
        if prompts:
            self._request(s, actions, Play(tuple(prompts)), waiting)
        return bool(prompts)

    def _enter_queue(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if s.phase != "queued" and self._play_first(s, node, now, actions, "queue"):
            s.phase = "queued"
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
                            float(max_wait) if max_wait is not None else None, offer, node.get("record"))

    def _enter_transfer(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        if self._play_first(s, node, now, actions, "transfer"):
            return
        self._do_transfer(s, node, now, actions)

    def _answer_transfer(self, s: IvrState, node: Node, event: Any, now: float, actions: list) -> None:
        s.waiting = None
        self._do_transfer(s, node, now, actions)

    def _do_transfer(self, s: IvrState, node: Node, now: float, actions: list) -> None:
        dest = self._render(s, now, node.get("to"), "to").strip()
        if not dest:
            raise IvrAbort(f"transfer '{node.id}': empty destination")
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
                raise IvrAbort(f"voicemail '{node.id}': recording failed ({type(event).__name__})")
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
        if self._play_first(s, node, now, actions, "hangup"):
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
                raise IvrAbort(f"goto '{node.id}': unknown flow '{node.get('flow')}'")
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
            raise IvrAbort(f"subflow '{node.id}': unknown flow '{node.get('flow')}'")
        if len(s.stack) >= MAX_SUBFLOW_DEPTH:
            raise IvrAbort(f"subflow '{node.id}': more than {MAX_SUBFLOW_DEPTH} nested subflows")
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
