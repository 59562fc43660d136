"""Replays of the AudioSocket captures (tests/fixtures/asterisk/audiosocket-*.txt, Asterisk 22.10.1):

* what Asterisk sent, replayed byte for byte (bursts as captured) into our server: the leg's events;
* the double (Asterisk's side in tests) against the captured timings and hang-up shapes;
* FastAGI ``EXEC AudioSocket`` sessions against the double: the replies of the captures."""
from __future__ import annotations

import asyncio
import statistics
import time
import uuid as _uuid

import pytest

from callcenter.asterisk.agi_channel import AgiChannel
from callcenter.media.audiosocket import AudioSocketServer
from callcenter.media.audiosocket_codec import AUDIO_RATES, encode, encode_audio, encode_hangup
from callcenter.media.leg import AudioFrame, DtmfDigit, frame_bytes
from tests.asterisk_double import AsteriskDouble, Caller
from tests.asterisk_double.audiosocket import AsteriskAudioSocket

from .audiosocket_wire import agi_lines, bursts, frames

CAPTURES = [
    ("audiosocket-app-baresip.txt", 8000), ("audiosocket-app-sipp.txt", 8000),
    ("audiosocket-app-caller-hangup.txt", 8000), ("audiosocket-app-server-close.txt", 8000),
    ("audiosocket-app-silent-caller.txt", 8000), ("audiosocket-app-dtmf-to-asterisk.txt", 8000),
    ("audiosocket-app-slin16.txt", 16000), ("audiosocket-agi-exec.txt", 8000),
    ("audiosocket-chan-dial.txt", 8000), ("audiosocket-chan-dial-slin16.txt", 16000),
    ("audiosocket-chan-originate.txt", 8000), ("audiosocket-chan-originate-slin16.txt", 16000),
]


def connections(name: str) -> list[list]:
    """The A>S frames of each connection (a UUID frame starts one)."""
    out: list[list] = []
    for f in frames(name, "A>S"):
        if f.kind == 0x01:
            out.append([])
        out[-1].append(f)
    return out


