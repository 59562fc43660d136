"""`callcenter provision`: import/export skills, queues, agents and users as YAML."""
from __future__ import annotations

import sys

from . import add_command
from .db import run_db


def register(sub) -> None:
    p = add_command(sub, "provision", "Import or export skills, queues, agents and users as YAML.")
    psub = p.add_subparsers(dest="provision_command", metavar="ACTION", required=True)
    i = add_command(psub, "import", "Create or update everything in FILE (idempotent; all or nothing).",
                    epilog="format: see README 'Storage and provisioning' or callcenter/demo/demo.yaml")
    i.add_argument("file")
    i.add_argument("--dry-run", action="store_true", help="validate and report, change nothing")
    i.set_defaults(func=_import)
    e = add_command(psub, "export", "Write the current provisioning as YAML (re-importable).")
    e.add_argument("-o", "--output", help="file to write (default: stdout)")
    e.add_argument("--no-users", action="store_true", help="leave users (and password hashes) out")
    e.set_defaults(func=_export)


def _import(args) -> int:
    from ..store import provision

    async def fn(s):
        res = await provision.import_file(s, args.file)
        if args.dry_run:
            print(f"{args.file}: valid; would apply {res.summary()}")
        else:
            print(f"{args.file}: {res.summary()}")
    return run_db(args, fn, commit=not args.dry_run)


def _export(args) -> int:
    from ..store import provision

    async def fn(s):
        text = provision.dump_yaml(await provision.export_data(s, include_users=not args.no_users))
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
            print(f"provisioning written to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
    return run_db(args, fn)
