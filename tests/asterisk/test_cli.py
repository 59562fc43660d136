"""`callcenter asterisk config / ping / status`."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import yaml

from tests.asterisk_double import AgentPhone
from callcenter.cli import main

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update({"CALLCENTER_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(ROOT)}, **kw)
    return env


def test_config_from_agents_yaml_keeps_passwords(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLCENTER_DATA_DIR", str(tmp_path / "data"))
    agents = tmp_path / "agents.yaml"
    agents.write_text(yaml.safe_dump({"agents": [
        {"name": "alice", "full_name": "Alice Anderson", "extension": "2001"},
        {"name": "bob", "extension": 2002, "sip_password": "bobs-own-secret"},
        {"name": "nophone"}]}))
    out = tmp_path / "pjsip_agents.conf"
    assert main(["asterisk", "config", "--agents", str(agents), "-o", str(out)]) == 0
    text = out.read_text()
    assert "[2001](cc-agent-endpoint)" in text and '"Alice Anderson" <2001>' in text
    assert "[2002](cc-agent-auth)" in text and "password = bobs-own-secret" in text
    assert "nophone" not in text
    pw_file = tmp_path / "data" / "sip_passwords.yaml"
    first = yaml.safe_load(pw_file.read_text())
    assert set(first) == {"2001", "2002"} and len(first["2001"]) >= 12
    assert "new SIP passwords for 2001" in capsys.readouterr().err
    # re-rendering keeps the password of a working phone
    assert main(["asterisk", "config", "--agents", str(agents), "-o", str(out)]) == 0
    assert f"password = {first['2001']}" in out.read_text()
    # the templates the output uses exist in asterisk_conf/pjsip.conf
    pjsip = (ROOT / "asterisk_conf" / "pjsip.conf").read_text()
    for t in ("[cc-agent-endpoint](!)", "[cc-agent-auth](!)", "[cc-agent-aor](!)", "#include pjsip_agents.conf"):
        assert t in pjsip


def test_config_errors_name_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  - {name: a, extension: 2001\n")
    assert main(["asterisk", "config", "--agents", str(bad)]) == 1
    assert f"{bad}:" in capsys.readouterr().err
    dup = tmp_path / "dup.yaml"
    dup.write_text(yaml.safe_dump([{"name": "a", "extension": "2001"}, {"name": "b", "extension": "2001"}]))
    assert main(["asterisk", "config", "--agents", str(dup)]) == 1
    assert "extension 2001 is used by both 'a' and 'b'" in capsys.readouterr().err
    assert main(["asterisk", "config", "--agents", str(tmp_path / "missing.yaml")]) == 1
    assert "file not found" in capsys.readouterr().err


def test_config_from_the_database(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CALLCENTER_DATA_DIR", str(tmp_path / "data"))
    prov = tmp_path / "prov.yaml"
    prov.write_text(yaml.safe_dump({"agents": [{"name": "carol", "full_name": "Carol Chen", "extension": "2003"}]}))
    assert main(["provision", "import", str(prov)]) == 0
    capsys.readouterr()
    assert main(["asterisk", "config"]) == 0
    out = capsys.readouterr().out
    assert "[2003](cc-agent-endpoint)" in out and '"Carol Chen" <2003>' in out


async def _cli(tmp_path, *args, **env):
    p = await asyncio.create_subprocess_exec(sys.executable, "-m", "callcenter", *args, env=_env(tmp_path, **env),
                                             stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(p.communicate(), 60)
    return p.returncode, out.decode(), err.decode()


async def test_ping_and_status_against_the_double(tmp_path, double):
    double.add_phone(AgentPhone("2001"))
    double.add_phone(AgentPhone("2002", registered=False), announce=False)
    rc, out, err = await _cli(tmp_path, "asterisk", "ping", CALLCENTER_AMI=double.ami_url)
    assert rc == 0 and "default: 127.0.0.1" in out and "OK (AMI 11.0.0" in out, err
    rc, out, err = await _cli(tmp_path, "asterisk", "status", "--json", CALLCENTER_AMI=double.ami_url)
    assert rc == 0, err
    [st] = json.loads(out)
    assert st["ok"] and st["phones"]["PJSIP/2001"]["available"] and not st["phones"]["PJSIP/2002"]["registered"]
    rc, out, err = await _cli(tmp_path, "asterisk", "status", CALLCENTER_AMI=double.ami_url)
    assert "PJSIP/2002" in out and "UNREGISTERED" in out
    rc, out, err = await _cli(tmp_path, "asterisk", "ping",
                              CALLCENTER_AMI=f"callcenter:wrong@127.0.0.1:{double.ami_port}")
    assert rc == 1 and "FAILED" in out and "Authentication failed" in out
    rc, out, err = await _cli(tmp_path, "asterisk", "ping")
    assert rc == 1 and "no AMI server configured" in err