@pytest.mark.parametrize("name, rate", CAPTURES)
async def test_what_asterisk_sent_gives_these_events(name, rate):
    async with AudioSocketServer("127.0.0.1:0") as srv:
        for conn in connections(name):
            uuid = frames and conn[0].payload()
            pending = srv.expect(str(_uuid.UUID(bytes=uuid)), sample_rate=rate)
            r, w = await asyncio.open_connection("127.0.0.1", srv.bound_port)
            chunks = bursts(conn)
            w.write(chunks[0])
            leg = await pending.wait(2)
            events = []

            async def consume():
                async for ev in leg.events():
                    events.append(ev)
            task = asyncio.ensure_future(consume())
            for i, chunk in enumerate(chunks[1:]):
                w.write(chunk)
                if i % 20 == 0:
                    await w.drain()
                    await asyncio.sleep(0)
            await w.drain()
            w.write_eof()                                     # Asterisk closes: EOF (FIN)
            await asyncio.wait_for(task, 5)
            w.close()
            audio = [f for f in conn if f.kind in AUDIO_RATES]
            pcm_bytes = sum(f.length * (2 if f.ulaw else 1) * rate // AUDIO_RATES[f.kind] for f in audio)
            got = [e for e in events if isinstance(e, AudioFrame)]
            assert len(got) == pcm_bytes // frame_bytes(rate), name
            assert {len(e.pcm) for e in got} <= {frame_bytes(rate)}
            assert [e.digit for e in events if isinstance(e, DtmfDigit)] == \
                [f.payload().decode() for f in conn if f.kind == 0x03]
            assert leg.ended.by == "far" and "EOF" in leg.ended.reason
        assert srv.legs == {}


async def test_captured_digits_are_those_of_the_phones():
    assert [f.payload() for f in frames("audiosocket-app-baresip.txt", "A>S") if f.kind == 3] == [b"1", b"2", b"#"]
    assert [f.payload() for f in frames("audiosocket-app-sipp.txt", "A>S") if f.kind == 3] == [b"3", b"4", b"#"]
    dial = [f for f in frames("audiosocket-chan-dial.txt", "A>S") if f.kind == 0x10]
    assert dial and all(f.length == 160 and f.ulaw for f in dial)


# -- the double against the captured timings -----------------------------------------------------------

class RawServer:
    """A bare AudioSocket server for testing the double: records frames, writes what it is told."""

    def __init__(self) -> None:
        self.conn: asyncio.Future = asyncio.get_running_loop().create_future()
        self.server = None

    async def start(self) -> int:
        async def on(r, w):
            self.conn.done() or self.conn.set_result((r, w))
        self.server = await asyncio.start_server(on, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        self.server.close()
        await self.server.wait_closed()


async def _raw(**kw):
    srv = RawServer()
    port = await srv.start()
    ast = await AsteriskAudioSocket("127.0.0.1", port, str(_uuid.uuid4()), **kw).start()
    r, w = await asyncio.wait_for(srv.conn, 2)
    return srv, ast, r, w


async def test_double_sends_uuid_first_then_50_frames_a_second():
    srv, ast, r, w = await _raw(audio=b"\x01\x00" * 8000)
    head = await r.readexactly(19)
    assert head[:3] == b"\x01\x00\x10" and str(_uuid.UUID(bytes=head[3:])) == ast.uuid
    times = []
    for _ in range(40):
        assert await r.readexactly(3) == b"\x10\x01\x40"
        await r.readexactly(320)
        times.append(time.monotonic())
    gaps = [(b - a) * 1000 for a, b in zip(times, times[1:])]
    assert 18.0 <= statistics.median(gaps) <= 22.0          # captured: median 20.0-20.6 ms
    await ast.close()
    w.close()
    await srv.close()


async def test_double_times_out_2s_after_the_last_activity_like_asterisk():
    """audiosocket-app-silent-caller.txt: a caller without RTP, the server plays then stops: Asterisk
    closes the socket 2.0 s after the server's last frame."""
    srv, ast, r, w = await _raw(rtp=False)
    await r.readexactly(19)
    for _ in range(10):
        w.write(encode_audio(b"\x00" * 320))
        await asyncio.sleep(0.02)
    last = time.monotonic()
    assert await asyncio.wait_for(r.read(), 4) == b""        # EOF
    assert 1.9 <= time.monotonic() - last <= 2.3
    assert ast.outcome.result() == "timeout"
    cap = [f for f in frames("audiosocket-app-silent-caller.txt")]
    assert all(f.direction == "S>A" for f in cap[1:])         # the captured caller sent no frame at all
    w.close()
    await srv.close()


async def test_double_resets_the_socket_on_a_dtmf_frame_from_the_server():
    srv, ast, r, w = await _raw()
    await r.readexactly(19)
    w.write(encode(0x03, b"5"))
    with pytest.raises((ConnectionResetError, asyncio.IncompleteReadError)):
        while True:
            await asyncio.wait_for(r.readexactly(323), 2)
    assert ast.outcome.result() == "dtmf-rejected"
    w.close()
    await srv.close()


@pytest.mark.parametrize("how, outcome", [("hangup", "hangup-frame"), ("close", "server-closed")])
async def test_double_ends_on_our_hangup_frame_or_close(how, outcome):
    srv, ast, r, w = await _raw()
    await r.readexactly(19)
    if how == "hangup":
        w.write(encode_hangup())
    else:
        w.close()
    assert await ast.wait(2) == outcome
    w.close()
    await srv.close()


# -- FastAGI sessions against the double, as captured ---------------------------------------------------

def _result(line: str) -> str:
    return line.split(" endpos=")[0]


async def _agi_run(commands, handler_extra=None, **caller):
    async with AsteriskDouble(time_scale=0.01) as d, AudioSocketServer("127.0.0.1:0") as srv:
        from callcenter.asterisk.agi_server import AgiServer
        agi = AgiServer("127.0.0.1", 0, channel_factory=lambda s: AgiChannel(s, audiosocket=srv))
        replies = []

        async def h(ch: AgiChannel):
            for cmd in commands:
                if callable(cmd):
                    cmd = await cmd(srv)
                    if cmd is None:
                        continue
                try:
                    r = await ch.session.command(*cmd, timeout=10)
                    replies.append(r.lines[-1])
                except Exception as exc:  # noqa: BLE001 - 511 after the hang-up, as captured
                    replies.append(getattr(getattr(exc, "reply", None), "lines", [str(exc)])[-1])
        agi.route("cap", h, channel=True)
        await agi.start()
        c = Caller(path="cap", **caller)
        await d.call(c, agi.bound_port, timeout=20)
        await agi.stop()
        return c


async def test_agi_exec_audiosocket_three_endings_as_captured():
    """audiosocket-agi-exec.txt: #1 the server sends 0x00, #2 the server closes, #3 the caller hangs up."""
    uuids = [str(_uuid.uuid4()) for _ in range(3)]

    def exec_as(i, end):
        async def make(srv):
            pending = srv.expect(uuids[i])

            async def serve():
                leg = await pending.wait(5)
                await asyncio.sleep(0.3)
                if end == "hangup":
                    await leg.close()
                elif end == "close":
                    leg._transport.close()
            asyncio.ensure_future(serve())
            return ("EXEC", "AudioSocket", f"{uuids[i]},{srv.advertise}")
        return make
    cmds = [("ANSWER",), exec_as(0, "hangup"), ("STREAM FILE", "beep", ""), exec_as(1, "close"),
            ("GET VARIABLE", "CHANNEL(state)"), exec_as(2, "caller"), ("STREAM FILE", "beep", ""),
            ("GET VARIABLE", "CHANNEL(state)"), ("EXEC", "NoOp", "after-hangup")]
    c = await _agi_run(cmds, hangup_after=1.5)
    captured = [_result(t) for d, t in agi_lines("audiosocket-agi-exec.txt") if d == "A>S" and not t.startswith("agi_")
                and t]
    got = [_result(r) for r in c.replies]
    assert got == captured, (got, captured)


async def test_agi_edges_as_the_live_capture():
    """live-audiosocket-agi-edges.txt: EXEC AudioSocket before ANSWER, and towards a closed port."""
    u1, u2 = str(_uuid.uuid4()), str(_uuid.uuid4())

    async def first(srv):
        return ("EXEC", "AudioSocket", f"{u1},{srv.advertise}")
    cmds = [first, ("CHANNEL STATUS",), ("ANSWER",), ("EXEC", "AudioSocket", f"{u2},127.0.0.1:9"),
            ("CHANNEL STATUS",), ("STREAM FILE", "beep", "")]
    c = await _agi_run(cmds)
    captured = [_result(t) for d, t in agi_lines("live-audiosocket-agi-edges.txt") if d == "A>S"]
    assert [_result(r) for r in c.replies][:len(captured)] == captured    # then the server's CC_AGI_STATUS
    assert c.audiosockets and c.audiosockets[0].outcome.result() == "refused"
