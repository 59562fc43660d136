"""Structured logging: one line per event, ``key=value`` text or JSON, call id when there is one.

Use ``log.info("agi session started", extra={"call_id": cid, "did": did})``; every ``extra`` field
is printed. Values of keys that look secret (secret, password, token) are masked, and so are passwords
inside URLs (``scheme://user:pass@host``) and ``Secret:`` AMI headers in messages.

Call id without passing it around: ``with call_context(call_id): ...`` (or ``bind_call_id(cid)`` at the
top of a per-call task) tags every record logged in that context (asyncio tasks inherit it).
"""
from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import sys
import time
from pathlib import Path
from typing import Iterator

_STD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_SECRET_PARTS = ("secret", "password", "token", "authorization")
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]+:)(?P<pw>[^@\s]+)(?=@)")
_SECRET_HEADER = re.compile(r"(?im)^(?P<head>\s*(?:secret|password)\s*[:=]\s*)\S.*$")

_call_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("callcenter_call_id", default=None)


def bind_call_id(call_id: str | None) -> contextvars.Token:
    """Tag every later record in this context (task) with ``call_id``."""
    return _call_id.set(call_id)


@contextlib.contextmanager
def call_context(call_id: str | None) -> Iterator[None]:
    token = _call_id.set(call_id)
    try:
        yield
    finally:
        _call_id.reset(token)


def scrub(text: str) -> str:
    """Mask passwords in URLs and ``Secret:``/``password=`` lines."""
    if "://" in text:
        text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***", text)
    if "ecret" in text or "assword" in text:
        text = _SECRET_HEADER.sub(lambda m: m.group("head") + "********", text)
    return text


def _fields(record: logging.LogRecord) -> dict:
    out = {}
    cid = _call_id.get()
    if cid is not None and "call_id" not in record.__dict__:
        out["call_id"] = cid
    for k, v in record.__dict__.items():
        if k in _STD or k.startswith("_"):
            continue
        if any(p in k.lower() for p in _SECRET_PARTS):
            out[k] = "********"
        else:
            out[k] = scrub(v) if isinstance(v, str) else v
    return out


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        parts = [ts, record.levelname, record.name, json.dumps(scrub(record.getMessage()), ensure_ascii=False)]
        for k, v in _fields(record).items():
            s = str(v)
            parts.append(f"{k}={json.dumps(s, ensure_ascii=False) if (' ' in s or not s) else s}")
        line = " ".join(parts)
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc = {"ts": record.created, "level": record.levelname, "logger": record.name,
               "msg": scrub(record.getMessage()), **{k: _jsonable(v) for k, v in _fields(record).items()}}
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def _jsonable(v):
    return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)


def setup_logging(level: str = "INFO", fmt: str = "text", file: str | None = None) -> None:
    """Configure the root logger. A log file that cannot be opened raises ``OSError`` naming it."""
    handler: logging.Handler
    if file:
        Path(file).expanduser().parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(file, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    # third-party chatter
    for noisy in ("aiohttp.access", "sqlalchemy.engine", "asyncio", "alembic", "aiosqlite"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
