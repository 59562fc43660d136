"""Structured logging: one line per event, ``key=value`` text or JSON, call id when there is one.

Use ``log.info("agi session started", extra={"call_id": cid, "did": did})``; every ``extra`` field
is printed. Values of keys that look secret (secret, password, token) are masked.
"""
from __future__ import annotations

import json
import logging
import sys
import time

_STD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}
_SECRET_PARTS = ("secret", "password", "token", "authorization")


def _fields(record: logging.LogRecord) -> dict:
    out = {}
    for k, v in record.__dict__.items():
        if k in _STD or k.startswith("_"):
            continue
        out[k] = "********" if any(p in k.lower() for p in _SECRET_PARTS) else v
    return out


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        ts = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z"
        parts = [ts, record.levelname, record.name, json.dumps(record.getMessage(), ensure_ascii=False)]
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
               "msg": record.getMessage(), **{k: _jsonable(v) for k, v in _fields(record).items()}}
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, ensure_ascii=False)


def _jsonable(v):
    return v if isinstance(v, (str, int, float, bool, type(None))) else str(v)


def setup_logging(level: str = "INFO", fmt: str = "text", file: str | None = None) -> None:
    handler: logging.Handler = logging.FileHandler(file, encoding="utf-8") if file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    root.addHandler(handler)
    root.setLevel(level)
    # third-party chatter
    for noisy in ("aiohttp.access", "sqlalchemy.engine", "panoramisk", "asyncio"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
