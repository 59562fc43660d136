"""One call's analysis from its transcript and the two sides' audio (pure: no I/O, no clock).

:func:`analyze` joins the parts: speaker turns, talk / overtalk / silence figures, risk-word hits, mood
per turn and per call, and the QA scorecard's result, into one JSON-ready dict (what the store keeps
in ``call_analyses`` and the API returns). A part that cannot be done (a scorecard that does not load)
is reported under ``errors`` and the other parts are still there.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from .acoustics import ConversationFlow, SideAudio, conversation_flow, prosody
from .conversation import Transcript, conversation_text
from .mood import call_mood, text_scorer, turn_moods
from .riskwords import RiskLists
from .scorecard import CallFacts, Scorecard, evaluate, pick_scorecard

#: a mutual silence at least this long counts as a hold when the recording marks none
HOLD_SILENCE_S = 20.0


def analyze(transcript: Transcript, caller: SideAudio, agent: SideAudio, *, queue: str | None = None,
            risk: RiskLists | None = None, scorecards: Sequence[Scorecard] = (),
            holds: Sequence[tuple[float, float]] | None = None, errors: Sequence[str] = (),
            gaps: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """``holds``: the call's holds as (start, end) seconds, when the call knows them; None: mutual
    silences of :data:`HOLD_SILENCE_S` or more are taken as holds. ``gaps``: where the recording was
    paused (``{offset, duration}``: the audio is cut at ``offset``; the call went on ``duration`` s)."""
    flow = conversation_flow(caller, agent)
    holds = _holds(flow, holds)
    audio = {"caller": caller, "agent": agent}
    pros = [prosody(audio[t.side], t.start, t.end, flow.overtalk) for t in transcript.turns]
    moods = turn_moods(transcript.turns, pros, text_scorer(transcript.language))
    mood = call_mood(moods, transcript.language)
    hits = [h.to_dict() for h in (risk.scan(transcript.words, queue, transcript.language) if risk else [])]
    metrics = {**flow.metrics(),
               "hold_s": round(sum(b - a for a, b in holds), 2),
               "longest_hold_s": round(max((b - a for a, b in holds), default=0.0), 2),
               "risk_hits": len(hits),
               "caller_mood": mood["sides"]["caller"]["mood"],
               "agent_mood": mood["sides"]["agent"]["mood"]}
    out: dict[str, Any] = {
        "language": transcript.language, "engine": transcript.engine, "duration": round(transcript.duration, 2),
        "text": conversation_text(transcript.turns),
        "turns": [{**t.to_dict(), **p.to_dict()} for t, p in zip(transcript.turns, pros)],
        "words": [w.to_dict() for w in transcript.words],
        "flow": flow.to_dict(), "holds": [[round(a, 2), round(b, 2)] for a, b in holds],
        "metrics": metrics, "risk_hits": hits, "mood": mood, "qa": None, "errors": list(errors),
        "gaps": [dict(g) for g in gaps],
    }
    card = pick_scorecard(scorecards, queue, transcript.language)
    if card is not None:
        facts = CallFacts(transcript.words, transcript.duration, metrics, holds, flow.silences, hits)
        out["qa"] = evaluate(card, facts)
    return out


def _holds(flow: ConversationFlow, given: Sequence[tuple[float, float]] | None) -> list[tuple[float, float]]:
    if given is not None:
        return [(float(a), float(b)) for a, b in given]
    return flow.long_silences(HOLD_SILENCE_S)
