"""`callcenter serve`: run the server (HTTP /health + API, FastAGI listener, AMI connections)."""
from __future__ import annotations

import asyncio
import sys

from .toolbox import add_command


def register(sub) -> None:
    p = add_command(sub, "serve", "Run the server: HTTP (/health, /version, API), FastAGI and AMI; Ctrl-C stops it.",
                    epilog="Options override the configuration file and CALLCENTER_* variables.")
    p.add_argument("--host", help="HTTP bind address (http.host)")
    p.add_argument("--port", type=int, help="HTTP port (http.port); 0 picks a free one")
    p.add_argument("--agi-host", help="FastAGI bind address (agi.host)")
    p.add_argument("--agi-port", type=int, help="FastAGI port (agi.port)")
    p.add_argument("--data-dir", help="data directory (data_dir): SQLite file, prompt cache")
    p.add_argument("--database-url", help="database URL (database.url)")
    p.add_argument("--log-level", choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="log.level")
    p.add_argument("--no-demo", action="store_true", help="do not load demo data into an empty database")
    p.set_defaults(func=_serve)


def _serve(args) -> int:
    from ..app import App, StartupError
    from ..config import load_config
    from ..log import setup_logging

    overrides = {k: v for k, v in (("http.host", args.host), ("http.port", args.port),
                                   ("agi.host", args.agi_host), ("agi.port", args.agi_port),
                                   ("data_dir", args.data_dir), ("database.url", args.database_url),
                                   ("log.level", args.log_level)) if v is not None}
    if args.no_demo:
        overrides["database.load_demo"] = False
    cfg = load_config(getattr(args, "config", None), overrides=overrides)
    try:
        setup_logging(cfg.log.level, cfg.log.format, cfg.log.file)
    except OSError as exc:
        print(f"callcenter: cannot start: log.file {cfg.log.file!r}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    from ..priority import apply_server_nice, apply_server_realtime
    apply_server_nice(cfg.media.nice)         # before any thread or worker process: they inherit it
    # SCHED_RR for this (the event loop's) thread; the live speech workers follow it, nothing else does
    apply_server_realtime(cfg.media.realtime_priority, cfg.media.realtime_guard_ms)
    app = App(cfg)
    loop = asyncio.new_event_loop()
    rc = 0
    try:
        loop.run_until_complete(app.run())
    except StartupError as exc:
        print(f"callcenter: cannot start: {exc}", file=sys.stderr)
        rc = 1
    finally:
        _close_loop(loop)
    _exit_now_if_threads_linger(rc)
    return rc


def _close_loop(loop: asyncio.AbstractEventLoop) -> None:
    try:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for t in pending:
            t.cancel()
        if pending:
            loop.run_until_complete(asyncio.wait(pending, timeout=2))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()        # does not wait for executor threads (a model still loading, say)


def _exit_now_if_threads_linger(rc: int) -> None:
    """Everything is flushed and closed; a worker thread stuck in a C call must not delay the exit."""
    import logging
    import os
    import threading
    alive = [t for t in threading.enumerate() if t is not threading.main_thread() and t.is_alive()]
    if alive:
        logging.getLogger("callcenter.app").info("exiting; %d background thread(s) abandoned", len(alive))
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(rc)
