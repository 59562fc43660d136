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

from acd.config import parse_name_numbers

from ..yamlfile import YamlDoc, YamlError, load_yaml, read_text
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


@dataclass
class ImportResult:
    """Per section, how many entries made a new row, changed a row, or left a row as it was."""
    created: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SECTIONS})
    updated: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SECTIONS})
    unchanged: dict[str, int] = field(default_factory=lambda: {k: 0 for k in SECTIONS})

    def count(self, section: str, before: Any, after: Any) -> None:
        """Count one entry from its row's snapshot before (None: there was no row) and after."""
        bucket = self.created if before is None else self.unchanged if before == after else self.updated
        bucket[section] += 1

    def summary(self) -> str:
        parts = [f"{k}: {self.created[k]} new, {self.updated[k]} updated"
                 + (f", {self.unchanged[k]} unchanged" if self.unchanged[k] else "")
                 for k in SECTIONS if self.created[k] or self.updated[k] or self.unchanged[k]]
        if parts and not any(self.created.values()) and not any(self.updated.values()):
            return "nothing changed (" + "; ".join(parts) + ")"
        return "; ".join(parts) or "nothing to import"


def parse_yaml(text: str, source: str) -> dict:
    """The provisioning document in ``text`` (sections checked, entries not yet)."""
    return _parse(text, source).data


def parse_document(text: str, source: str) -> YamlDoc:
    """The provisioning document with its positions (for :func:`import_data`'s ``positions``)."""
    return _parse(text, source)


def _parse(text: str, source: str) -> YamlDoc:
    try:
        doc = load_yaml(text, source)
    except YamlError as exc:
        raise ProvisionError(f"{source}:{exc.line}: {exc.message}" if exc.line else str(exc)) from None
    if doc.data is None:
        doc.data = {}
    if not isinstance(doc.data, dict):
        raise ProvisionError(f"{source}:1: the top level must be a mapping with sections "
                             f"{', '.join(SECTIONS)}")
    for key, value in doc.data.items():
        if key not in SECTIONS:
            raise ProvisionError(f"{doc.where((key,))}: unknown section {key!r} (known: {', '.join(SECTIONS)})")
        if value is not None and not isinstance(value, list):
            raise ProvisionError(f"{doc.where((key,))}: section {key!r} must be a list")
    return doc


class _Where:
    """``file:line`` of a place in the document (just ``source`` for a document without positions)."""

    def __init__(self, source: str, positions: YamlDoc | None) -> None:
        self.source, self.positions = source, positions

    def __call__(self, *path: Any) -> str:
        return self.positions.where(path) if self.positions is not None else self.source


def _check_entry(entry: Any, keys: tuple[str, ...], ident: str, section: str, at: _Where, i: int) -> None:
    where = at(section, i)
    if not isinstance(entry, dict):
        raise ProvisionError(f"{where}: each entry of {section!r} must be a mapping, got {entry!r}")
    if ident not in entry:
        raise ProvisionError(f"{where}: {section} entry needs a {ident!r}")
    for k in entry:
        if k not in keys:
            raise ProvisionError(f"{at(section, i, k)}: {section} {entry.get(ident)!r}: unknown key "
                                 f"{k!r} (known: {', '.join(keys)})")


def _queues_of(value: Any, where: str, agent: str) -> dict[str, int]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, list):
        try:
            return parse_name_numbers(value, 0)
        except ValueError as exc:
            raise ProvisionError(f"{where}: agent {agent!r}: queue entry {exc} (expected NAME[:PENALTY])") from None
    raise ProvisionError(f"{where}: agent {agent!r}: queues must be a mapping queue -> penalty or a list")


def _place(at: _Where, exc: RepoError, fields: dict, section: str, i: int) -> str:
    """``file:line`` of what ``exc`` is about: the rule (by its position), the setting, else the entry."""
    bad = exc.field or next((k for k in fields if repr(k) in str(exc) or k in str(exc)), None)
    if bad is None:
        return at(section, i)
    if exc.index is not None:
        return at(section, i, bad, exc.index)
    return at(section, i, bad)


def _named(exc: RepoError, what: str, name: Any) -> str:
    """The message, starting with ``queue 'NAME'`` / ``agent 'NAME'`` once."""
    msg = str(exc)
    if msg.startswith(f"{what} {str(name)!r}"):
        return msg
    return f"{what} {str(name)!r}: {msg.removeprefix(f'{what} {str(name)!r}: ')}"


