"""`callcenter speech`: check the local speech setup.

* ``callcenter speech status [--json] [--no-load]``: models found per language and their backend,
  pocketsphinx, model problems, prompt cache settings, espeak-ng voices.
* ``callcenter speech recognize FILE --lang ko-KR [--phrases a,b] [--stream] [--nbest N]``: what the
  server would hear in a recording (8 kHz telephone audio or any format ffmpeg reads).
* ``callcenter speech say TEXT -o out.wav [--lang zh-CN] [--voice cmn] [--engine pyttsx3|espeak-ng]``:
  synthesize one prompt in the telephone format (through the prompt cache unless ``-o`` is given).
* ``callcenter speech intent TEXT --intent label=example1|example2 ... [--lang]``: try intent matching.
* ``callcenter speech voices [--lang zh]``: espeak-ng voices.
"""
from __future__ import annotations

import json
import sys
import time

from .toolbox import add_command, load_config_from, print_json


def register(sub) -> None:
    p = add_command(sub, "speech", "speech recognition and synthesis: status, recognize, say, intent, voices")
    ssub = p.add_subparsers(dest="speech_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    st = add_command(ssub, "status", "which languages can be recognized (models, backends), voices, prompt cache")
    st.add_argument("--json", action="store_true", help="print the status as JSON")
    st.add_argument("--no-load", action="store_true", help="only look for models, do not load them (faster)")
    st.set_defaults(func=cmd_status)

    r = add_command(ssub, "recognize", "recognize a recorded file as the server would",
                    epilog="Example: callcenter speech recognize answer.wav --lang ko-KR --phrases 네,아니요")
    r.add_argument("file", help="audio file (WAV at any rate, .sln, .ulaw, .alaw, .gsm, anything ffmpeg reads)")
    r.add_argument("--lang", default="en-US", help="language tag (default en-US)")
    r.add_argument("--phrases", help="comma-separated expected phrases: grammar-restricted recognition (a menu)")
    r.add_argument("--stream", action="store_true", help="feed the file in 20 ms chunks through the streaming "
                                                         "interface and print the partial results")
    r.add_argument("--nbest", type=int, default=0, help="vosk: also compute N alternatives (costs a second decode)")
    r.add_argument("--json", action="store_true", help="print the result as JSON")
    r.set_defaults(func=cmd_recognize)

    s = add_command(ssub, "say", "synthesize text into a telephone-format prompt")
    s.add_argument("text", help="text to speak")
    s.add_argument("-o", "--output", help="write the prompt to this file (default: only the prompt cache)")
    s.add_argument("--lang", default="en-US", help="language tag (default en-US; zh-CN speaks Mandarin)")
    s.add_argument("--voice", help="espeak-ng voice (default: speech.voices or the language's voice)")
    s.add_argument("--engine", choices=["auto", "pyttsx3", "espeak-ng"], default="auto",
                   help="synthesizer (default: the espeak-ng program, or pyttsx3 where the program is missing)")
    s.set_defaults(func=cmd_say)

    i = add_command(ssub, "intent", "classify a sentence into intents (as an IVR 'intent' node would)")
    i.add_argument("text", help="what the caller said")
    i.add_argument("--intent", action="append", default=[], metavar="LABEL=EX1|EX2[;kw1|kw2]",
                   help="an intent with examples and optional keywords (repeatable)")
    i.add_argument("--lang", help="language tag")
    i.add_argument("--threshold", type=float, default=0.5, help="score under which the result is 'unknown'")
    i.set_defaults(func=cmd_intent)

    v = add_command(ssub, "voices", "list espeak-ng voices")
    v.add_argument("--lang", help="only voices whose language starts with this")
    v.set_defaults(func=cmd_voices)


def _service(args, load: bool = True):
    """The speech service for a one-shot command: recognition in this process (no event loop to keep
    free, so no worker processes to start: ``speech.processes`` is for the server)."""
    from dataclasses import replace
    from ..speech.service import SpeechService
    from ..speech.synth import PromptSynthesizer
    cfg = load_config_from(args)
    svc = SpeechService(replace(cfg.speech, processes=0), PromptSynthesizer.from_config(cfg))
    svc.start_sync(load=load)
    return cfg, svc


def cmd_status(args) -> int:
    import logging
    logging.getLogger("callcenter.speech").setLevel(logging.CRITICAL)  # the status says it all
    _cfg, svc = _service(args, load=not args.no_load)
    st = svc.status()
    if args.json:
        print_json(st)
        return 0
    print(f"speech recognition: {'enabled' if st['enabled'] else 'DISABLED (speech.enabled: false)'}, "
          f"{st['workers']} worker thread(s); the server runs pocketsphinx in "
          f"{_cfg.speech.processes or 'no'} worker process(es) (speech.processes)")
    langs = st["languages"]
    if langs:
        print("languages:")
        for lang, info in langs.items():
            mode = "grammar + free speech" if info["grammar"] else "free speech only (static graph: no grammar)"
            print(f"  {lang:8} {info['backend']:13} {mode}")
            print(f"           {info['model']}  [{info['source']}]")
    else:
        print("languages: none: menus run DTMF-only")
    for m in st["models"]:
        if m["error"]:
            print(f"  ERROR {m['error']}")
    for m in st["shadowed"]:
        print(f"  (also found for {m['language']}, not used: {m['path']} [{m['source']}])")
    for p in st["problems"]:
        print(f"  PROBLEM {p['source']}: {p['path']}: {p['message']}")
    ps = st["pocketsphinx"]
    print(f"pocketsphinx: {'installed' if ps['installed'] else 'not installed'}, "
          f"{'enabled' if ps['enabled'] else 'disabled (speech.pocketsphinx: false)'}"
          + (f", English model {ps['model']}" if ps["model"] else ""))
    sy = st["synthesis"]
    print(f"synthesis: espeak-ng with {sy['espeak_voices']} voices; prompts {sy['format']} 8 kHz in "
          f"{sy['prompts_dir']} (Asterisk sees {sy['asterisk_dir']}); rate {sy['rate']} wpm")
    if sy["voices_configured"]:
        print("voices: " + ", ".join(f"{k}={v}" for k, v in sy["voices_configured"].items()))
    for problem in sy["voice_problems"]:
        print(f"  PROBLEM {problem}")
    return 0


def cmd_recognize(args) -> int:
    import logging
    from ..speech.api import SpeechUnavailable
    from ..speech.audio import AudioError, read_audio
    logging.getLogger("callcenter.speech").setLevel(logging.ERROR)
    phrases = [p.strip() for p in args.phrases.split(",") if p.strip()] if args.phrases else None
    _cfg, svc = _service(args, load=False)
    try:
        rec = svc.recognizer_for(args.lang)
    except SpeechUnavailable as exc:
        print(f"callcenter speech recognize: {exc}", file=sys.stderr)
        return 1
    if args.nbest and hasattr(rec, "nbest"):
        rec.nbest = args.nbest
    t0 = time.perf_counter()
    try:
        if args.stream:
            import numpy as np
            samples, rate = read_audio(args.file)
            stream = rec.stream(args.lang, rate, phrases)
            chunk = max(1, rate // 50)
            last = None
            for i in range(0, len(samples), chunk):
                part = stream.feed(np.asarray(samples[i:i + chunk], dtype="<i2").tobytes())
                if part and part != last:
                    print(f"  partial: {part}")
                    last = part
            result = stream.finish()
            duration = len(samples) / rate
        else:
            result = rec.recognize_file_sync(args.file, args.lang, phrases)
            samples, rate = read_audio(args.file)
            duration = len(samples) / rate
    except (AudioError, SpeechUnavailable) as exc:
        print(f"callcenter speech recognize: {exc}", file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - t0
    if args.json:
        print(json.dumps({"text": result.text, "confidence": result.confidence, "matched": result.matched,
                          "no_match": result.no_match, "alternatives": result.alternatives, "backend": rec.name, "audio_seconds": duration,
                          "seconds": round(elapsed, 3)}, ensure_ascii=False))
        return 0
    mode = "grammar" if phrases else "free speech"
    print(f"backend: {rec.name} ({mode}), {duration:.2f} s of audio in {elapsed:.2f} s")
    print(f"text: {result.text!r}  confidence: {result.confidence:.2f}")
    if phrases:
        print(f"matched: {result.matched!r}" + ("  (no match: none of the phrases, or not confidently)"
                                                 if result.no_match else ""))
    for alt, score in result.alternatives:
        print(f"  alternative: {alt!r} ({score:.2f})")
    return 0


def cmd_say(args) -> int:
    import shutil
    from ..speech.audio import AudioError
    from ..speech.synth import PromptSynthesizer, SynthesisError, make_engine
    cfg = load_config_from(args)
    try:
        engine = make_engine(None if args.engine == "auto" else args.engine)
        synth = PromptSynthesizer.from_config(cfg, engine=engine)
        t0 = time.perf_counter()
        prompt = synth.synthesize_sync(args.text, args.lang, args.voice)
        elapsed = time.perf_counter() - t0
    except (SynthesisError, AudioError, OSError) as exc:
        print(f"callcenter speech say: {exc}", file=sys.stderr)
        return 1
    print(f"{'cached' if prompt.cached else 'synthesized'} in {elapsed * 1000:.1f} ms with {engine.name}: "
          f"{prompt.duration:.2f} s, {synth.fmt} 8 kHz mono")
    print(f"file: {prompt.path}")
    print(f"asterisk name: {prompt.asterisk_name}")
    if args.output:
        try:
            shutil.copyfile(prompt.path, args.output)
        except OSError as exc:
            print(f"callcenter speech say: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
            return 1
        print(f"written: {args.output}")
    return 0


def _parse_intent(spec: str):
    from ..speech.intents import IntentSpec
    label, sep, rest = spec.partition("=")
    if not sep or not label.strip():
        raise ValueError(f"--intent {spec!r}: expected LABEL=EXAMPLE1|EXAMPLE2[;KEYWORD1|KEYWORD2]")
    examples, _, keywords = rest.partition(";")
    return IntentSpec(label.strip(), [e.strip() for e in examples.split("|") if e.strip()],
                      [k.strip() for k in keywords.split("|") if k.strip()])


def cmd_intent(args) -> int:
    from ..speech.intents import IntentClassifier
    if not args.intent:
        print("callcenter speech intent: give at least one --intent LABEL=EXAMPLE1|EXAMPLE2", file=sys.stderr)
        return 2
    try:
        clf = IntentClassifier([_parse_intent(s) for s in args.intent], threshold=args.threshold)
    except ValueError as exc:
        print(f"callcenter speech intent: {exc}", file=sys.stderr)
        return 2
    res = clf.classify(args.text, args.lang)
    print(f"{res.label} ({res.score:.2f})")
    for label, score in res.alternatives:
        print(f"  {label} ({score:.2f})")
    return 0


def cmd_voices(args) -> int:
    from ..speech.synth import espeak_voices
    voices = espeak_voices()
    if not voices:
        print("callcenter speech voices: espeak-ng is not installed (Debian package espeak-ng)", file=sys.stderr)
        return 1
    for v in voices:
        if args.lang and not any(x.lower().startswith(args.lang.lower()) for x in v.languages):
            continue
        print(f"{v.name:18} {v.identifier:28} {' '.join(v.languages[1:])}")
    return 0
