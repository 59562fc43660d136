"""After the call: recordings, the durable job queue, and conversation analytics on stereo recordings
(caller left, agent right); docs/recordings.md and docs/analytics.md.

Recordings and the job queue (docs/recordings.md):

* :mod:`.jobs`: :class:`JobQueue`, the durable job queue and its worker pool (off the call path);
* :mod:`.policy`: which calls are recorded (pure);
* :mod:`.recorder`: the live side: MixMonitor at answer, pause / resume, the end of the call;
* :mod:`.finalize`: the post-call job turning Asterisk's file into a checked stereo WAV;
* :mod:`.retention`: the sweep deleting expired recordings and their derived data.

Pure cores (no I/O, no clock):

* :mod:`.conversation`: timed words per side, speaker turns;
* :mod:`.acoustics`: level, speech activity and pitch per side; talk, overtalk, silences; prosody per turn;
* :mod:`.phrases`: finding words and phrases (exact and fuzzy) in a timed transcript;
* :mod:`.riskwords`: risk-word lists (YAML, file:line errors) and their hits;
* :mod:`.mood`: mood per turn and per call from the words (lexicons) and the voice;
* :mod:`.scorecard`: QA scorecards (YAML, file:line errors), scores with evidence, supervisor overrides;
* :mod:`.analysis`: one call's analysis from its transcript and audio;
* :mod:`.reports`: per agent and per queue figures.

Adapters: :mod:`.transcribe` (reading recordings, the recognizers, blocking), :mod:`.service` (the
analytics job on the post-call job queue, the store, the supervisor alert on the bus).
"""
