"""What the audio of each side shows, without the words (pure numpy, no I/O).

Per side, in frames of :data:`FRAME_S` seconds: level (dBFS), whether someone is speaking (level above
the side's own noise floor), pitch of voiced frames (autocorrelation, 70-400 Hz). From the two sides
together: talk time per side, overtalk (both speaking at once), silences (neither speaking), and per
turn how much louder / higher the speaker is than usual for them (their median over the call).

>>> side = SideAudio.from_samples(samples, 8000)          # int16 mono of one channel
>>> flow = conversation_flow(caller_side, agent_side)       # talk, overtalk, silences
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

FRAME_S = 0.04
#: a side is speaking when its level is this many dB above its noise floor ...
ACTIVE_OVER_FLOOR_DB = 12.0
#: ... and above this absolute level (digital silence / line hiss is never speech); a level above
#: ACTIVE_SURE_DBFS is speech whatever the floor (a side that talks nearly all the time has no quiet floor)
ACTIVE_MIN_DBFS = -50.0
ACTIVE_SURE_DBFS = -35.0
#: pauses shorter than this inside speech are still speech (between words)
HANGOVER_S = 0.3
#: overtalk shorter than this is a back-channel ("mm-hm"), not talking over each other
OVERTALK_MIN_S = 0.3
#: silences shorter than this are the normal gap between turns
SILENCE_MIN_S = 1.0
#: a silence at least this long is reported as a long silence (dead air)
LONG_SILENCE_S = 5.0
PITCH_MIN_HZ, PITCH_MAX_HZ = 70.0, 400.0
BASELINE_PERCENTILE = 30


Interval = tuple[float, float]


@dataclass(frozen=True)
class SideAudio:
    """One channel's frames: level in dBFS, speaking or not, pitch in Hz (0 = unvoiced)."""
    level_db: np.ndarray
    active: np.ndarray
    pitch: np.ndarray
    frame_s: float = FRAME_S

    @classmethod
    def from_samples(cls, samples: np.ndarray, rate: int, frame_s: float = FRAME_S) -> "SideAudio":
        x = np.asarray(samples, dtype=np.float64)
        f = max(1, int(round(frame_s * rate)))
        n = len(x) // f
        frames = x[: n * f].reshape(n, f) if n else np.zeros((0, f))
        rms = np.sqrt((frames ** 2).mean(axis=1)) if n else np.zeros(0)
        level = 20 * np.log10(np.maximum(rms, 1e-3) / 32768.0)
        active = _activity(level, frame_s)
        pitch = np.zeros(n)
        if active.any():
            idx = np.nonzero(active)[0]
            pitch[idx] = _pitch(frames[idx], rate)
        return cls(level, active, pitch, frame_s)

    @property
    def duration(self) -> float:
        return len(self.level_db) * self.frame_s

    def segments(self, min_gap: float = 0.5, pad: float = 0.2) -> list[Interval]:
        """Stretches of speech (gaps under ``min_gap`` s joined), each widened by ``pad`` s: what a
        recognizer is given instead of the whole channel (silence costs nothing to decode)."""
        spans = _merge(_runs(self.active, self.frame_s), min_gap)
        dur = self.duration
        return _merge([(max(0.0, a - pad), min(dur, b + pad)) for a, b in spans], 0.0)

    def talk_s(self) -> float:
        return float(self.active.sum()) * self.frame_s

    def window(self, start: float, end: float) -> slice:
        return slice(int(start / self.frame_s), max(int(start / self.frame_s) + 1, int(np.ceil(end / self.frame_s))))

    def baseline(self) -> tuple[float, float]:
        """The side's usual level (dB) and pitch (Hz): each stretch of speech's median, then the 30th
        percentile of those, so that a call with few turns, one of them shouted, keeps the calm voice
        as its baseline (and a turn is compared with turns, not with single syllables)."""
        levels, pitches = [], []
        for a, b in self.segments(pad=0.0):
            w = self.window(a, b)
            lv = self.level_db[w][self.active[w]]
            pv = self.pitch[w][self.pitch[w] > 0]
            if len(lv):
                levels.append(float(np.median(lv)))
            if len(pv):
                pitches.append(float(np.median(pv)))
        return (float(np.percentile(levels, BASELINE_PERCENTILE)) if levels else ACTIVE_MIN_DBFS,
                float(np.percentile(pitches, BASELINE_PERCENTILE)) if pitches else 0.0)


def _activity(level: np.ndarray, frame_s: float) -> np.ndarray:
    if len(level) == 0:
        return np.zeros(0, dtype=bool)
    floor = float(np.percentile(level, 10))
    active = level > max(ACTIVE_MIN_DBFS, min(floor + ACTIVE_OVER_FLOOR_DB, ACTIVE_SURE_DBFS))
    # close short gaps (between words), then drop specks shorter than two frames (clicks)
    hang = max(1, int(HANGOVER_S / frame_s))
    out = active.copy()
    idx = np.nonzero(active)[0]
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= hang:
            out[a:b] = True
    for a, b in _runs_idx(out):
        if b - a < 2:
            out[a:b] = False
    return out


def _pitch(frames: np.ndarray, rate: int) -> np.ndarray:
    """Autocorrelation pitch of each frame (0 where not clearly voiced)."""
    x = frames - frames.mean(axis=1, keepdims=True)
    n = x.shape[1]
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spec = np.fft.rfft(x, size, axis=1)
    ac = np.fft.irfft(spec * np.conj(spec), size, axis=1)[:, :n]
    lo, hi = int(rate / PITCH_MAX_HZ), min(n - 1, int(rate / PITCH_MIN_HZ))
    if hi <= lo:
        return np.zeros(len(frames))
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    peak = ac[np.arange(len(ac)), lag]
    voiced = peak > 0.3 * np.maximum(ac[:, 0], 1e-9)
    return np.where(voiced, rate / lag, 0.0)


