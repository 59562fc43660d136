"""Async repository functions. Each takes an open :class:`AsyncSession` first (``async with
db.session() as s``: the caller owns the transaction) and raises :class:`RepoError` (one clear line)
on bad input. Times are epoch seconds; pass ``now`` from the injected clock where it matters.

Conventions for "leave unchanged": keyword arguments default to :data:`UNSET`.

Provisioning writes (skills, agents, queues, memberships) are checked with the very checks the ACD applies
when the engine loads the rows (:mod:`.acd_rows`), so what the engine would refuse is refused here with
the same message, and each bumps the provisioning revision in the same transaction
(:func:`bump_provisioning`): a running engine notices and reloads (live provisioning).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any, Mapping

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from .acd_rows import RowError, agent_config, queue_config
from .common import UNSET, RepoError, _all, _delete, _now, _one, _required, _rows, _set
# the history (CDRs, event log, recordings, flow versions) is in .history; callers use it through repo
from .history import (CDR_FIELDS, _check_cdr, add_events, add_recording, add_transcript,  # noqa: F401
                      agent_answered_since, call_to_dict, content_hash, event_row, event_to_dict, get_call, get_flow_version, get_recording,
                      list_calls, list_events, list_flow_versions, list_open_calls, list_recordings,
                      list_report_events, list_transcripts, mark_flow_served, record_flow_version, save_call,
                      save_calls)
from .models import (AGENT_STATES, ROLES, STRATEGIES, Agent, AgentSkill, ApiToken, CallEvent, CallRecord,
                     FlowVersion, ProvisioningRevision, Queue, QueueMember, Recording, Skill, User)


# ==================================================================================================
# Provisioning revision

async def bump_provisioning(s: AsyncSession, now: float | None = None) -> None:
    """Count a provisioning change (in the caller's transaction: it becomes visible with the change)."""
    res = await s.execute(update(ProvisioningRevision).where(ProvisioningRevision.id == 1)
                          .values(revision=ProvisioningRevision.revision + 1, changed_at=_now(now)))
    if not res.rowcount:
        s.add(ProvisioningRevision(id=1, revision=1, changed_at=_now(now)))
        await s.flush()


async def provisioning_mark(s: AsyncSession) -> tuple[int, float | None] | None:
    """The revision row as it stands (``(revision, changed_at)``, None before the first change), to put
    back with :func:`restore_provisioning` when a batch of writes turned out to change nothing."""
    row = (await s.execute(select(ProvisioningRevision.revision, ProvisioningRevision.changed_at)
                           .where(ProvisioningRevision.id == 1))).first()
    return None if row is None else (int(row[0]), row[1])


async def restore_provisioning(s: AsyncSession, mark: tuple[int, float | None] | None) -> None:
    """Put the revision back to ``mark`` (in the caller's transaction): writes that left every row as it
    was are no change, and a running engine has nothing to reload."""
    if mark is None:
        await s.execute(delete(ProvisioningRevision).where(ProvisioningRevision.id == 1))
    else:
        await s.execute(update(ProvisioningRevision).where(ProvisioningRevision.id == 1)
                        .values(revision=mark[0], changed_at=mark[1]))


async def provisioning_revision(s: AsyncSession) -> int:
    """The provisioning revision (0 before the first change)."""
    rev = (await s.execute(select(ProvisioningRevision.revision).where(ProvisioningRevision.id == 1))).scalar()
    return int(rev or 0)


# ==================================================================================================
# Skills

async def get_skill(s: AsyncSession, name: str) -> Skill | None:
    return await _one(s, Skill.name, name)


async def upsert_skill(s: AsyncSession, name: str, description: str | None = None) -> Skill:
    name = _check_name(name, "skill")
    skill = await get_skill(s, name)
    if skill is None:
        skill = Skill(name=name, description=description or "")
        s.add(skill)
        await s.flush()
        await bump_provisioning(s)
    elif description is not None and description != skill.description:
        skill.description = description
    return skill


async def list_skills(s: AsyncSession) -> list[Skill]:
    return await _all(s, Skill.name)


async def remove_skill(s: AsyncSession, name: str) -> bool:
    skill = await get_skill(s, name)
    if skill is not None:
        await s.execute(delete(AgentSkill).where(AgentSkill.skill_id == skill.id))
        await bump_provisioning(s)
    return await _delete(s, skill)


def _check_name(name: Any, what: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise RepoError(f"{what} name must be a non-empty string, got {name!r}")
    name = name.strip()
    if len(name) > 64 or any(c.isspace() for c in name):
        raise RepoError(f"{what} name {name!r} must be at most 64 characters without spaces")
    return name


# ==================================================================================================
# Agents

async def get_agent(s: AsyncSession, name: str) -> Agent | None:
    return await _one(s, Agent.name, name)


async def require_agent(s: AsyncSession, name: str) -> Agent:
    return _required(await get_agent(s, name), "agent", name)


async def list_agents(s: AsyncSession) -> list[Agent]:
    return await _all(s, Agent.name)


async def upsert_agent(s: AsyncSession, name: str, *, full_name: Any = UNSET, extension: Any = UNSET,
                       interface: Any = UNSET, languages: Any = UNSET, max_concurrent: Any = UNSET,
                       wrapup: Any = UNSET, enabled: Any = UNSET,
                       skills: Mapping[str, int] | None = None, queues: Mapping[str, int] | None = None,
                       replace: bool = True, now: float | None = None) -> Agent:
    """Create or update an agent.

    ``skills`` maps skill name -> proficiency 1-5 (unknown skills are created); ``queues`` maps queue
    name -> penalty (the queues must exist). With ``replace`` the given skills/queues become the full
    set; without it they are added/updated. ``interface`` defaults to ``PJSIP/<extension>``.
    """
    name = _check_name(name, "agent")
    agent = await get_agent(s, name)
    ts = _now(now)
    if extension is not UNSET and extension is not None:
        extension = str(extension)
        other = (await s.execute(select(Agent).where(Agent.extension == extension))).scalar_one_or_none()
        if other is not None and other.name != name:
            raise RepoError(f"extension {extension} already belongs to agent {other.name!r}")
    if languages is not UNSET:
        languages = _check_languages(languages)
    if max_concurrent is not UNSET and (not isinstance(max_concurrent, int) or max_concurrent < 1):
        raise RepoError(f"max_concurrent must be a positive integer, got {max_concurrent!r}")
    if wrapup is not UNSET and wrapup is not None:
        wrapup = _nonneg(wrapup, "wrapup")
    row = agent_to_dict(agent, live=False) if agent is not None else {
        "name": name, "full_name": "", "languages": [], "skills": {}, "queues": {}, "wrapup": None}
    row.update({k: v for k, v in (("full_name", full_name), ("languages", languages), ("wrapup", wrapup))
                if v is not UNSET})
    if skills is not None:
        wanted = _check_skills(skills)
        row["skills"] = wanted if replace else {**row["skills"], **wanted}
    if queues is not None:
        penalties = {q: _check_penalty(p) for q, p in queues.items()}
        row["queues"] = penalties if replace else {**row["queues"], **penalties}
    check_agent_row(row)
    if agent is None:
        agent = Agent(name=name, full_name="", languages=[], max_concurrent=1, enabled=True,
                      state="logged_out", created_at=ts, skills=[], memberships=[])
        s.add(agent)
    _set(agent, full_name=full_name if full_name is UNSET else (full_name or ""), extension=extension,
         interface=interface, languages=languages, max_concurrent=max_concurrent, wrapup=wrapup,
         enabled=enabled)
    if not agent.interface and agent.extension:
        agent.interface = f"PJSIP/{agent.extension}"
    agent.updated_at = ts
    await s.flush()
    await bump_provisioning(s, now)
    if skills is not None:
        await set_agent_skills(s, agent, skills, replace=replace)
    if queues is not None:
        await set_agent_queues(s, agent, queues, replace=replace)
    return agent


def _check_languages(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RepoError(f"languages must be a list of language tags like en-US, got {value!r}")
    return [v.strip() for v in value]


def _nonneg(value: Any, what: str) -> float:
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise RepoError(f"{what} must be a number of seconds, got {value!r}") from None
    if f < 0:
        raise RepoError(f"{what} must not be negative, got {value!r}")
    return f


def check_agent_row(row: Mapping[str, Any]) -> None:
    """Refuse an agent row the ACD would not load (:func:`.acd_rows.agent_config`), with its message."""
    try:
        agent_config(row)
    except RowError as exc:
        raise RepoError(str(exc), exc.field) from None


def check_queue_row(row: Mapping[str, Any]) -> None:
    """Refuse a queue row the ACD would not load (:func:`.acd_rows.queue_config`), with its message
    (for a rule: the queue, the rule's number and text, the column)."""
    try:
        queue_config(row)
    except RowError as exc:
        raise RepoError(str(exc), exc.field, exc.index) from None


def _check_skills(skills: Mapping[str, Any]) -> dict[str, int]:
    return {_check_name(k, "skill"): check_proficiency(k, v) for k, v in skills.items()}


def check_proficiency(skill: str, level: Any) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
        raise RepoError(f"proficiency of skill {skill!r} must be an integer 1-5, got {level!r}")
    return level


async def set_agent_skills(s: AsyncSession, agent: Agent | str, skills: Mapping[str, int],
                           replace: bool = True) -> None:
    if isinstance(agent, str):
        agent = await require_agent(s, agent)
    wanted = _check_skills(skills)
    current = {a.skill.name: a for a in agent.skills}
    row = agent_to_dict(agent, live=False)
    row["skills"] = wanted if replace else {**row["skills"], **wanted}
    check_agent_row(row)
    for skill_name, level in wanted.items():
        if skill_name in current:
            current[skill_name].proficiency = level
        else:
            skill = await upsert_skill(s, skill_name)
            agent.skills.append(AgentSkill(skill=skill, skill_id=skill.id, proficiency=level))
    if replace:
        for skill_name, link in current.items():
            if skill_name not in wanted:
                agent.skills.remove(link)
    await s.flush()
    await bump_provisioning(s)


async def set_agent_queues(s: AsyncSession, agent: Agent | str, queues: Mapping[str, int],
                           replace: bool = True) -> None:
    if isinstance(agent, str):
        agent = await require_agent(s, agent)
    current = {m.queue.name: m for m in agent.memberships}
    row = agent_to_dict(agent, live=False)
    penalties = {q: _check_penalty(p) for q, p in queues.items()}
    row["queues"] = penalties if replace else {**row["queues"], **penalties}
    check_agent_row(row)
    for qname, penalty in penalties.items():
        if qname in current:
            current[qname].penalty = penalty
            continue
        queue = await get_queue(s, qname)
        if queue is None:
            raise RepoError(f"agent {agent.name!r}: no queue named {qname!r} (create it first: "
                            f"callcenter queue add {qname})")
        agent.memberships.append(QueueMember(queue=queue, queue_id=queue.id, penalty=penalty))
    if replace:
        for qname, m in current.items():
            if qname not in queues:
                agent.memberships.remove(m)
    await s.flush()
    await bump_provisioning(s)


def _check_penalty(p: Any) -> int:
    if isinstance(p, bool) or not isinstance(p, int) or p < 0:
        raise RepoError(f"queue penalty must be a non-negative integer, got {p!r}")
    return p


async def remove_agent(s: AsyncSession, name: str) -> bool:
    agent = await get_agent(s, name)
    if agent is not None:
        await bump_provisioning(s)
    return await _delete(s, agent)


async def set_agent_state(s: AsyncSession, name: str, state: str, reason: Any = UNSET,
                          login_interface: Any = UNSET, now: float | None = None) -> Agent:
    """Persist an agent's live state (``ready``, ``paused`` + reason, ...) so it survives a restart."""
    if state not in AGENT_STATES:
        raise RepoError(f"agent state must be one of {', '.join(AGENT_STATES)}, got {state!r}")
    agent = await require_agent(s, name)
    if agent.state != state or (reason is not UNSET and reason != agent.state_reason):
        agent.state_since = _now(now)
    agent.state = state
    agent.state_reason = None if reason is UNSET and state != "paused" else (
        agent.state_reason if reason is UNSET else reason)
    if login_interface is not UNSET:
        agent.login_interface = login_interface
    elif state == "logged_out":
        agent.login_interface = None
    await s.flush()
    return agent


def agent_to_dict(agent: Agent, live: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {
        "name": agent.name,
        "full_name": agent.full_name or "",
        "extension": agent.extension,
        "interface": agent.interface,
        "languages": list(agent.languages or []),
        "skills": {a.skill.name: a.proficiency for a in sorted(agent.skills, key=lambda a: a.skill.name)},
        "queues": {m.queue.name: m.penalty for m in sorted(agent.memberships, key=lambda m: m.queue.name)},
        "max_concurrent": agent.max_concurrent,
        "wrapup": agent.wrapup,
        "enabled": agent.enabled,
    }
    if live:
        d.update(state=agent.state, state_reason=agent.state_reason, state_since=agent.state_since,
                 login_interface=agent.login_interface)
    return d


# ==================================================================================================
# Queues

QUEUE_FIELDS = ("description", "strategy", "sl_target", "sl_percent", "max_wait", "max_length", "overflow",
                "wrapup", "priority", "join_empty", "leave_empty", "rules", "moh_class", "announce_position",
                "announce_hold_time", "announce_interval", "callback_after")


async def get_queue(s: AsyncSession, name: str) -> Queue | None:
    return await _one(s, Queue.name, name)


async def require_queue(s: AsyncSession, name: str) -> Queue:
    return _required(await get_queue(s, name), "queue", name)


async def list_queues(s: AsyncSession) -> list[Queue]:
    return await _all(s, Queue.name)


def check_queue_fields(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Validate queue settings (names as in :data:`QUEUE_FIELDS`); returns the cleaned values."""
    out: dict[str, Any] = {}
    for k, v in fields.items():
        if v is UNSET:
            continue
        if k not in QUEUE_FIELDS:
            raise RepoError(f"unknown queue setting {k!r} (known: {', '.join(QUEUE_FIELDS)})")
        if k == "strategy":
            if v not in STRATEGIES:
                raise RepoError(f"queue strategy must be one of {', '.join(STRATEGIES)}, got {v!r}")
        elif k in ("sl_target", "announce_interval", "priority"):
            if isinstance(v, bool) or not isinstance(v, int) or (v < 0 and k != "priority"):
                raise RepoError(f"queue {k} must be a non-negative integer, got {v!r}")
        elif k in ("max_wait", "max_length", "callback_after"):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v <= 0):
                raise RepoError(f"queue {k} must be a positive integer (or empty for unlimited), got {v!r}")
        elif k == "sl_percent":
            v = _nonneg(v, "sl_percent")
            if v > 100:
                raise RepoError(f"queue sl_percent must be 0-100, got {v!r}")
        elif k == "wrapup":
            v = None if v is None else _nonneg(v, "wrapup")
        elif k in ("join_empty", "leave_empty", "announce_position", "announce_hold_time"):
            if not isinstance(v, bool):
                raise RepoError(f"queue {k} must be true or false, got {v!r}")
        elif k == "rules":
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, (list, tuple)) or not all(isinstance(r, str) and r.strip() for r in v):
                raise RepoError(f"queue rules must be a list of strings like 'WT < 30: billing >= 4', got {v!r}")
            v = [r.strip() for r in v]
        elif k in ("description", "moh_class"):
            v = "" if v is None else str(v)
        elif k == "overflow":
            v = None if v in (None, "") else str(v)
        out[k] = v
    return out


def new_queue_settings() -> dict[str, Any]:
    """The settings of a new queue."""
    return dict(description="", strategy="longest-idle", sl_target=20, sl_percent=80.0, priority=0, join_empty=True,
                leave_empty=False, rules=[], moh_class="default", announce_position=True, announce_hold_time=True,
                announce_interval=60)


async def upsert_queue(s: AsyncSession, name: str, now: float | None = None, **fields: Any) -> Queue:
    """Create or update a queue; ``fields`` are :data:`QUEUE_FIELDS` (others raise RepoError)."""
    name = _check_name(name, "queue")
    clean = check_queue_fields(fields)
    if clean.get("overflow") == name:
        raise RepoError(f"queue {name!r} cannot overflow to itself")
    q = await get_queue(s, name)
    ts = _now(now)
    row = queue_to_dict(q, members=False) if q is not None else {"name": name, **new_queue_settings()}
    row.update(clean)
    check_queue_row(row)
    if q is None:
        q = Queue(name=name, **new_queue_settings(), created_at=ts, members=[])
        s.add(q)
    for k, v in clean.items():
        setattr(q, k, v)
    q.updated_at = ts
    await s.flush()
    await bump_provisioning(s, now)
    return q


async def remove_queue(s: AsyncSession, name: str) -> bool:
    """Remove a queue (and its memberships); refused while another queue overflows to it."""
    q = await get_queue(s, name)
    if q is not None:
        users = await _rows(s, select(Queue.name).where(Queue.overflow == name).order_by(Queue.name))
        if users:
            raise RepoError(f"queue {name!r} is the overflow target of queue(s) {', '.join(map(repr, users))}; "
                            f"change their overflow first (callcenter queue update {users[0]} --overflow ...)")
        await bump_provisioning(s)
    return await _delete(s, q)


async def set_queue_member(s: AsyncSession, queue: str, agent: str, penalty: int = 0) -> QueueMember:
    q = await require_queue(s, queue)
    a = await require_agent(s, agent)
    penalty = _check_penalty(penalty)
    m = next((m for m in q.members if m.agent_id == a.id), None)
    if m is not None:
        m.penalty = penalty
    else:
        m = QueueMember(queue=q, agent=a, penalty=penalty)
        s.add(m)
    await s.flush()
    await bump_provisioning(s)
    return m


async def remove_queue_member(s: AsyncSession, queue: str, agent: str) -> bool:
    q = await require_queue(s, queue)
    a = await require_agent(s, agent)
    for m in list(q.members):
        if m.agent_id == a.id:
            q.members.remove(m)
            if m in a.memberships:
                a.memberships.remove(m)
            await s.flush()
            await bump_provisioning(s)
            return True
    return False


def queue_to_dict(q: Queue, members: bool = True) -> dict[str, Any]:
    d: dict[str, Any] = {"name": q.name}
    for k in QUEUE_FIELDS:
        v = getattr(q, k)
        d[k] = list(v) if isinstance(v, list) else v
    if members:
        d["members"] = {m.agent.name: m.penalty for m in sorted(q.members, key=lambda m: m.agent.name)}
    return d


# ==================================================================================================
# Users, passwords, API tokens

_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2 ** 14, 8, 1


def hash_password(password: str) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64), via :func:`hashlib.scrypt`."""
    if not isinstance(password, str) or not password:
        raise RepoError("password must be a non-empty string")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R, p=_SCRYPT_P, dklen=32)
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${b64(salt)}${b64(digest)}"


def verify_password(password: str, hashed: str) -> bool:
    try:
        algo, n, r, p, salt, digest = hashed.split("$")
        if algo != "scrypt":
            return False
        want = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(want))
    except (ValueError, TypeError, AttributeError):
        return False
    return hmac.compare_digest(got, want)


async def get_user(s: AsyncSession, username: str) -> User | None:
    return await _one(s, User.username, username)


async def list_users(s: AsyncSession) -> list[User]:
    return await _all(s, User.username)


async def upsert_user(s: AsyncSession, username: str, *, password: str | None = None,
                      password_hash: str | None = None, role: Any = UNSET, agent: Any = UNSET,
                      enabled: Any = UNSET, now: float | None = None) -> User:
    """Create or update a user. A new user needs ``password`` (or a ready ``password_hash``)."""
    username = _check_name(username, "user")
    if role is not UNSET and role not in ROLES:
        raise RepoError(f"user {username!r}: role must be one of {', '.join(ROLES)}, got {role!r}")
    user = await get_user(s, username)
    if user is None:
        if password is None and password_hash is None:
            raise RepoError(f"user {username!r}: a new user needs a password")
        user = User(username=username, role="agent", enabled=True, created_at=_now(now), password_hash="")
        s.add(user)
    if password is not None:
        user.password_hash = hash_password(password)
    elif password_hash is not None:
        user.password_hash = password_hash
    _set(user, role=role, enabled=enabled)
    if agent is not UNSET:
        user.agent = None if agent is None else await require_agent(s, agent)
    await s.flush()
    return user


async def remove_user(s: AsyncSession, username: str) -> bool:
    return await _delete(s, await get_user(s, username))


async def authenticate(s: AsyncSession, username: str, password: str) -> User | None:
    """The user when the password matches and the account is enabled, else None."""
    user = await get_user(s, username)
    if user is None or not user.enabled or not verify_password(password, user.password_hash):
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def create_api_token(s: AsyncSession, username: str, label: str = "", ttl: float | None = None,
                           now: float | None = None) -> str:
    """A new random API token for the user; only its SHA-256 is stored, so show it once."""
    user = _required(await get_user(s, username), "user", username)
    token = "cc_" + secrets.token_urlsafe(32)
    ts = _now(now)
    s.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label or "", created_at=ts,
                   expires_at=None if ttl is None else ts + ttl))
    await s.flush()
    return token


async def user_for_token(s: AsyncSession, token: str, now: float | None = None) -> User | None:
    """The enabled user owning a valid (unexpired) token, else None; records last use."""
    if not token:
        return None
    row = (await s.execute(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))).scalar_one_or_none()
    ts = _now(now)
    if row is None or (row.expires_at is not None and row.expires_at <= ts) or not row.user.enabled:
        return None
    row.last_used_at = ts
    await s.flush()
    return row.user


