"""`callcenter asterisk`: render PJSIP endpoints for the agents, test the AMI connection, show status."""
from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path

from .toolbox import add_command, load_config_from, print_json, run_db


def register(sub) -> None:
    p = add_command(sub, "asterisk", "Asterisk: render PJSIP agent endpoints, test AMI, show status.")
    asub = p.add_subparsers(dest="asterisk_command", metavar="ACTION", required=True)

    c = add_command(asub, "config", "Render pjsip_agents.conf (PJSIP endpoint + auth + AOR per agent).",
                    epilog="Without --agents the agents come from the database (callcenter provision import).")
    c.add_argument("--agents", metavar="FILE", help="agents YAML (same shape as the provisioning import)")
    c.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    c.add_argument("--passwords", metavar="FILE",
                   help="extension -> SIP password YAML, created/extended as needed "
                        "(default: <data_dir>/sip_passwords.yaml)")
    c.add_argument("--rotate-passwords", action="store_true",
                   help="give every agent a new random SIP password (phones must be re-configured); "
                        "without it the passwords already in --output or the passwords file are kept")
    c.set_defaults(func=_config)

    pg = add_command(asub, "ping", "Log in to each configured AMI server (ami.servers / CALLCENTER_AMI) and Ping it.")
    pg.add_argument("--server", help="only this ami.servers name")
    pg.add_argument("--timeout", type=float, default=5.0, help="seconds per step (default 5)")
    pg.set_defaults(func=_ping)

    st = add_command(asub, "status", "Show each AMI server's channels and the agent phones' registration state.")
    st.add_argument("--server", help="only this ami.servers name")
    st.add_argument("--timeout", type=float, default=5.0)
    st.add_argument("--json", action="store_true", help="machine-readable output")
    st.set_defaults(func=_status)

    from .asterisk_audiosocket import register as register_audiosocket
    register_audiosocket(asub)


# -- config -----------------------------------------------------------------------------------------
def _config(args) -> int:
    from ..asterisk.conf import (AgentsFileError, assign_passwords, load_agents_yaml, load_passwords,
                                 passwords_in_rendered, render_pjsip_agents, validate_agents)
    cfg = load_config_from(args)
    try:
        if args.agents:
            agents = load_agents_yaml(args.agents)
            source = args.agents
        else:
            agents = _agents_from_db(args)
            if agents is None:
                return 1
            source = "the database"
        agents = validate_agents(agents, source)
        pw_path = Path(args.passwords) if args.passwords else cfg.data_dir / "sip_passwords.yaml"
        known = load_passwords(pw_path)
        if args.output and Path(args.output).exists():
            # the file Asterisk reads is what the phones use: keep its passwords even when the
            # passwords file is elsewhere (another data_dir, another working directory)
            known.update(passwords_in_rendered(Path(args.output).read_text(encoding="utf-8")))
        if args.rotate_passwords:
            known = {}
        passwords, new = assign_passwords(agents, known)
        text = render_pjsip_agents(agents, passwords, source=source)
    except AgentsFileError as exc:
        print(f"callcenter asterisk config: {exc}", file=sys.stderr)
        return 1
    if new:
        import yaml
        pw_path.parent.mkdir(parents=True, exist_ok=True)
        pw_path.write_text(yaml.safe_dump(passwords, sort_keys=True), encoding="utf-8")
        try:
            os.chmod(pw_path, 0o600)
        except OSError:
            pass
        print(f"new SIP passwords for {', '.join(new)} saved in {pw_path} (give them to the agents' phones)",
              file=sys.stderr)
    else:
        print("existing SIP passwords kept (--rotate-passwords makes new ones)", file=sys.stderr)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"{len(agents)} agent endpoints written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    if not agents:
        print("warning: no agent has an extension: nothing to render", file=sys.stderr)
    return 0


def _agents_from_db(args):
    from ..store import repo

    out: list[dict] = []

    async def fn(s):
        for a in await repo.list_agents(s):
            if a.enabled:
                out.append({"name": a.name, "full_name": a.full_name, "extension": a.extension})
    rc = run_db(args, fn, commit=False)
    return out if rc == 0 else None


