"""`callcenter skill`: the skills agents have (with a proficiency 1-5) and queues require."""
from __future__ import annotations

from .toolbox import add_command, print_json, print_table, run_db


def register(sub) -> None:
    p = add_command(sub, "skill", "Manage skills (billing, tech, ...): add, list, remove.")
    ssub = p.add_subparsers(dest="skill_command", metavar="ACTION", required=True)
    a = add_command(ssub, "add", "Add a skill (or update its description).")
    a.add_argument("name")
    a.add_argument("--description", "-d", help="what the skill covers")
    a.set_defaults(func=_add)
    ls = add_command(ssub, "list", "List skills and how many agents have each.")
    ls.add_argument("--json", action="store_true", help="JSON output")
    ls.set_defaults(func=_list)
    rm = add_command(ssub, "remove", "Remove a skill (and every agent's proficiency in it).")
    rm.add_argument("name")
    rm.set_defaults(func=_remove)


def _add(args) -> int:
    from ..store import repo

    async def fn(s):
        existed = await repo.get_skill(s, args.name) is not None
        await repo.upsert_skill(s, args.name, args.description)
        print(f"skill {args.name} {'updated' if existed else 'added'}")
    return run_db(args, fn)


def _list(args) -> int:
    from ..store import repo

    async def fn(s):
        skills = await repo.list_skills(s)
        agents = await repo.list_agents(s)
        count = {k.name: sum(1 for a in agents for l in a.skills if l.skill.name == k.name) for k in skills}
        if args.json:
            print_json([{"name": k.name, "description": k.description, "agents": count[k.name]} for k in skills])
        else:
            print_table([[k.name, count[k.name], k.description] for k in skills], ["SKILL", "AGENTS", "DESCRIPTION"])
    return run_db(args, fn)


def _remove(args) -> int:
    from ..store import repo

    async def fn(s):
        if not await repo.remove_skill(s, args.name):
            raise repo.RepoError(f"no skill named {args.name!r}")
        print(f"skill {args.name} removed")
    return run_db(args, fn)
