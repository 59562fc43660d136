"""Recognition backends: vosk (first choice) and pocketsphinx (bundled English fallback).

Both implement :class:`callcenter.speech.api.Recognizer`:

* ``recognize_file(path, language, phrases)`` (async) reads the recording (any format, 8 kHz
  telephone audio is resampled to the models' 16 kHz), runs the decoder in the worker pool (off the
  event loop; vosk's and pocketsphinx's C code release the GIL, so threads run in parallel) and
  returns a :class:`~callcenter.speech.api.Recognition`;
* ``recognize_samples`` / ``recognize_file_sync``: the same, synchronously (CLI, benchmarks);
* ``stream(language, sample_rate, phrases)``: feed PCM chunks, get partial hypotheses, then
  ``finish()`` for the final result (for a live audio path).

Menus (``phrases`` given): the answer is scored against the expected phrases AND against something
that is not restricted to them, and the comparison is the confidence.

* vosk: one decode per expected phrase (a grammar of that phrase alone: vosk builds a bigram from its
  grammar list, so a grammar of all the phrases mixes and cuts them, "영업 연결", "pay"), then one free
  decode with the model's own language model. The phrase that came out whole with the best path
  score is the candidate; margin = its score minus the free decode's, per second of speech.
* pocketsphinx: one JSGF decode of the phrases. Its acoustic scores are normalized by the best senone
  of each frame, so the words' score per frame is a likelihood ratio against a free senone loop; and
  speech forced onto a short phrase leaves loud frames the grammar path spends in silence or fillers.
  margin = the words' score per frame + :data:`SPHINX_COVERAGE_WEIGHT` x the share of loud frames the
  words cover.

A logistic curve fitted on the tuning half of ``bench/speech_accuracy.py`` (:data:`VOSK_CALIBRATION`,
:data:`SPHINX_CALIBRATION`) turns the margin into a confidence; 0.5 (:data:`ACCEPT`) is the
acceptance point. The result:

* ``matched`` is set only when the restricted decode gave one whole expected phrase (pocketsphinx's
  grammar search can also end inside one, "pay my") AND the confidence is at least :data:`ACCEPT`;
  ``confidence`` is then the calibrated confidence;
* otherwise ``no_match`` is True (the menu takes its no-match branch, the IVR does not guess from
  the text), ``text`` is what the unrestricted decode heard (vosk) or the restricted one
  (pocketsphinx), ``confidence`` stays below :data:`ACCEPT` and ``alternatives`` names the closest
  phrase with its confidence;
* silence (no word in either decode) is an empty text: no input.

Free speech (no phrases): one decode; confidence is the mean of the word confidences the decoder
gives (vosk: MBR word posteriors; pocketsphinx: word posteriors from the lattice), weighted by word
duration. vosk's N-best list when ``nbest`` > 0 (a second decoding pass fed with the same audio).
"""
from __future__ import annotations

from .backend import ModelLoadError, shared_pool, worker_count  # noqa: F401 (the public names of recognition)
from .menu import (ACCEPT, SPHINX_CALIBRATION, SPHINX_COVERAGE_WEIGHT, VOSK_CALIBRATION,  # noqa: F401
                   VOSK_LEAD_WEIGHT, Calibration, MenuEvidence, sphinx_margin, vosk_margin)
from .sphinx_backend import PocketsphinxRecognizer  # noqa: F401
from .vosk_backend import VoskRecognizer  # noqa: F401