# -- ping / status -----------------------------------------------------------------------------------
def _servers(cfg, only):
    return [s for s in cfg.ami.enabled_servers if not only or s.name == only]


def _client(s, timeout):
    from ..asterisk.ami_client import AmiClient
    return AmiClient(s.host, s.port, s.username, s.secret, name=s.name,
                     action_timeout=timeout, connect_timeout=timeout, events=False)


def _ping(args) -> int:
    from ..asterisk.ami_client import AmiError
    cfg = load_config_from(args)
    servers = _servers(cfg, args.server)
    if not servers:
        print("no AMI server configured: set ami.servers in the configuration or CALLCENTER_AMI="
              "user:secret@host:port", file=sys.stderr)
        return 1

    async def one(s) -> bool:
        c = _client(s, args.timeout)
        t0 = time.monotonic()
        try:
            await c.connect()
            t1 = time.monotonic()
            await c.action("Ping", timeout=args.timeout)
            t2 = time.monotonic()
            print(f"{s.name}: {s.host}:{s.port} OK (AMI {c.banner.version if c.banner else '?'}, "
                  f"login {1000 * (t1 - t0):.1f} ms, ping {1000 * (t2 - t1):.1f} ms)")
            return True
        except AmiError as exc:
            print(f"{s.name}: {s.host}:{s.port} FAILED: {exc}")
            return False
        finally:
            await c.stop()

    async def main() -> bool:
        return all(await asyncio.gather(*(one(s) for s in servers)))
    return 0 if asyncio.run(main()) else 1


def _status(args) -> int:
    from ..asterisk.ami_client import AmiError
    from ..asterisk.state import ChannelTracker, Presence
    cfg = load_config_from(args)
    servers = _servers(cfg, args.server)
    if not servers:
        print("no AMI server configured: set ami.servers or CALLCENTER_AMI", file=sys.stderr)
        return 1

    async def one(s) -> dict:
        c = _client(s, args.timeout)
        out: dict = {"name": s.name, "host": s.host, "port": s.port}
        try:
            await c.connect()
            core = await c.action("CoreStatus", timeout=args.timeout)
            chans = await c.action("CoreShowChannels", timeout=args.timeout)
            tr = ChannelTracker()
            tr.resync(chans.events)
            pres = Presence()
            dev = await c.action("DeviceStateList", timeout=args.timeout)
            try:
                eps = await c.action("PJSIPShowEndpoints", timeout=args.timeout)
                ep_items = eps.events if eps.success else []
            except AmiError:
                ep_items = []
            pres.resync(dev.events if dev.success else [], ep_items)
            out.update(ok=True, ami_version=c.banner.version if c.banner else None,
                       current_calls=core.get("CoreCurrentCalls"), channels=[ch.to_dict() for ch in tr.channels.values()],
                       bridges=len(tr.bridges), phones=pres.snapshot())
        except AmiError as exc:
            out.update(ok=False, error=str(exc))
        finally:
            await c.stop()
        return out

    async def main() -> list[dict]:
        return list(await asyncio.gather(*(one(s) for s in servers)))
    results = asyncio.run(main())
    if args.json:
        print_json(results)
    else:
        for r in results:
            if not r["ok"]:
                print(f"{r['name']}: {r['host']}:{r['port']} DISCONNECTED: {r['error']}")
                continue
            print(f"{r['name']}: {r['host']}:{r['port']} connected (AMI {r['ami_version']}), "
                  f"{len(r['channels'])} channels, {r['bridges']} bridges")
            for ch in r["channels"]:
                print(f"  channel {ch['channel']:<40} {ch['state']:<8} {ch['caller']:<14} "
                      f"{ch['context']},{ch['exten']}{'  bridge ' + ch['bridge'] if ch['bridge'] else ''}")
            for iface, p in r["phones"].items():
                flag = "available" if p["available"] else ("registered" if p["registered"] else "UNREGISTERED")
                print(f"  phone   {iface:<20} {p['state']:<12} {flag}")
    return 0 if all(r["ok"] for r in results) else 1
