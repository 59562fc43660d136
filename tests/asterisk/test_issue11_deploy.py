"""Issue 11, defect 7 (deployment on a real Asterisk): the shipped asterisk_conf/ and the CLI."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.asterisk_double import AsteriskDouble
from tests.asterisk_double.dialplan import Dialplan
from callcenter.cli import main

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "asterisk_conf"


def _sections(path: Path) -> list[tuple[str, dict[str, str]]]:
    """Asterisk .conf sections in order (names repeat), ``name(template)`` kept in the name."""
    out: list[tuple[str, dict[str, str]]] = []
    for raw in path.read_text().splitlines():
        line = raw.split(";", 1)[0].strip()
        m = re.match(r"^\[([^\]]+)\](\(.*\))?", line)
        if m:
            out.append((m.group(1) + (m.group(2) or ""), {}))
        elif "=" in line and out:
            k, _, v = line.partition("=")
            out[-1][1][k.strip().lstrip(">").strip()] = v.strip().lstrip(">").strip()
    return out


def test_music_on_hold_classes_point_at_installed_music():
    for name, opts in _sections(CONF / "musiconhold.conf"):
        if name == "general":
            continue
        d = opts.get("directory", "")
        # relative = under astdatadir, where Debian's asterisk-moh-opsound (and `make install`) put moh/
        assert d == "moh", f"musiconhold.conf [{name}] directory={d!r}: a directory a fresh Asterisk has not got"


def test_the_fallback_dials_something_that_exists():
    dp = Dialplan.load()
    target = dp.globals.get("CC_FALLBACK_DIAL", "")
    endpoints = {n.split("(")[0] for n, o in _sections(CONF / "pjsip.conf") if o.get("type") == "endpoint"
                 or "(cc-" in n}
    if target.upper().startswith("PJSIP/"):
        assert target.split("/", 1)[1] in endpoints, f"CC_FALLBACK_DIAL={target}: no such endpoint in pjsip.conf"
    steps = dp.steps("cc-fallback", "s")
    apps = [st.app for st in steps]
    guard = next((i for i, st in enumerate(steps) if st.app == "GotoIf" and "CC_FALLBACK_DIAL" in st.data), None)
    assert guard is not None and guard < apps.index("Dial"), "an empty CC_FALLBACK_DIAL must not Dial()"


def test_the_dialplan_waits_a_minute_for_a_restarting_engine():
    g = Dialplan.load().globals
    assert int(g["CC_AGI_RETRIES"]) * float(g["CC_AGI_RETRY_WAIT"]) >= 60


def test_asterisk_config_keeps_the_passwords_phones_use(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    agents = tmp_path / "agents.yaml"
    agents.write_text(yaml.safe_dump({"agents": [{"name": "alice", "extension": "2001"},
                                                 {"name": "bob", "extension": "2002"}]}))
    out = tmp_path / "etc" / "pjsip_agents.conf"
    out.parent.mkdir()

    def passwords() -> dict[str, str]:
        users = re.findall(r"username = (\d+)\npassword = (\S+)", out.read_text())
        return dict(users)
    # each run from another directory (another default data_dir): the rendered file is the truth
    for i, extra in enumerate([[], [], ["--rotate-passwords"]]):
        d = tmp_path / f"run{i}"
        d.mkdir()
        monkeypatch.chdir(d)
        monkeypatch.setenv("CALLCENTER_DATA_DIR", str(d / "data"))
        assert main(["asterisk", "config", "--agents", str(agents), "-o", str(out)] + extra) == 0
        if i == 0:
            first = passwords()
        elif i == 1:
            assert passwords() == first, "a second run must keep the phones' passwords"
        else:
            assert set(passwords()) == set(first) and all(passwords()[k] != first[k] for k in first)
    assert "--rotate-passwords" in capsys.readouterr().err


def test_english_prompts_do_not_carry_other_scripts_without_a_voice():
    cjk = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")

    def walk(node, lang, where, under_voice=False):
        if isinstance(node, dict):
            voiced = "voice" in node or "language" in node
            for k, v in node.items():
                if k in ("say", "phrases", "description", "label", "synonyms", "intents"):
                    continue
                walk(v, node.get("language", lang) if isinstance(node.get("language"), str) else lang,
                     f"{where}.{k}", voiced)
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, lang, f"{where}[{i}]", under_voice)
        elif isinstance(node, str) and lang.startswith("en") and cjk.search(node) and not under_voice:
            raise AssertionError(f"{where}: {node!r} would be read by the {lang} voice")
    for f in sorted((ROOT / "ivr_flows").glob("*.yaml")):
        doc = yaml.safe_load(f.read_text())
        walk(doc, doc.get("language", "en-US"), f.name)


def test_callers_endpoints_land_in_cc_inbound_in_every_example():
    sections = _sections(CONF / "pjsip.conf")
    callers = [(n, o) for n, o in sections if o.get("type") == "endpoint" and not n.startswith("cc-agent")]
    assert callers and all(o.get("context") == "cc-inbound" for n, o in callers), callers
    assert any(n.startswith("cc-caller-endpoint") for n, _ in sections), "a template for SIP callers"
    text = (ROOT / "README.md").read_text() + (CONF / "README.md").read_text()
    assert "cc-caller-endpoint" in text and "cc-inbound" in text


def _run_cli(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "callcenter.cli"] + args, capture_output=True, text=True,
                          env=env, timeout=60)


async def test_asterisk_ping_is_quiet_when_all_is_well_and_clear_against_a_non_ami_port(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env.update({"CALLCENTER_DATA_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)})

    async def http_like(reader, writer):
        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(2)
        writer.close()
    server = await asyncio.start_server(http_like, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with AsteriskDouble() as d:
        ok = await asyncio.to_thread(_run_cli, ["asterisk", "ping"], {**env, "CALLCENTER_AMI": d.ami_url})
        bad = await asyncio.to_thread(_run_cli, ["asterisk", "ping", "--timeout", "1"],
                                      {**env, "CALLCENTER_AMI": f"u:s@127.0.0.1:{port}"})
    server.close()
    assert ok.returncode == 0 and " OK " in ok.stdout
    assert "disconnected" not in ok.stderr.lower() and "warning" not in ok.stderr.lower(), ok.stderr
    assert bad.returncode == 1 and "FAILED" in bad.stdout and "not an Asterisk manager" in bad.stdout, bad.stdout
    assert "Future exception was never retrieved" not in bad.stderr, bad.stderr
    assert "Traceback" not in bad.stderr, bad.stderr
