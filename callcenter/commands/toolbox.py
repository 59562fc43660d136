"""The CLI toolbox every verb uses: sub-parsers, configuration, output (JSON, tables, ages), the
database (run a coroutine in one session), and the API client of a running server.

A verb module imports from here, never another verb's helpers.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import unicodedata
from typing import Any, Awaitable, Callable, Sequence

# --------------------------------------------------------------------------------------------------
# parsers and configuration


def add_command(sub, name: str, help: str, **kw) -> argparse.ArgumentParser:
    """Add a verb with a consistent description (the help text doubles as the description)."""
    return sub.add_parser(name, help=help, description=kw.pop("description", help), **kw)


def load_config_from(args):
    """Load the configuration named by ``--config`` (or the defaults + environment)."""
    from ..config import load_config
    return load_config(getattr(args, "config", None))


def fail(msg: str, code: int = 1) -> int:
    """Print ``callcenter: MSG`` on stderr and return ``code`` (a verb's exit status)."""
    print(f"callcenter: {msg}", file=sys.stderr)
    return code


def quiet_logging(cfg) -> None:
    """CLI verbs log warnings only (the server logs at ``log.level``)."""
    from ..log import setup_logging
    level = cfg.log.level
    setup_logging("WARNING" if level in ("DEBUG", "INFO") else level, "text", None)


# --------------------------------------------------------------------------------------------------
# output

def print_json(data: Any) -> None:
    """Pretty JSON on stdout (UTF-8 text kept as is; anything else JSON lacks printed as text)."""
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide/fullwidth characters take two, combining
    marks and zero-width characters none."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded with spaces to ``width`` terminal columns (on the left when ``right``)."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def table(rows: Sequence[Sequence[Any]], headers: Sequence[str], *, right: Sequence[bool] | None = None,
          rule: bool = False) -> str:
    """A text table: columns two spaces apart, aligned by terminal width (CJK names too), trailing
    spaces stripped, one line per row and a final newline. ``None`` cells print empty. ``right[i]``
    right-aligns column ``i``; ``rule`` draws a line of dashes under the header."""
    cells = [[("" if c is None else str(c)) for c in r] for r in rows]
    widths = [max([display_width(h)] + [display_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    align = list(right or ()) + [False] * (len(headers) - len(right or ()))

    def line(values: Sequence[str]) -> str:
        return "  ".join(pad(v, w, a) for v, w, a in zip(values, widths, align)).rstrip()

    head = line(headers)
    out = [head] + (["-" * display_width(head)] if rule else []) + [line(r) for r in cells]
    return "\n".join(out) + "\n"


def print_table(rows: Sequence[Sequence[Any]], headers: Sequence[str], **kw: Any) -> None:
    sys.stdout.write(table(rows, headers, **kw))


def ago(now: float, ts: float | None) -> str:
    """Time since ``ts`` as ``M:SS`` (``H:MM:SS`` from an hour), ``-`` when unknown."""
    if not ts:
        return "-"
    s = max(0, int(now - ts))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


# --------------------------------------------------------------------------------------------------
# the database

def run_db(args, fn: Callable[[Any], Awaitable[Any]], upgrade: bool = True, commit: bool = True) -> int:
    """Open the configured database (upgrading the schema), run ``fn(session)`` in one transaction.

    ``fn`` returns an exit code (or None for 0); with ``commit=False`` its changes are rolled back.
    Database, repository and provisioning errors become one line on stderr and exit status 1.
    """
    from ..store.db import open_database

    async def main(db) -> int:
        if commit:
            async with db.session() as s:
                return await fn(s)
        async with db.sessionmaker()() as s:
            try:
                return await fn(s)
            finally:
                await s.rollback()

    cfg = load_config_from(args)
    quiet_logging(cfg)
    return _run_database(lambda: open_database(cfg.database_url, echo=cfg.database.echo,
                                               upgrade=upgrade), main)


def run_database(args, fn: Callable[[Any], Awaitable[Any]]) -> int:
    """Connect to the configured database *without* touching its schema and run ``fn(database)``
    (``db upgrade``, ``db current``, ``report --offline``). Errors as :func:`run_db`."""
    from ..store.db import Database

    async def connect():
        db = Database(cfg.database_url)
        try:
            await db.connect()
        except BaseException:
            await db.close()
            raise
        return db

    cfg = load_config_from(args)
    quiet_logging(cfg)
    return _run_database(connect, fn)


def _run_database(connect: Callable[[], Awaitable[Any]], fn: Callable[[Any], Awaitable[Any]]) -> int:
    from ..store.db import DatabaseError
    from ..store.provision import ProvisionError
    from ..store.repo import RepoError

    async def main() -> int:
        db = await connect()
        try:
            return int(await fn(db) or 0)
        finally:
            await db.close()
    try:
        return asyncio.run(main())
    except DatabaseError as exc:
        return fail(str(exc))
    except (RepoError, ProvisionError) as exc:
        return fail(f"error: {exc}")


# --------------------------------------------------------------------------------------------------
# the API of a running server

def add_client_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--url", help="server URL (default: $CALLCENTER_URL or http://<http.host>:<http.port>)")
    p.add_argument("--token", help="API token (default: $CALLCENTER_TOKEN, else the one `callcenter login` "
                                   "stored for this server)")


def server_url(args) -> str:
    """``--url``, ``$CALLCENTER_URL``, or the configured HTTP listener (a wildcard host as loopback)."""
    url = getattr(args, "url", None) or os.environ.get("CALLCENTER_URL")
    if url:
        return url.rstrip("/")
    cfg = load_config_from(args)
    host = cfg.http.host
    if host in ("0.0.0.0", "::", ""):
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{cfg.http.port}"


def client_from_args(args):
    """The API client for ``--url``/``--token`` (see :func:`server_url`; the token falls back to
    ``$CALLCENTER_TOKEN``, then to the one ``callcenter login`` stored for that URL)."""
    from ..client import ApiClient, TokenFile
    url = server_url(args)
    token = getattr(args, "token", None) or os.environ.get("CALLCENTER_TOKEN") or TokenFile().get(url)
    return ApiClient(url, token)


def api_verb(fn: Callable[[Any], int | None]) -> Callable[[Any], int]:
    """Wrap a verb talking to the server so a :class:`callcenter.client.ClientError` prints one line
    on stderr and exits 1."""
    from ..client import ClientError

    def wrapper(args) -> int:
        try:
            return int(fn(args) or 0)
        except ClientError as exc:
            return fail(str(exc))
    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper
