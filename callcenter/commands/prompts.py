"""`callcenter prompts`: the synthesized prompt cache.

* ``callcenter prompts build [--flows DIR] [--lang L] [--dry-run] [--engine E]``: synthesize every
  static text prompt of every flow (``iter_text_prompts``) into the cache (``prompts.dir``), so no
  caller waits for synthesis; prompts already in the cache are not synthesized again, and changed
  text gets a new file. Exit code 1 when a flow could not be loaded or a prompt failed.
* ``callcenter prompts list``: the files in the cache, per language.
* ``callcenter prompts clean [--days 30] [--dry-run]``: delete prompts not used for that long (a
  prompt's file time is refreshed whenever the server reuses it; anything deleted is re-synthesized
  on demand).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from .toolbox import add_command, load_config_from


def register(sub) -> None:
    p = add_command(sub, "prompts", "synthesized prompt cache: build (pre-render every flow prompt), list")
    psub = p.add_subparsers(dest="prompts_command", metavar="ACTION")
    p.set_defaults(func=lambda a: (p.print_help(), 2)[1])

    b = add_command(psub, "build", "pre-render every text prompt of every flow into the prompt cache")
    b.add_argument("--flows", metavar="DIR", help="directory of flows (default: ivr.flows_dir)")
    b.add_argument("--lang", help="only prompts in this language (e.g. zh-CN)")
    b.add_argument("--dry-run", action="store_true", help="list the prompts and where they would go")
    b.add_argument("--engine", choices=["auto", "pyttsx3", "espeak-ng"], default="auto",
                   help="synthesizer (default: the espeak-ng program, or pyttsx3 where the program is missing)")
    b.set_defaults(func=cmd_build)

    ls = add_command(psub, "list", "list the prompt files in the cache")
    ls.set_defaults(func=cmd_list)

    c = add_command(psub, "clean", "delete cached prompts not used for DAYS days (they are re-made on demand)")
    c.add_argument("--days", type=float, default=30.0, help="unused for this many days (default 30)")
    c.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    c.set_defaults(func=cmd_clean)


def cmd_build(args) -> int:
    from ..speech.audio import AudioError
    from ..speech.discovery import canonical_language
    from ..speech.synth import PromptSynthesizer, SynthesisError, make_engine
    from ..ivr import iter_text_prompts, load_flows_dir
    cfg = load_config_from(args)
    flows_dir = Path(args.flows) if args.flows else cfg.flows_dir
    if not flows_dir.is_dir():
        print(f"callcenter prompts build: {flows_dir}: no such flows directory", file=sys.stderr)
        return 1
    flows, errors = load_flows_dir(flows_dir)
    for err in errors:
        print(f"flow error: {err}", file=sys.stderr)
    want = canonical_language(args.lang) if args.lang else None
    try:
        engine = None if args.dry_run else make_engine(None if args.engine == "auto" else args.engine)
        synth = PromptSynthesizer.from_config(cfg, engine=engine)
    except (SynthesisError, AudioError) as exc:
        print(f"callcenter prompts build: {exc}", file=sys.stderr)
        return 1
    counts = {"synthesized": 0, "cached": 0, "failed": 0}
    t0 = time.perf_counter()
    for name in sorted(flows):
        flow = flows[name]
        n = 0
        for prompt in iter_text_prompts(flow):
            lang = prompt.language or getattr(flow, "language", "en-US")
            if want and canonical_language(lang) != want:
                continue
            n += 1
            try:
                if args.dry_run:
                    path, _ast, _k = synth.location(prompt.value, lang, prompt.voice)
                    state = "cached" if path.is_file() else "missing"
                    print(f"  {name}: [{lang}] {state:8} {path}  {prompt.value[:60]!r}")
                    counts["cached" if state == "cached" else "synthesized"] += 1
                    continue
                sp = synth.synthesize_sync(prompt.value, lang, prompt.voice)
            except (SynthesisError, AudioError, OSError) as exc:
                counts["failed"] += 1
                print(f"  {name}: [{lang}] FAILED {prompt.value[:60]!r}: {exc}", file=sys.stderr)
                continue
            counts["cached" if sp.cached else "synthesized"] += 1
            print(f"  {name}: [{lang}] {'cached     ' if sp.cached else 'synthesized'} {sp.duration:5.2f} s "
                  f"{sp.path.name}  {prompt.value[:50]!r}")
        if n == 0:
            print(f"  {name}: no text prompts" + (f" in {want}" if want else ""))
    synth.close()
    elapsed = time.perf_counter() - t0
    if args.dry_run:
        print(f"{counts['cached']} prompt(s) in the cache, {counts['synthesized']} to synthesize "
              f"({synth.dir}, {synth.fmt})")
    else:
        print(f"{counts['synthesized']} synthesized, {counts['cached']} already cached, {counts['failed']} failed "
              f"in {elapsed:.1f} s -> {synth.dir} ({synth.fmt}, 8 kHz)")
    return 1 if errors or counts["failed"] else 0


def cmd_list(args) -> int:
    from ..speech.audio import prompt_duration
    cfg = load_config_from(args)
    root = cfg.prompts_dir
    if not root.is_dir():
        print(f"prompt cache {root} is empty (run `callcenter prompts build`)")
        return 0
    total = 0
    for f in sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")):
        fmt = f.suffix.lstrip(".")
        try:
            dur = prompt_duration(f.stat().st_size, fmt)
        except Exception:
            dur = 0.0
        total += 1
        print(f"{f.relative_to(root)}  {dur:5.2f} s")
    print(f"{total} file(s) in {root}")
    return 0


def cmd_clean(args) -> int:
    cfg = load_config_from(args)
    root = cfg.prompts_dir
    if not root.is_dir():
        print(f"prompt cache {root} is empty")
        return 0
    limit = time.time() - args.days * 86400
    removed = kept = 0
    for f in sorted(p for p in root.rglob("*") if p.is_file()):
        try:
            old = f.stat().st_mtime < limit
        except OSError:
            continue
        if not old:
            kept += 1
            continue
        removed += 1
        if args.dry_run:
            print(f"would delete {f.relative_to(root)}")
        else:
            try:
                f.unlink()
            except OSError as exc:
                print(f"callcenter prompts clean: cannot delete {f}: {exc.strerror}", file=sys.stderr)
    verb = "would delete" if args.dry_run else "deleted"
    print(f"{verb} {removed} prompt file(s) unused for {args.days:g} days; {kept} kept ({root})")
    return 0
