"""FastAGI server: byte-exact replay of the captured sessions, hang-ups, bad clients, limits, routing."""
from __future__ import annotations

import asyncio
import time

import pytest

from callcenter.asterisk.agi_codec import AgiHangup, AgiInvalidCommand, AgiUsageError, Raw
from callcenter.asterisk.agi_server import AgiServer

from .wire import segments


async def _server(**kw) -> AgiServer:
    srv = AgiServer("127.0.0.1", 0, **kw)
    await srv.start()
    return srv


async def replay(seg, port: int, *, tail_status: bool = True) -> list[bytes]:
    """Play Asterisk's side of a captured session against our server; the server's commands must
    be byte-identical to the capture. After the script the server may set CC_AGI_STATUS (ours, not
    in the capture) and must then close the socket."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    extra: list[bytes] = []
    for d, data in seg.lines:
        if d == "A>S":
            writer.write(data)
            await writer.drain()
        else:
            got = await asyncio.wait_for(reader.readline(), 5)
            assert got == data
    while True:
        line = await asyncio.wait_for(reader.readline(), 5)
        if not line:
            break
        extra.append(line)
        writer.write(b"200 result=1\n")
    writer.close()
    return extra


async def script_main(s):
    assert s.script == "main" and s.call_id == s.env["agi_uniqueid"]
    await s.command("ANSWER")
    assert (await s.command("STREAM FILE", "hello-world", "")).endpos == 11234
    assert (await s.command("GET DATA", "beep", 3000, 4)).result == "1234"
    await s.command("SAY DIGITS", 123, "")
    r = await s.command("RECORD FILE", "/tmp/x", "wav", Raw('"#"'), 3000)
    assert (r.int_result, r.data) == (35, "dtmf")
    await s.command("SET VARIABLE", "LABVAR", "hello lab")
    assert (await s.command("GET VARIABLE", "LABVAR")).data == "hello lab"
    await s.command("EXEC", "Playback", "hello-world")
    assert (await s.command("GET VARIABLE", "NOSUCHVAR")).int_result == 0
    assert (await s.command("GET FULL VARIABLE", "${CALLERID(num)}/${CHANNEL}")).data.endswith(s.channel)
    assert (await s.command("CHANNEL STATUS")).int_result == 6
    await s.command("VERBOSE", "lab agi says hi", 1)
    assert (await s.command("EXEC", "NoSuchApplication", "foo")).int_result == -2
    with pytest.raises(AgiInvalidCommand):
        await s.command("NOSUCHCOMMAND")
    with pytest.raises(AgiUsageError):
        await s.command("GET DATA")
    s.extra["ok"] = True


@pytest.mark.parametrize("name", ["agi-session-full.txt", "agi-session-full-sip.txt"])
async def test_replay_full_session_byte_exact(name):
    done = []
    srv = await _server()

    async def handler(s):
        await script_main(s)
        done.append(s)
    srv.route("main", handler)
    try:
        extra = await replay(segments(name)[0], srv.bound_port)
        assert done and done[0].extra["ok"]
        assert extra == [b"SET VARIABLE CC_AGI_STATUS ok\n"]
    finally:
        await srv.stop()


async def test_replay_hangup_during_stream_file():
    seen = {}
    srv = await _server()

    async def handler(s):
        await s.command("ANSWER")
        r = await s.command("STREAM FILE", "demo-congrats", "")
        assert r.int_result == -1 and not s.hung_up
        await s.command("GET VARIABLE", "CHANNEL")            # HANGUP arrives before this reply
        seen["after_get"] = s.hung_up
        for verb, args in (("STREAM FILE", ("hello-world", "")), ("ANSWER", ())):
            with pytest.raises(AgiHangup):
                await s.command(verb, *args)
        assert (await s.command("EXEC", "Playback", "hello-world")).int_result == 0
        with pytest.raises(AgiHangup):
            await s.command("CHANNEL STATUS")
        await s.command("VERBOSE", "still here", 1)
        with pytest.raises(AgiHangup):
            await s.command("GET DATA", "beep", 1000, 1)
        seen["done"] = True
    srv.route("hangup-during-stream", handler)
    try:
        for name in ("agi-hangup-midway.txt", "agi-hangup-midway-sip.txt"):
            seen.clear()
            extra = await replay(segments(name)[0], srv.bound_port)
            assert seen == {"after_get": True, "done": True}
            assert extra == []            # a hung-up channel gets no CC_AGI_STATUS
    finally:
        await srv.stop()


async def test_replay_hangup_while_idle():
    seen = {}
    srv = await _server()

    async def handler(s):
        await s.command("ANSWER")
        seen["hangup"] = await s.wait_hangup(10)          # unsolicited HANGUP wakes us at once
        assert (await s.command("GET VARIABLE", "CHANNEL")).data == s.channel
        with pytest.raises(AgiHangup):
            await s.command("ANSWER")
        with pytest.raises(AgiHangup):
            await s.command("STREAM FILE", "hello-world", "")
    srv.route("hangup-while-idle", handler)
    try:
        t0 = time.monotonic()
        await replay(segments("agi-hangup-midway.txt")[1], srv.bound_port)
        assert seen["hangup"] and time.monotonic() - t0 < 3
    finally:
        await srv.stop()


async def test_client_that_sends_nothing_is_closed_after_env_timeout():
    called = []
    srv = await _server(env_timeout=0.2)
    srv.route("*", lambda s: called.append(s))
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        t0 = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 3) == b""
        assert 0.15 < time.monotonic() - t0 < 2
        assert not called and srv.env_timeouts == 1
        await asyncio.sleep(0.05)
        assert srv.active == 0
    finally:
        await srv.stop()


async def test_port_scan_and_early_close_do_not_spin():
    srv = await _server(env_timeout=5)
    got = []
    srv.route("ivr", lambda s: got.append(s.script))
    try:
        cpu0 = time.process_time()
        for _ in range(50):
            _, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
            w.close()
        _, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        w.write(b"agi_network: yes\nagi_network_scr")          # half an environment, then gone
        await w.drain()
        w.close()
        await asyncio.sleep(0.5)
        assert time.process_time() - cpu0 < 0.4           # no busy loop on half-open/closed clients
        assert srv.active == 0 and not got
        # still serving real calls
        r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        w.write(b"agi_network: yes\nagi_network_script: ivr\nagi_uniqueid: 1.1\n\n")
        assert await asyncio.wait_for(r.readline(), 3) == b"SET VARIABLE CC_AGI_STATUS ok\n"
        w.write(b"200 result=1\n")
        assert await asyncio.wait_for(r.read(), 3) == b""
        assert got == ["ivr"]
    finally:
        await srv.stop()


async def test_garbage_instead_of_environment_is_closed():
    srv = await _server()
    try:
        r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        w.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n\n\n")
        assert await asyncio.wait_for(r.read(), 3) == b""
        assert srv.protocol_errors == 1
    finally:
        await srv.stop()


async def test_session_limit_refuses_extra_connections():
    srv = await _server(max_sessions=2)
    gate = asyncio.Event()

    async def hold(s):
        await gate.wait()
    srv.route("*", hold)
    try:
        conns = []
        for i in range(2):
            r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
            w.write(f"agi_network_script: x\nagi_uniqueid: {i}\n\n".encode())
            conns.append((r, w))
        await asyncio.sleep(0.1)
        r3, w3 = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        assert await asyncio.wait_for(r3.read(), 3) == b""
        assert srv.refused == 1 and srv.active == 2
        gate.set()
        for r, w in conns:
            assert (await asyncio.wait_for(r.readline(), 3)).startswith(b"SET VARIABLE CC_AGI_STATUS ok")
            w.write(b"200 result=1\n")
    finally:
        await srv.stop()


async def test_routing_prefix_params_noroute_and_errors():
    srv = await _server()
    seen = []

    async def agent(s):
        seen.append((s.script, s.params, s.args))

    async def broken(s):
        raise RuntimeError("bug in a handler")
    srv.route("agent", agent)
    srv.route("broken", broken)
    try:
        async def call(script: str, extra: str = "") -> bytes:
            r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
            w.write(f"agi_network_script: {script}\nagi_uniqueid: 9.9\n{extra}\n".encode())
            line = await asyncio.wait_for(r.readline(), 3)
            w.write(b"200 result=1\n")
            await asyncio.wait_for(r.read(), 3)
            return line
        assert await call("agent/pause/2?reason=lunch", "agi_arg_1: x\nagi_arg_2: y\n") == \
            b"SET VARIABLE CC_AGI_STATUS ok\n"
        assert seen == [("agent/pause/2", {"reason": "lunch"}, ["x", "y"])]
        assert await call("nothing/here") == b"SET VARIABLE CC_AGI_STATUS noroute\n"
        assert await call("broken") == b"SET VARIABLE CC_AGI_STATUS error\n"
        assert srv.handler_errors == 1
    finally:
        await srv.stop()


async def test_command_timeout_when_asterisk_never_answers():
    srv = await _server()
    out = {}

    async def h(s):
        try:
            await s.command("ANSWER", timeout=0.2)
        except asyncio.TimeoutError as exc:
            out["exc"] = str(exc)
    srv.route("*", h)
    try:
        r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        w.write(b"agi_network_script: x\nagi_uniqueid: 1\n\n")
        assert await asyncio.wait_for(r.readline(), 3) == b"ANSWER\n"
        await asyncio.sleep(0.4)
        assert "no reply from Asterisk" in out["exc"]
        w.close()
    finally:
        await srv.stop()


async def test_default_command_timeout_is_enforced_without_a_timer_per_command():
    srv = await _server(command_timeout=0.3)
    out = {}

    async def h(s):
        t0 = asyncio.get_running_loop().time()
        try:
            await s.command("ANSWER")
        except asyncio.TimeoutError:
            out["after"] = asyncio.get_running_loop().time() - t0
            out["closed"] = s.closed
    srv.route("*", h)
    try:
        r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
        w.write(b"agi_network_script: x\nagi_uniqueid: 1\n\n")
        assert await asyncio.wait_for(r.readline(), 3) == b"ANSWER\n"
        assert await asyncio.wait_for(r.read(), 3) == b""          # the session is closed after the timeout
        assert 0.25 < out["after"] < 1.5 and out["closed"]
    finally:
        await srv.stop()


async def test_shutdown_leaves_the_status_empty_so_the_dialplan_retries():
    srv = await _server()
    started = asyncio.Event()

    async def forever(s):
        started.set()
        await asyncio.sleep(3600)
    srv.route("*", forever)
    r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
    w.write(b"agi_network_script: ivr\nagi_uniqueid: 1\n\n")
    await asyncio.wait_for(started.wait(), 3)
    await srv.stop(grace=0.1)
    assert await asyncio.wait_for(r.read(), 3) == b""             # closed, no CC_AGI_STATUS sent
