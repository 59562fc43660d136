"""IVR node handlers that wait for the caller's keys or speech (menu, collect, ask) and classify intents.

Methods of the :class:`~callcenter.ivr.interpreter.Interpreter` mixin: ``_enter_<type>`` starts a node,
``_answer_<type>`` takes the event that answers its request. Pure: no I/O, time passed in.
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from ..speech.api import Recognition
from .channel import Prompt
from .flow import Node, readback_lead, select_language
from .messages import CollectDigits, Play, Recognize, Speech
from .state import IvrState, IvrAbort


def _no_match(event: Any) -> bool:
    """A recognition that is the answer "none of the expected phrases" (``Recognition.no_match``)."""
    return isinstance(event, Speech) and event.recognition is not None and bool(
        getattr(event.recognition, "no_match", False)) and not event.recognition.digits


class CallerInputNodes:
    """Nodes that listen to the caller: menu, collect, ask; and intent (a mixin of ``Interpreter``)."""

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
            self._request(s, actions, Recognize(prompts, phrases, timeout, s.language, node.get("barge_in")), "menu")
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
        elif _no_match(event):
            # the recognizer was restricted to the menu's phrases and says it was none of them
            self._trace(s, now, "recognition", text=text, confidence=conf, matched=None, no_match=True)
            s.variables["last_utterance"] = text
        elif text:
            threshold = float(node.get("threshold", 0.6))
            rec = event.recognition if isinstance(event, Speech) else None
            key, score = self._match(s, options, text, rec, threshold)
            if key is not None and conf < float(node.get("min_confidence", 0.2)):
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
                    raise IvrAbort(f"ask '{node.id}': speech unavailable and no dtmf fallback or on_fail")
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
        self._request(s, actions, Recognize(prompts, phrases, timeout, s.language, node.get("barge_in")), "ask")

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
        elif _no_match(event):
            self._trace(s, now, "recognition", text=text, confidence=conf, matched=None, no_match=True)
            s.variables["last_utterance"] = text
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
            if value is not None and conf < float(node.get("min_confidence", 0.2)):
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
            raise IvrAbort(f"ask '{node.id}': no 'next' for answer '{value}'")
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