async def import_data(s: AsyncSession, doc: dict, source: str = "<data>", now: float | None = None, *,
                      positions: YamlDoc | None = None) -> ImportResult:
    """Apply a parsed provisioning document (see the module docstring) inside session ``s``; errors name
    ``source:line`` when ``positions`` (the parsed file) is given."""
    res = ImportResult()
    at = _Where(source, positions)
    mark = await repo.provisioning_mark(s)

    async def guarded(where: str, coro):
        try:
            return await coro
        except RepoError as exc:
            raise ProvisionError(f"{where}: {exc}") from None

    skills = doc.get("skills") or []
    for i, entry in enumerate(skills):
        where = at("skills", i)
        if isinstance(entry, str):
            entry = {"name": entry}
        _check_entry(entry, SKILL_KEYS, "name", "skills", at, i)
        old = await repo.get_skill(s, str(entry["name"]))
        before = None if old is None else {"description": old.description}
        skill = await guarded(where, repo.upsert_skill(s, entry["name"], entry.get("description")))
        res.count("skills", before, {"description": skill.description})

    queues = doc.get("queues") or []
    overflow_checks = []
    for i, entry in enumerate(queues):
        _check_entry(entry, QUEUE_KEYS, "name", "queues", at, i)
        fields = {k: v for k, v in entry.items() if k != "name"}
        old = await repo.get_queue(s, str(entry["name"]))
        before = None if old is None else (repo.queue_to_dict(old, members=False), old.updated_at)
        try:
            q = await repo.upsert_queue(s, entry["name"], now=now, **fields)
        except RepoError as exc:
            raise ProvisionError(f"{_place(at, exc, fields, 'queues', i)}: "
                                 f"{_named(exc, 'queue', entry['name'])}") from None
        _count_row(res, "queues", q, before, repo.queue_to_dict(q, members=False))
        if fields.get("overflow"):
            overflow_checks.append((entry, i))
    for entry, i in overflow_checks:
        target = str(entry["overflow"])
        if ":" not in target and await repo.get_queue(s, target) is None:
            raise ProvisionError(f"{at('queues', i, 'overflow')}: queue {entry['name']!r}: overflow "
                                 f"target {target!r} is not a queue (use voicemail:NAME or flow:NAME for others)")

    agents = doc.get("agents") or []
    for i, entry in enumerate(agents):
        where = at("agents", i)
        _check_entry(entry, AGENT_KEYS, "name", "agents", at, i)
        name = str(entry["name"])
        kw = {k: entry[k] for k in ("full_name", "extension", "interface", "languages", "max_concurrent",
                                    "wrapup", "enabled") if k in entry}
        if "extension" in kw and kw["extension"] is not None:
            kw["extension"] = str(kw["extension"])
        skills_map = entry.get("skills")
        if skills_map is not None and not isinstance(skills_map, dict):
            raise ProvisionError(f"{at('agents', i, 'skills')}: agent {name!r}: skills must be a "
                                 "mapping skill -> proficiency 1-5")
        queues_map = _queues_of(entry["queues"], at("agents", i, "queues"), name) \
            if entry.get("queues") is not None else None
        old = await repo.get_agent(s, name)
        before = None if old is None else (repo.agent_to_dict(old, live=False), old.updated_at)
        try:
            agent = await repo.upsert_agent(s, name, skills=skills_map, queues=queues_map, replace=True, now=now,
                                            **kw)
        except RepoError as exc:
            msg = str(exc)
            bad = exc.field or ("skills" if "proficiency" in msg or "skill" in msg else "queues" if "queue" in msg
                                else next((k for k in kw if k in msg), None))
            raise ProvisionError(f"{at('agents', i, bad) if bad else where}: {_named(exc, 'agent', name)}") from None
        _count_row(res, "agents", agent, before, repo.agent_to_dict(agent, live=False))

    users = doc.get("users") or []
    for i, entry in enumerate(users):
        _check_entry(entry, USER_KEYS, "username", "users", at, i)
        uname = str(entry["username"])
        kw = {k: entry[k] for k in ("role", "agent", "enabled") if k in entry}
        pw = entry.get("password")
        existed = await repo.get_user(s, uname)
        before = None if existed is None else _user_row(existed)
        if pw is not None and not isinstance(pw, str):
            pw = str(pw)
        if existed is not None and pw is not None and repo.verify_password(pw, existed.password_hash):
            pw = None   # unchanged: keep the old hash (idempotent import)
        user = await guarded(at("users", i, "username"),
                             repo.upsert_user(s, uname, password=pw, password_hash=entry.get("password_hash"),
                                              now=now, **kw))
        res.count("users", before, _user_row(user))
    if not any(res.created.values()) and not any(res.updated.values()):
        await repo.restore_provisioning(s, mark)
    await s.flush()
    return res


def _count_row(res: ImportResult, section: str, row: Any, before: tuple[dict, Any] | None, after: dict) -> None:
    """Count a queue or agent row; one the entry left as it was keeps its ``updated_at``."""
    if before is not None and before[0] == after:
        row.updated_at = before[1]
    res.count(section, None if before is None else before[0], after)


def _user_row(u: Any) -> dict[str, Any]:
    return {**repo.user_to_dict(u), "password_hash": u.password_hash}


async def import_file(s: AsyncSession, path: str | Path, now: float | None = None) -> ImportResult:
    try:
        text = read_text(path, "provisioning file")
    except YamlError as exc:
        raise ProvisionError(f"{exc.source}: cannot read: {exc.message}" if not exc.line else str(exc)) from None
    doc = _parse(text, str(Path(path)))
    return await import_data(s, doc.data, doc.source, now=now, positions=doc)


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
