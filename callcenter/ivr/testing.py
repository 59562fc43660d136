"""A scripted channel: a test double that plays the caller from a list of inputs.

Script items (consumed each time the IVR waits for the caller):

* ``"1"``, ``"1234#"``: keys pressed;
* ``"say:billing please"`` (optionally ``"say:billing@0.4"`` for a confidence): speech;
* ``""`` or ``None``: silence (the wait times out);
* ``"noise"``: speech that is not understood (empty text, confidence 0.1);
* ``"hangup"``: the caller hangs up.

A ``play`` with barge-in consumes an item only when the next item is ``"barge:5"``. When the script
runs out the caller hangs up. Everything the IVR did is in :attr:`ScriptedChannel.log`.
"""
from __future__ import annotations

from typing import Any, Iterable, Sequence

from ..speech.api import Recognition
from .channel import CallerHungUp, CallInfo, Channel, DigitsResult, Prompt, RecordResult


class ScriptedChannel(Channel):
    def __init__(self, script: Iterable[Any] = (), *, speech: bool = True, info: CallInfo | None = None,
                 recordings_dir: str = "/tmp/callcenter-test-recordings") -> None:
        self.script = list(script)
        self._speech = speech
        self.info = info or CallInfo(call_id="test-call", caller="+15550001111", did="1000")
        self.recordings_dir = recordings_dir
        self.log: list[tuple[str, Any]] = []
        self.prompts: list[Prompt] = []
        self.hung_up = False
        self.transferred_to: str | None = None
        self.variables: dict[str, str] = {}

    @property
    def speech_available(self) -> bool:
        return self._speech

    def _next(self) -> Any:
        if self.hung_up:
            raise CallerHungUp()
        if not self.script:
            self.hung_up = True
            raise CallerHungUp()
        item = self.script.pop(0)
        if item == "hangup":
            self.hung_up = True
            raise CallerHungUp()
        return item

    @property
    def texts(self) -> list[str]:
        """The text of every prompt played so far."""
        return [p.value for p in self.prompts]

    async def answer(self) -> None:
        self.log.append(("answer", None))

    async def play(self, prompts: Sequence[Prompt], escape_digits: str = "") -> str | None:
        if self.hung_up:
            raise CallerHungUp()
        self.prompts.extend(prompts)
        self.log.append(("play", [p.value for p in prompts]))
        if escape_digits and self.script and isinstance(self.script[0], str) and self.script[0].startswith("barge:"):
            d = self.script.pop(0)[6:7]
            return d if d and d in escape_digits else None
        return None

    async def collect_digits(self, prompts: Sequence[Prompt], max_digits: int, timeout: float,
                             terminator: str = "#", inter_digit_timeout: float = 3.0) -> DigitsResult:
        self.prompts.extend(prompts)
        self.log.append(("collect", [p.value for p in prompts]))
        item = self._next()
        if item is None or item == "" or not isinstance(item, str) or item.startswith(("say:", "noise")):
            return DigitsResult("", True)
        digits = "".join(c for c in item if c in "0123456789*#")
        if terminator and terminator in digits:
            return DigitsResult(digits.split(terminator)[0][:max_digits], False)
        return DigitsResult(digits[:max_digits], len(digits) < max_digits)

    async def wait_digit(self, timeout: float) -> str | None:
        item = self._next()
        return item[0] if isinstance(item, str) and item and item[0] in "0123456789*#" else None

    async def record(self, name: str, max_seconds: float, silence_seconds: float = 2.0,
                     escape_digits: str = "#", beep: bool = True) -> RecordResult:
        self.log.append(("record", name))
        item = self._next()
        return RecordResult(f"{self.recordings_dir}/{name}.wav", 4.0, "silence" if item != "#" else "dtmf")

    async def recognize(self, prompts: Sequence[Prompt], phrases: Sequence[str] | None, timeout: float = 5.0,
                        language: str | None = None, escape_digits: str = "0123456789*#",
                        barge_in: bool | None = None) -> Recognition | None:
        if not self._speech:
            return None
        self.prompts.extend(prompts)
        self.log.append(("recognize", [p.value for p in prompts]))
        item = self._next()
        if item is None or item == "":
            return Recognition("", 0.0)
        if not isinstance(item, str):
            return Recognition(str(item), 0.5)
        if item == "noise":
            return Recognition("", 0.1)
        if item.startswith("say:"):
            text, _, conf = item[4:].partition("@")
            try:
                c = float(conf) if conf else 0.9
            except ValueError:
                c = 0.9
            return Recognition(text, c)
        return Recognition("", 1.0, digits=item)

    async def get_variable(self, name: str) -> str | None:
        return self.variables.get(name)

    async def set_variable(self, name: str, value: str) -> None:
        self.variables[name] = value

    async def set_language(self, language: str) -> None:
        self.log.append(("language", language))
        self.info.language = language

    async def exec_app(self, app: str, args: str = "") -> int:
        self.log.append(("exec", (app, args)))
        return 0

    async def transfer(self, destination: str) -> None:
        self.log.append(("transfer", destination))
        self.transferred_to = destination

    async def hangup(self) -> None:
        self.log.append(("hangup", None))
        self.hung_up = True
