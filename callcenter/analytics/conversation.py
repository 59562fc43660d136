"""What a two-party call is made of after transcription: timed words per side, speaker turns (pure).

A recording is stereo, caller on the left channel and agent on the right, so who said a word is known
from the channel it came from, not guessed. Times are seconds from the start of the recording.

>>> words = [Word("agent", 0.5, 0.9, "hello"), Word("caller", 2.0, 2.4, "hi")]
>>> [t.text for t in build_turns(words)]
['hello', 'hi']
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

SIDES = ("caller", "agent")
#: channel index of each side in a stereo recording
CHANNEL_OF = {"caller": 0, "agent": 1}
#: a pause longer than this inside one side's speech starts a new turn
TURN_GAP_S = 1.5


def mmss(t: float) -> str:
    """``133.4`` -> ``"02:13"`` (how times are shown to a supervisor)."""
    t = max(0, int(t))
    return f"{t // 60:02d}:{t % 60:02d}"


@dataclass(frozen=True)
class Word:
    side: str
    start: float
    end: float
    text: str
    conf: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "start": round(self.start, 3), "end": round(self.end, 3), "text": self.text,
                "conf": round(self.conf, 3)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Word":
        return cls(d["side"], float(d["start"]), float(d["end"]), d["text"], float(d.get("conf", 1.0)))


@dataclass(frozen=True)
class Turn:
    """One side speaking without a pause longer than :data:`TURN_GAP_S`."""
    side: str
    start: float
    end: float
    words: tuple[Word, ...] = ()

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def duration(self) -> float:
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "start": round(self.start, 3), "end": round(self.end, 3), "text": self.text}


@dataclass
class Transcript:
    """Both sides of one call: every word with its time and side, and the turns built from them."""
    language: str
    duration: float
    words: list[Word] = field(default_factory=list)
    engine: str = ""
    turns: list[Turn] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.words.sort(key=lambda w: (w.start, w.side))
        if not self.turns:
            self.turns = build_turns(self.words)

    def side_words(self, side: str) -> list[Word]:
        return [w for w in self.words if w.side == side]

    def text(self, side: str | None = None) -> str:
        return " ".join(w.text for w in self.words if side is None or w.side == side)

    def to_dict(self) -> dict[str, Any]:
        return {"language": self.language, "duration": round(self.duration, 3), "engine": self.engine,
                "words": [w.to_dict() for w in self.words], "turns": [t.to_dict() for t in self.turns]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Transcript":
        return cls(d.get("language", ""), float(d.get("duration", 0.0)),
                   [Word.from_dict(w) for w in d.get("words", [])], d.get("engine", ""))


def build_turns(words: Iterable[Word], gap: float = TURN_GAP_S) -> list[Turn]:
    """Group each side's words into turns (a pause over ``gap`` seconds ends one), in time order.
    Turns of the two sides may overlap in time (overtalk)."""
    turns: list[Turn] = []
    for side in SIDES:
        current: list[Word] = []
        for w in sorted((w for w in words if w.side == side), key=lambda w: w.start):
            if current and w.start - current[-1].end > gap:
                turns.append(_turn(side, current))
                current = []
            current.append(w)
        if current:
            turns.append(_turn(side, current))
    turns.sort(key=lambda t: (t.start, t.side))
    return turns


def _turn(side: str, words: Sequence[Word]) -> Turn:
    return Turn(side, words[0].start, max(w.end for w in words), tuple(words))


def conversation_text(turns: Iterable[Turn]) -> str:
    """The searchable text of a call: every turn's words, in time order."""
    return "\n".join(t.text for t in turns if t.text)
