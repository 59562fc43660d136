"""Against a real Asterisk: run only when CALLCENTER_TEST_AMI=user:secret@host:port names one."""
from __future__ import annotations

import os

import pytest

from callcenter.asterisk.ami_client import AmiClient
from callcenter.asterisk.service import AsteriskService
from callcenter.config import load_config
from callcenter.events import EventBus

pytestmark = [pytest.mark.asterisk_live,
              pytest.mark.skipif(not os.environ.get("CALLCENTER_TEST_AMI"),
                                 reason="set CALLCENTER_TEST_AMI=user:secret@host:port to test a live Asterisk")]


def _server():
    cred, _, hostport = os.environ["CALLCENTER_TEST_AMI"].rpartition("@")
    user, _, secret = cred.partition(":")
    host, _, port = hostport.partition(":")
    return host, int(port or 5038), user, secret


async def test_live_login_ping_and_lists():
    host, port, user, secret = _server()
    c = AmiClient(host, port, user, secret)
    await c.connect()
    try:
        assert (await c.action("Ping")).get("Ping") == "Pong"
        chans = await c.action("CoreShowChannels")
        assert chans.complete is not None and int(chans.complete["ListItems"]) == len(chans.events)
        dev = await c.action("DeviceStateList")
        assert dev.complete is not None
    finally:
        await c.stop()


async def test_live_service_connects_and_resyncs(tmp_path):
    cfg = load_config(env={"CALLCENTER_AMI": os.environ["CALLCENTER_TEST_AMI"], "CALLCENTER_AGI_PORT": "0",
                           "CALLCENTER_DATA_DIR": str(tmp_path)})
    bus = EventBus()
    kinds = []
    bus.subscribe(lambda e: kinds.append(e.kind))
    svc = AsteriskService(cfg, bus, None)
    await svc.start()
    try:
        assert await svc.clients[0].wait_connected(10)
        assert "AmiConnected" in kinds and "AmiResynced" in kinds
        assert svc.status()["ami_connected"] == 1
    finally:
        await svc.stop()
