"""AMI client + service: login, actions, keepalive, reconnect + resync, several servers, no Asterisk."""
from __future__ import annotations

import asyncio
import logging

import pytest

from tests.asterisk_double import AgentPhone, AsteriskDouble, Caller
from callcenter.asterisk.ami_client import AmiAuthError, AmiClient, AmiConnectError, AmiTimeout
from callcenter.asterisk.service import AsteriskService
from callcenter.clock import FakeClock
from callcenter.events import EventBus

from .helpers import Recorder, make_config, until


async def test_login_ping_and_list_actions(double):
    double.add_phone(AgentPhone("2001"))
    c = AmiClient("127.0.0.1", double.ami_port, "callcenter", "secret", ping_interval=5)
    await c.connect()
    try:
        assert c.connected and c.banner.version == "11.0.0"
        pong = await c.action("Ping")
        assert pong.get("Ping") == "Pong"
        eps = await c.action("PJSIPShowEndpoints")
        assert [e["ObjectName"] for e in eps.events] == ["2001"] and eps.complete["ListItems"] == "1"
        bad = await c.action("NoSuchAction")
        assert not bad.success and "Invalid/unknown command" in bad.message
        login = double.actions_named("Login")[0]
        assert login["Username"] == "callcenter" and login["Secret"] == "secret"
    finally:
        await c.stop()


async def test_wrong_secret_is_an_auth_error(double):
    c = AmiClient("127.0.0.1", double.ami_port, "callcenter", "wrong")
    with pytest.raises(AmiAuthError, match="refused: Authentication failed"):
        await c.connect()


async def test_no_server_is_a_connect_error():
    c = AmiClient("127.0.0.1", 1, "x", "y", connect_timeout=1)
    with pytest.raises(AmiConnectError, match="cannot connect"):
        await c.connect()


async def test_not_an_ami_port():
    async def handle(r, w):
        w.write(b"SSH-2.0-OpenSSH_9.6\r\n")
        await w.drain()
    srv = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        with pytest.raises(AmiConnectError, match="banner"):
            await AmiClient("127.0.0.1", port, "x", "y", connect_timeout=1).connect()
    finally:
        srv.close()


async def test_action_timeout(double):
    c = AmiClient("127.0.0.1", double.ami_port, "callcenter", "secret", ping_interval=60)
    await c.connect()
    try:
        double.silence_ami(True)
        with pytest.raises(AmiTimeout, match="no response to CoreStatus"):
            await c.action("CoreStatus", timeout=0.2)
    finally:
        double.silence_ami(False)
        await c.stop()


async def test_silent_peer_is_detected_and_reconnected(service, double):
    rec = service.recorder
    client = service.clients[0]
    assert client.connected
    double.silence_ami(True)                       # socket stays open, Asterisk says nothing
    await until(lambda: not client.connected, 5)
    assert "peer silent" in client.last_error
    assert "AmiDisconnected" in rec.kinds()
    double.silence_ami(False)
    await until(lambda: client.connected, 5)
    assert client.connects == 2 and rec.kinds().count("AmiConnected") == 2


async def test_socket_closed_mid_call_reconnects_and_resyncs(service, double):
    """Asterisk drops the AMI connection while calls are up; while we are away one call ends and
    another starts. After the reconnect the resync reports both: nothing is lost or left stale."""
    rec = service.recorder
    double.add_phone(AgentPhone("2001", answer_after=0, hangup_if_not_bridged=1000))
    ok = await service.control.ring_agent("PJSIP/2001", call_id="c1")
    assert ok.answered
    tracker = service.trackers["default"]
    await until(lambda: ok.uniqueid in tracker.channels)
    double.drop_ami()
    await until(lambda: not service.clients[0].connected, 3)
    # changes while disconnected
    double.model.hangup(double.channel(ok.channel))
    other = double.model.new_channel("PJSIP/2002-000000aa", caller_num="5550001")
    await until(lambda: service.clients[0].connected, 5)
    await until(lambda: "AmiResynced" in rec.kinds(), 3)
    hung = [e for e in rec.of("ChannelHungup") if e.data["uniqueid"] == ok.uniqueid]
    assert hung and hung[-1].data["cause"] == "resync" and hung[-1].call_id == "c1"
    created = [e for e in rec.of("ChannelCreated") if e.data["uniqueid"] == other.uniqueid]
    assert created
    assert set(tracker.channels) == {other.uniqueid}
    # AmiConnected is published before AmiResynced (control usable in a resync subscriber)
    k = rec.kinds()
    assert k.index("AmiResynced") > k.index("AmiConnected")


