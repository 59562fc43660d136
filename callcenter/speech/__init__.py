"""Speech: recognition (vosk, pocketsphinx), synthesis with a prompt cache, intents.

Entry points (imported lazily so that ``import callcenter.speech`` stays cheap):

* :class:`callcenter.speech.service.SpeechService`: built from the configuration; ``recognizer_for``,
  ``recognize_file``, ``synthesizer``, ``status``.
* :mod:`callcenter.speech.intents`: ``IntentClassifier``, ``match_phrase``, ``normalize`` (pure).
* :mod:`callcenter.speech.api`: the contract (``Recognizer``, ``Synthesizer``, ``SpeechUnavailable``).
"""
from __future__ import annotations

__all__ = ["SpeechService", "SpeechUnavailable", "IntentClassifier", "IntentSpec", "IntentResult",
           "match_phrase", "normalize"]


def __getattr__(name: str):
    if name == "SpeechService":
        from .service import SpeechService
        return SpeechService
    if name == "SpeechUnavailable":
        from .api import SpeechUnavailable
        return SpeechUnavailable
    if name in ("IntentClassifier", "IntentSpec", "IntentResult", "match_phrase", "normalize"):
        from . import intents
        return getattr(intents, name)
    raise AttributeError(name)
