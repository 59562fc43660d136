"""`callcenter provision`: import/export skills, queues, agents and users as YAML."""
from __future__ import annotations

import sys

from .toolbox import add_command, load_config_from, print_json, print_table, run_db


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

    u = add_command(psub, "user", "Manage login users (roles agent, supervisor, admin): add, list, remove.")
    usub = u.add_subparsers(dest="user_command", metavar="ACTION", required=True)
    ua = add_command(usub, "add", "Create a user or change its password/role/agent link.")
    ua.add_argument("username")
    ua.add_argument("--role", choices=("agent", "supervisor", "admin"), help="default for a new user: agent")
    ua.add_argument("--agent", help="the agent this user is (agent role)")
    ua.add_argument("--password", help="password (default: asked on the terminal, or read from stdin)")
    ua.add_argument("--disable", dest="enabled", action="store_false", default=None)
    ua.add_argument("--enable", dest="enabled", action="store_true", default=None)
    ua.set_defaults(func=_user_add)
    ul = add_command(usub, "list", "List users with role and agent.")
    ul.add_argument("--json", action="store_true", help="JSON output")
    ul.set_defaults(func=_user_list)
    ur = add_command(usub, "remove", "Remove a user (and its API tokens).")
    ur.add_argument("username")
    ur.set_defaults(func=_user_remove)
    t = add_command(psub, "token", "Issue an API token for a user (printed once; only its hash is stored).")
    t.add_argument("username")
    t.add_argument("--ttl", type=float, help="lifetime in seconds (default: api.token_ttl; 0 = never expires)")
    t.add_argument("--label", default="cli", help="note stored with the token")
    t.set_defaults(func=_token)


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


def _read_password(args) -> str | None:
    if args.password is not None:
        return args.password
    import getpass
    if sys.stdin.isatty():
        pw = getpass.getpass(f"password for {args.username}: ")
        if pw != getpass.getpass("again: "):
            raise SystemExit("callcenter: error: the passwords differ")
        return pw or None
    line = sys.stdin.readline().rstrip("\n")
    return line or None


def _user_add(args) -> int:
    from ..store import repo

    async def fn(s):
        existing = await repo.get_user(s, args.username)
        pw = _read_password(args) if existing is None or args.password is not None else None
        kw = {k: v for k, v in (("role", args.role), ("enabled", args.enabled)) if v is not None}
        if args.agent is not None:
            kw["agent"] = args.agent or None
        u = await repo.upsert_user(s, args.username, password=pw, **kw)
        print(f"user {u.username} {'updated' if existing else 'added'} (role {u.role}"
              f"{', agent ' + u.agent.name if u.agent else ''})")
    return run_db(args, fn)


def _user_list(args) -> int:
    from ..store import repo

    async def fn(s):
        users = [repo.user_to_dict(u) for u in await repo.list_users(s)]
        if args.json:
            print_json(users)
        else:
            print_table([[u["username"], u["role"], u["agent"] or "-", "yes" if u["enabled"] else "no"]
                         for u in users], ["USER", "ROLE", "AGENT", "ENABLED"])
    return run_db(args, fn)


def _user_remove(args) -> int:
    from ..store import repo

    async def fn(s):
        if not await repo.remove_user(s, args.username):
            raise repo.RepoError(f"no user named {args.username!r}")
        print(f"user {args.username} removed")
    return run_db(args, fn)


def _token(args) -> int:
    from ..store import repo

    ttl = args.ttl if args.ttl is not None else load_config_from(args).api.token_ttl

    async def fn(s):
        token = await repo.create_api_token(s, args.username, label=args.label, ttl=ttl or None)
        print(token)
    return run_db(args, fn)
