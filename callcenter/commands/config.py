"""`callcenter config`: show, check and document the configuration."""
from __future__ import annotations


import yaml

from .toolbox import add_command, load_config_from, print_json


def register(sub) -> None:
    p = add_command(sub, "config", "Show the effective configuration, check a file, print the defaults.")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    sh = add_command(csub, "show", "Print the merged configuration (file + CALLCENTER_* environment), secrets masked.")
    sh.add_argument("--json", action="store_true", help="JSON instead of YAML")
    sh.set_defaults(func=_show)
    ck = add_command(csub, "check", "Validate the configuration; prints 'ok' or one line naming the problem.")
    ck.add_argument("file", nargs="?", help="file to check (default: --config / $CALLCENTER_CONFIG / ./callcenter.yaml)")
    ck.set_defaults(func=_check)
    d = add_command(csub, "defaults", "Print every key with its default value (a starting callcenter.yaml).")
    d.set_defaults(func=_defaults)
    e = add_command(csub, "env", "List the CALLCENTER_* environment overrides.")
    e.set_defaults(func=_env)


def _show(args) -> int:
    cfg = load_config_from(args)
    data = cfg.redacted()
    data["database"] = {**data["database"], "url": _safe(cfg.database_url)}
    print(f"# source: {cfg.source}")
    if args.json:
        print_json(data)
    else:
        print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True).rstrip())
    return 0


def _safe(url: str) -> str:
    from ..store.db import safe_url
    return safe_url(url)


def _check(args) -> int:
    from ..config import load_config
    cfg = load_config(args.file or getattr(args, "config", None))
    print(f"{cfg.source}: ok")
    return 0


def _defaults(args) -> int:
    from ..config import dump_defaults
    print(dump_defaults().rstrip())
    return 0


def _env(args) -> int:
    from ..config import ENV_HELP
    print(ENV_HELP.strip())
    return 0
