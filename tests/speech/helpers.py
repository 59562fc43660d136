"""Shared helpers for the speech tests."""
from __future__ import annotations

from callcenter.speech.recognizers import ACCEPT


def phrase_found(r):
    """The phrase a menu recognition found: ``matched`` when confident enough (then the confidence is
    at least the acceptance point), else the closest phrase a no-match names (a clear espeak-ng clip
    may land under the acceptance point: then it is "no match" naming the right phrase, never
    another phrase as the choice)."""
    if r.matched is not None:
        assert r.confidence >= ACCEPT and not r.no_match
        return r.matched
    assert r.no_match and r.confidence < ACCEPT
    return r.alternatives[0][0] if r.alternatives else None
