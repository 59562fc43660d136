"""`callcenter call` against a running server (a subprocess, as in a CI smoke test): exit codes, report."""
from __future__ import annotations

import asyncio
import json
import socket
import sys

from .webrtc_helpers import Server


async def run_cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "callcenter", "call", *args,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, _err = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_call_reaches_the_expected_queue_or_says_where_it_went(tmp_path):
    async with Server(tmp_path) as s:
        rc, out = await run_cli("--url", s.url, "--keys", "3", "--expect-queue", "sales", "--no-recognize")
        assert rc == 0, out
        assert "IVR said: For billing press 1" in out and "IVR heard: keys 3" in out
        assert "result: waiting in queue sales" in out
        rc, out = await run_cli("--url", s.url, "--keys", "1", "--expect-queue", "sales", "--json", "--no-recognize")
        report = json.loads(out)
        assert rc == 1 and report["exit_code"] == 1 and report["queue"] == "billing"
        assert report["heard"] == [{"text": "", "digits": "1"}] and report["call_id"].startswith("web-")


async def test_no_server_is_exit_3(tmp_path):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    rc, out = await run_cli("--url", f"http://127.0.0.1:{port}", "--json", "--no-recognize", "--timeout", "5")
    assert rc == 3 and "cannot reach" in json.loads(out)["error"]
