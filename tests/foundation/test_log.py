"""Structured logging: one line per record, extra fields, call id from context, secrets masked."""
from __future__ import annotations

import asyncio
import json
import logging

import pytest

from callcenter.log import bind_call_id, call_context, scrub, setup_logging


@pytest.fixture
def logfile(tmp_path):
    path = tmp_path / "logs" / "cc.log"       # parent created by setup_logging
    yield path
    setup_logging("WARNING")


def lines(path):
    for h in logging.getLogger().handlers:
        h.flush()
    return path.read_text(encoding="utf-8").splitlines()


def test_text_lines_with_fields_and_masked_secrets(logfile):
    setup_logging("INFO", "text", str(logfile))
    log = logging.getLogger("callcenter.test")
    log.debug("hidden")
    log.info("ami login", extra={"host": "pbx", "secret": "hunter2", "note": "two words"})
    log.info("connecting to postgresql+asyncpg://cc:pw123@db/cc")
    out = lines(logfile)
    assert len(out) == 2
    assert 'INFO callcenter.test "ami login" host=pbx secret=******** note="two words"' in out[0]
    assert "pw123" not in out[1] and "cc:***@db" in out[1]


def test_json_lines_and_call_id_from_context(logfile):
    setup_logging("DEBUG", "json", str(logfile))
    log = logging.getLogger("callcenter.test")

    async def call(cid):
        bind_call_id(cid)
        await asyncio.sleep(0)
        log.info("step", extra={"node": "menu"})

    async def main():
        await asyncio.gather(call("c-1"), call("c-2"))
    asyncio.run(main())
    with call_context("c-3"):
        log.warning("inside")
    log.warning("outside")
    docs = [json.loads(x) for x in lines(logfile)]
    assert sorted(d["call_id"] for d in docs[:2]) == ["c-1", "c-2"]
    assert docs[2]["call_id"] == "c-3" and docs[2]["level"] == "WARNING"
    assert "call_id" not in docs[3]


def test_multiline_messages_stay_one_line(logfile):
    setup_logging("INFO", "text", str(logfile))
    logging.getLogger("x").info("Action: Login\r\nSecret: hunter2\r\n")
    out = lines(logfile)
    assert len(out) == 1 and "hunter2" not in out[0]


@pytest.mark.parametrize("text,hidden", [
    ("postgresql://u:p4ss@h/db", "p4ss"),
    ("amqp://x:y@host", "y@"),
    ("Secret: abc", "abc"),
    ("password=abc", "abc"),
])
def test_scrub(text, hidden):
    assert hidden not in scrub(text)
