"""asterisk_conf/ implements exactly what the code expects (contexts, variables, permissions)."""
from __future__ import annotations

import re
from pathlib import Path

from callcenter.asterisk import control

CONF = Path(__file__).resolve().parents[2] / "asterisk_conf"


def _contexts(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    cur = None
    for line in text.splitlines():
        m = re.match(r"^\[([\w-]+)\]", line)
        if m:
            cur = m.group(1)
            out[cur] = ""
        elif cur:
            out[cur] += line.split(";", 1)[0] + "\n"
    return out


def test_dialplan_has_every_context_the_code_uses():
    ctx = _contexts((CONF / "extensions.conf").read_text())
    for name in (control.AGENT_WAIT_CONTEXT, control.AGENT_HOLD_CONTEXT,
                 control.TRANSFER_CONTEXT, control.OUTBOUND_CONTEXT, control.CALLBACK_CONTEXT,
                 "cc-inbound", "cc-fallback", "cc-agents"):
        assert name in ctx, name
    inbound = ctx["cc-inbound"]
    assert "AGI(agi://${CC_ENGINE}/ivr)" in inbound
    for status in ("ok", "transfer", "error", "noroute"):       # values agi_server / agi_channel set
        assert f'"${{CC_AGI_STATUS}}" = "{status}"' in inbound
    assert "Goto(${CC_TRANSFER_CONTEXT},${CC_TRANSFER_EXTEN},${CC_TRANSFER_PRIORITY})" in inbound
    assert "Bridge(${CC_AGENT_CHANNEL})" in ctx["cc-callback-connect"]
    assert "cc-hold" not in ctx          # the caller is never redirected (it would leave its AGI session)
    assert "exten => s,1" in ctx["cc-agent-wait"] and "exten => s,1" in ctx["cc-agent-hold"]
    for action in ("login", "logout", "pause", "ready", "wrapup"):
        assert f"AGI(agi://${{CC_ENGINE}}/agent/{action}" in ctx["cc-agents"]
    for var in ("CC_ENGINE", "CC_TRUNK", "CC_FALLBACK_DIAL", "CC_AGENT_WAIT", "CC_AGI_RETRIES"):
        assert re.search(rf"^{var} =( |$)", ctx["globals"], re.M), var


def test_manager_user_is_least_privilege_and_local():
    text = (CONF / "manager.conf").read_text()
    user = _contexts(text)["callcenter"]
    assert "deny = 0.0.0.0/0.0.0.0" in user and "permit = 127.0.0.1/255.255.255.255" in user
    read = re.search(r"^read = (.*)$", user, re.M).group(1).split(",")
    write = re.search(r"^write = (.*)$", user, re.M).group(1).split(",")
    assert set(read) == {"system", "call"}
    assert set(write) == {"system", "call", "originate", "reporting"} and "all" not in write


def test_pjsip_agents_use_the_agents_context():
    ctx = _contexts((CONF / "pjsip.conf").read_text())
    assert "context = cc-agents" in ctx["cc-agent-endpoint"]
    assert "qualify_frequency" in ctx["cc-agent-aor"]