def _runs_idx(mask: np.ndarray) -> list[tuple[int, int]]:
    if len(mask) == 0:
        return []
    d = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return list(zip(np.nonzero(d == 1)[0].tolist(), np.nonzero(d == -1)[0].tolist()))


def _runs(mask: np.ndarray, frame_s: float) -> list[Interval]:
    return [(a * frame_s, b * frame_s) for a, b in _runs_idx(mask)]


def _merge(spans: Sequence[Interval], gap: float) -> list[Interval]:
    out: list[list[float]] = []
    for a, b in sorted(spans):
        if out and a - out[-1][1] <= gap:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


# --------------------------------------------------------------------------------------------------
# Both sides

@dataclass(frozen=True)
class ConversationFlow:
    duration: float
    talk_s: dict[str, float]
    overtalk: list[Interval]
    silences: list[Interval]          # neither side speaking for SILENCE_MIN_S or more

    @property
    def overtalk_s(self) -> float:
        return sum(b - a for a, b in self.overtalk)

    @property
    def silence_s(self) -> float:
        return sum(b - a for a, b in self.silences)

    def long_silences(self, at_least: float = LONG_SILENCE_S) -> list[Interval]:
        return [(a, b) for a, b in self.silences if b - a >= at_least]

    def metrics(self) -> dict[str, float]:
        """The figures scorecards (``metric`` rules) and reports use, by name (see :data:`METRICS`)."""
        d = self.duration or 1e-9
        caller, agent = self.talk_s.get("caller", 0.0), self.talk_s.get("agent", 0.0)
        return {
            "duration_s": round(self.duration, 2),
            "caller_talk_s": round(caller, 2),
            "agent_talk_s": round(agent, 2),
            "talk_listen_ratio": round(agent / caller, 3) if caller > 0 else (0.0 if agent == 0 else 99.0),
            "overtalk_s": round(self.overtalk_s, 2),
            "overtalk_pct": round(100 * self.overtalk_s / d, 2),
            "silence_s": round(self.silence_s, 2),
            "silence_pct": round(100 * self.silence_s / d, 2),
            "longest_silence_s": round(max((b - a for a, b in self.silences), default=0.0), 2),
        }

    def to_dict(self) -> dict[str, Any]:
        return {**self.metrics(), "overtalk": [[round(a, 2), round(b, 2)] for a, b in self.overtalk],
                "silences": [[round(a, 2), round(b, 2)] for a, b in self.silences]}


#: the names a scorecard's ``metric`` rule may use (every key of ConversationFlow.metrics, plus these)
METRICS = ("duration_s", "caller_talk_s", "agent_talk_s", "talk_listen_ratio", "overtalk_s", "overtalk_pct",
           "silence_s", "silence_pct", "longest_silence_s", "hold_s", "longest_hold_s", "risk_hits",
           "caller_mood", "agent_mood")


def conversation_flow(caller: SideAudio, agent: SideAudio) -> ConversationFlow:
    n = max(len(caller.active), len(agent.active))
    fs = caller.frame_s
    c = np.zeros(n, dtype=bool)
    a = np.zeros(n, dtype=bool)
    c[: len(caller.active)] = caller.active
    a[: len(agent.active)] = agent.active
    over = [(x, y) for x, y in _runs(c & a, fs) if y - x >= OVERTALK_MIN_S]
    quiet = [(x, y) for x, y in _runs(~(c | a), fs) if y - x >= SILENCE_MIN_S]
    return ConversationFlow(n * fs, {"caller": caller.talk_s(), "agent": agent.talk_s()}, over, quiet)


@dataclass(frozen=True)
class Prosody:
    """How a stretch of one side's speech compares with that side's usual voice."""
    level_rise_db: float      # louder than the speaker's median, dB
    pitch_rise: float         # higher than the speaker's median pitch, as a fraction (0.2 = 20 % higher)
    overtalk_s: float         # seconds of this stretch spent talking over the other side

    def arousal(self) -> float:
        """0..1: how agitated the voice sounds (louder, higher, talking over the other side)."""
        loud = np.clip((self.level_rise_db - 2.0) / 5.0, 0.0, 1.0)
        high = np.clip((self.pitch_rise - 0.05) / 0.2, 0.0, 1.0)
        over = np.clip(self.overtalk_s / 2.0, 0.0, 1.0)
        return float(np.clip(0.45 * loud + 0.35 * high + 0.2 * over, 0.0, 1.0))

    def to_dict(self) -> dict[str, float]:
        return {"level_rise_db": round(self.level_rise_db, 2), "pitch_rise": round(self.pitch_rise, 3),
                "overtalk_s": round(self.overtalk_s, 2), "arousal": round(self.arousal(), 3)}


def prosody(side: SideAudio, start: float, end: float, overtalk: Sequence[Interval] = ()) -> Prosody:
    base_level, base_pitch = side.baseline()
    w = side.window(start, end)
    act = side.active[w]
    lv = side.level_db[w][act]
    pv = side.pitch[w][side.pitch[w] > 0]
    level = float(np.median(lv)) if len(lv) else base_level
    pitch = float(np.median(pv)) if len(pv) and base_pitch > 0 else base_pitch
    over = sum(max(0.0, min(b, end) - max(a, start)) for a, b in overtalk)
    return Prosody(level - base_level, (pitch / base_pitch - 1.0) if base_pitch > 0 else 0.0, over)
