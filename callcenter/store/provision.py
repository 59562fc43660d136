"""Provisioning from YAML: skills, queues, agents and users (idempotent upsert), and export.

File format (every section optional)::

    skills:
      - billing                       # or {name: billing, description: "..."}
    queues:
      - name: support
        strategy: best-skill          # see callcenter.store.models.STRATEGIES
        sl_target: 20                 # answer within 20 s ...
        sl_percent: 80                # ... for 80 % of calls
        max_wait: 300
        overflow: sales               # another queue, or "voicemail:support" / "flow:after_hours"
        rules: ["WT < 30: billing >= 4 & lang_en", "WT < 90: billing >= 2", "any"]
    agents:
      - name: alice
        full_name: Alice Example
        extension: "2001"             # interface defaults to PJSIP/<extension>
        languages: [en-US]
        skills: {billing: 4, tech: 2} # proficiency 1-5
        queues: {support: 0}          # queue -> penalty; or a list: [support, "billing:1"]
    users:
      - username: admin
        password: admin               # or password_hash: "scrypt$..."
        role: admin                   # agent | supervisor | admin
        agent: alice                  # optional link to an agent

An agent's ``skills`` / ``queues`` given in the file become its full set; keys left out stay unchanged.
The whole file is applied in one transaction: any error (reported as ``file:line: ...``) applies nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from . import repo
from .repo import QUEUE_FIELDS, RepoError

AGENT_KEYS = ("name", "full_name", "extension", "interface", "languages", "skills", "queues", "max_concurrent",
              "wrapup", "enabled")
USER_KEYS = ("username", "password", "password_hash", "role", "agent", "enabled")
SKILL_KEYS = ("name", "description")
QUEUE_KEYS = ("name",) + QUEUE_FIELDS
SECTIONS = ("skills", "queues", "agents", "users")


class ProvisionError(Exception):
    """A provisioning file problem; ``str()`` is ``file:line: what``."""


class _Map(dict):
    line: int = 0
    key_lines: dict


class _List(list):
    line: int = 0
    lines: list


class _Loader(yaml.SafeLoader):
    pass


def _map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    m = _Map()
    m.line = node.start_mark.line + 1
    m.key_lines = {}
    for k_node, v_node in node.value:
        key = loader.construct_object(k_node, deep=True)
        m[key] = loader.construct_object(v_node, deep=True)
        m.key_lines[key] = k_node.start_mark.line + 1
    return m


def _seq(loader: _Loader, node: yaml.SequenceNode) -> _List:
    lst = _List(loader.construct_object(n, deep=True) for n in node.value)
    lst.line = node.start_mark.line + 1
    lst.lines = [n.start_mark.line + 1 for n in node.value]
    return lst


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _seq)


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SECTIONS})
    updated: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SECTIONS})

    def summary(self) -> str:
        return ", ".join(f"{k}: {self.created[k]} new, {self.updated[k]} updated" for k in SECTIONS
                         if self.created[k] or self.updated[k]) or "nothing to import"


def parse_yaml(text: str, source: str) -> dict:
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProvisionError(f"{where}: not valid YAML: {problem}") from None
    if doc is None:
        return _Map()
    if not isinstance(doc, dict):
        raise ProvisionError(f"{source}:1: the top level must be a mapping with sections "
                             f"{', '.join(SECTIONS)}")
    for key in doc:
        if key not in SECTIONS:
            raise ProvisionError(f"{source}:{_kline(doc, key)}: unknown section {key!r} "
                                 f"(known: {', '.join(SECTIONS)})")
        if doc[key] is not None and not isinstance(doc[key], list):
            raise ProvisionError(f"{source}:{_kline(doc, key)}: section {key!r} must be a list")
    return doc


def _kline(m: Any, key: Any) -> int:
    return getattr(m, "key_lines", {}).get(key, getattr(m, "line", 0))


def _iline(lst: Any, i: int) -> int:
    lines = getattr(lst, "lines", None)
    return lines[i] if lines and i < len(lines) else getattr(lst, "line", 0)


def _check_entry(entry: Any, keys: tuple[str, ...], ident: str, section: str, where: str) -> None:
    if not isinstance(entry, dict):
        raise ProvisionError(f"{where}: each entry of {section!r} must be a mapping, got {entry!r}")
    if ident not in entry:
        raise ProvisionError(f"{where}: {section} entry needs a {ident!r}")
    for k in entry:
        if k not in keys:
            raise ProvisionError(f"{source_line(entry, k, where)}: {section} {entry.get(ident)!r}: unknown key "
                                 f"{k!r} (known: {', '.join(keys)})")


def source_line(entry: Any, key: str, where: str) -> str:
    src = where.rsplit(":", 1)[0]
    return f"{src}:{_kline(entry, key)}"


def _queues_of(value: Any, where: str, agent: str) -> dict[str, int]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        out = {}
        for item in value:
            name, _, pen = str(item).partition(":")
            try:
                out[name] = int(pen) if pen else 0
            except ValueError:
                raise ProvisionError(f"{where}: agent {agent!r}: queue entry {item!r} is not NAME[:PENALTY]") from None
        return out
    raise ProvisionError(f"{where}: agent {agent!r}: queues must be a mapping queue -> penalty or a list")


async def import_data(s: AsyncSession, doc: dict, source: str = "<data>", now: float | None = None) -> ImportResult:
    """Apply a parsed provisioning document (see the module docstring) inside session ``s``."""
    res = ImportResult()

    async def guarded(where: str, coro):
        try:
            return await coro
        except RepoError as exc:
            raise ProvisionError(f"{where}: {exc}") from None

    skills = doc.get("skills") or []
    for i, entry in enumerate(skills):
        where = f"{source}:{_iline(skills, i)}"
        if isinstance(entry, str):
            entry = {"name": entry}
        _check_entry(entry, SKILL_KEYS, "name", "skills", where)
        existed = await repo.get_skill(s, str(entry["name"])) is not None
        await guarded(where, repo.upsert_skill(s, entry["name"], entry.get("description")))
        (res.updated if existed else res.created)["skills"] += 1

    queues = doc.get("queues") or []
    overflow_checks = []
    for i, entry in enumerate(queues):
        where = f"{source}:{_iline(queues, i)}"
        _check_entry(entry, QUEUE_KEYS, "name", "queues", where)
        fields = {k: v for k, v in entry.items() if k != "name"}
        existed = await repo.get_queue(s, str(entry["name"])) is not None
        try:
            await repo.upsert_queue(s, entry["name"], now=now, **fields)
        except RepoError as exc:
            bad = next((k for k in fields if repr(k) in str(exc) or k in str(exc)), None)
            raise ProvisionError(f"{source_line(entry, bad, where) if bad else where}: queue "
                                 f"{entry['name']!r}: {exc}") from None
        (res.updated if existed else res.created)["queues"] += 1
        if fields.get("overflow"):
            overflow_checks.append((entry, where))
    for entry, where in overflow_checks:
        target = str(entry["overflow"])
        if ":" not in target and await repo.get_queue(s, target) is None:
            raise ProvisionError(f"{source_line(entry, 'overflow', where)}: queue {entry['name']!r}: overflow "
                                 f"target {target!r} is not a queue (use voicemail:NAME or flow:NAME for others)")

    agents = doc.get("agents") or []
    for i, entry in enumerate(agents):
        where = f"{source}:{_iline(agents, i)}"
        _check_entry(entry, AGENT_KEYS, "name", "agents", where)
        name = str(entry["name"])
        kw = {k: entry[k] for k in ("full_name", "extension", "interface", "languages", "max_concurrent",
                                    "wrapup", "enabled") if k in entry}
        if "extension" in kw and kw["extension"] is not None:
            kw["extension"] = str(kw["extension"])
        skills_map = entry.get("skills")
        if skills_map is not None and not isinstance(skills_map, dict):
            raise ProvisionError(f"{source_line(entry, 'skills', where)}: agent {name!r}: skills must be a "
                                 "mapping skill -> proficiency 1-5")
        queues_map = _queues_of(entry["queues"], source_line(entry, "queues", where), name) \
            if entry.get("queues") is not None else None
        existed = await repo.get_agent(s, name) is not None
        try:
            await repo.upsert_agent(s, name, skills=skills_map, queues=queues_map, replace=True, now=now, **kw)
        except RepoError as exc:
            msg = str(exc)
            bad = ("skills" if "proficiency" in msg or "skill" in msg else "queues" if "queue" in msg
                   else next((k for k in kw if k in msg), None))
            raise ProvisionError(f"{source_line(entry, bad, where) if bad else where}: agent {name!r}: "
                                 f"{msg.removeprefix(f'agent {name!r}: ')}") from None
        (res.updated if existed else res.created)["agents"] += 1

    users = doc.get("users") or []
    for i, entry in enumerate(users):
        where = f"{source}:{_iline(users, i)}"
        _check_entry(entry, USER_KEYS, "username", "users", where)
        uname = str(entry["username"])
        kw = {k: entry[k] for k in ("role", "agent", "enabled") if k in entry}
        pw = entry.get("password")
        existed = await repo.get_user(s, uname)
        if pw is not None and not isinstance(pw, str):
            pw = str(pw)
        if existed is not None and pw is not None and repo.verify_password(pw, existed.password_hash):
            pw = None   # unchanged: keep the old hash (idempotent import)
        await guarded(source_line(entry, "username", where),
                      repo.upsert_user(s, uname, password=pw, password_hash=entry.get("password_hash"),
                                       now=now, **kw))
        (res.updated if existed is not None else res.created)["users"] += 1
    await s.flush()
    return res


async def import_file(s: AsyncSession, path: str | Path, now: float | None = None) -> ImportResult:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProvisionError(f"{p}: cannot read: {exc.strerror or exc}") from None
    return await import_data(s, parse_yaml(text, str(p)), str(p), now=now)


async def export_data(s: AsyncSession, include_users: bool = True) -> dict[str, Any]:
    """The current provisioning as a document :func:`import_data` accepts (users with password hashes)."""
    doc: dict[str, Any] = {
        "skills": [{"name": k.name, **({"description": k.description} if k.description else {})}
                   for k in await repo.list_skills(s)],
        "queues": [repo.queue_to_dict(q, members=False) for q in await repo.list_queues(s)],
        "agents": [repo.agent_to_dict(a, live=False) for a in await repo.list_agents(s)],
    }
    if include_users:
        doc["users"] = [{"username": u.username, "password_hash": u.password_hash, "role": u.role,
                         **({"agent": u.agent.name} if u.agent else {}), "enabled": u.enabled}
                        for u in await repo.list_users(s)]
    return doc


def dump_yaml(doc: dict[str, Any]) -> str:
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, default_flow_style=None, width=110)