async def revoke_api_token(s: AsyncSession, token: str) -> bool:
    res = await s.execute(delete(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    return bool(res.rowcount)


async def list_api_tokens(s: AsyncSession, username: str) -> list[ApiToken]:
    """The user's API tokens (hashes only: a token is shown once, when made), newest first."""
    user = _required(await get_user(s, username), "user", username)
    return list((await s.execute(select(ApiToken).where(ApiToken.user_id == user.id)
                                 .order_by(ApiToken.created_at.desc(), ApiToken.id.desc()))).scalars())


async def revoke_api_token_id(s: AsyncSession, token_id: int) -> bool:
    """Revoke a token by its row id (as listed by :func:`list_api_tokens`)."""
    res = await s.execute(delete(ApiToken).where(ApiToken.id == token_id))
    return bool(res.rowcount)


def token_to_dict(t: ApiToken) -> dict[str, Any]:
    return {"id": t.id, "user": t.user.username, "label": t.label, "created_at": t.created_at,
            "expires_at": t.expires_at, "last_used_at": t.last_used_at}


def user_to_dict(u: User) -> dict[str, Any]:
    return {"username": u.username, "role": u.role, "agent": u.agent.name if u.agent else None,
            "enabled": u.enabled}


# ==================================================================================================
# Whole-database helpers

async def counts(s: AsyncSession) -> dict[str, int]:
    out = {}
    for name, model in (("agents", Agent), ("skills", Skill), ("queues", Queue), ("users", User),
                        ("calls", CallRecord), ("events", CallEvent), ("recordings", Recording),
                        ("flow_versions", FlowVersion)):
        out[name] = (await s.execute(select(func.count()).select_from(model))).scalar_one()
    return out


async def is_empty(s: AsyncSession) -> bool:
    """True when nothing has been provisioned yet (no agent, queue or user)."""
    for model in (Agent, Queue, User):
        if (await s.execute(select(func.count()).select_from(model))).scalar_one():
            return False
    return True