async def test_pending_action_fails_when_the_connection_drops(double):
    c = AmiClient("127.0.0.1", double.ami_port, "callcenter", "secret")
    await c.connect()
    double.silence_ami(True)
    task = asyncio.ensure_future(c.action("CoreStatus", timeout=5))
    await asyncio.sleep(0.05)
    double.drop_ami()
    from callcenter.asterisk.ami_client import AmiDisconnected
    with pytest.raises(AmiDisconnected):
        await task
    double.silence_ami(False)


async def test_service_without_asterisk_keeps_running(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    bus = EventBus()
    cfg = make_config(tmp_path, None, CALLCENTER_AMI="callcenter:x@127.0.0.1:1")
    svc = AsteriskService(cfg, bus, FakeClock())
    await svc.start()
    try:
        await asyncio.sleep(0.5)
        st = svc.status()
        assert st["ami"][0]["state"] == "disconnected" and st["ami_connected"] == 0
        assert st["agi"]["listening"] and not st["ok"]
        lines = [r for r in caplog.records if "retrying in" in r.getMessage()]
        assert len(lines) >= 2                        # one clear line per attempt
        assert "cannot connect to 127.0.0.1:1" in lines[0].getMessage()
        delays = [float(r.getMessage().rsplit("retrying in ", 1)[1].split()[0]) for r in lines]
        assert delays == sorted(delays) and delays[-1] <= 0.2     # back-off, capped
        assert not svc.presence.is_available("PJSIP/2001")
    finally:
        await svc.stop()


async def test_several_asterisk_servers(tmp_path):
    async with AsteriskDouble(time_scale=0.01) as a, AsteriskDouble(time_scale=0.01) as b:
        a.add_phone(AgentPhone("2001"))
        b.add_phone(AgentPhone("3001"))
        bus = EventBus()
        rec = Recorder(bus)
        cfg = make_config(tmp_path, None, CALLCENTER_AMI=f"{a.ami_url},{b.ami_url}")
        svc = AsteriskService(cfg, bus, FakeClock())
        await svc.start()
        try:
            await until(lambda: all(c.connected for c in svc.clients), 5)
            assert [c.name for c in svc.clients] == ["default", "ami2"]
            assert svc.presence.is_available("PJSIP/2001") and svc.presence.is_available("PJSIP/3001")
            r = await svc.control.ring_agent("PJSIP/3001", call_id="x", server="ami2")
            assert r.answered and r.server == "ami2"
            assert len(rec.of("AmiConnected")) == 2
        finally:
            await svc.stop()


async def test_events_are_published_with_the_call_id(service, double):
    rec = service.recorder
    double.add_phone(AgentPhone("2001", answer_after=0, talk_seconds=0.5))
    got = {}

    async def ivr(ch):
        await ch.answer()
        r = await service.control.ring_agent("PJSIP/2001", call_id=ch.call_id, caller_channel=ch.info.channel)
        got["ring"] = r
        await ch.bridge(r.channel)
    service.route("ivr", ivr, channel=True)
    caller = Caller()
    await double.call(caller, service.agi.bound_port)
    await until(lambda: len(rec.of("BridgeLeft")) >= 2)
    call_id = caller.channel.uniqueid
    entered = rec.of("BridgeEntered")
    assert len(entered) == 2 and all(e.data["bridge"] == entered[0].data["bridge"] for e in entered)
    agent_leg = [e for e in rec.of("ChannelCreated") if e.data["uniqueid"] == got["ring"].uniqueid]
    assert agent_leg[0].call_id == call_id or agent_leg[0].data["channel"].startswith("PJSIP/2001")
    assert [e for e in rec.of("AgiSessionStarted") if e.call_id == call_id]
    ring = rec.of("AgentRingFinished")[0]
    assert ring.data["outcome"] == "answered" and ring.call_id == call_id
    assert caller.bridged_to == [got["ring"].channel]
