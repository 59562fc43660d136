"""Provisioning rows as the ACD router takes them: one conversion and one set of checks, used both when
a row is written (:mod:`.repo`, so a bad row is refused) and when the engine loads it (start and live
reload, :mod:`callcenter.engine.provisioning`).

* :func:`queue_config`: a queue row (``repo.queue_to_dict``) -> :class:`acd.config.QueueConfig`;
* :func:`agent_config`: an agent row (``repo.agent_to_dict``) -> :class:`acd.config.AgentConfig`.

Both raise :class:`RowError` with the ACD's own message (it names the queue or agent, and for a rule
its number and column); ``field`` and ``index`` say where in the row (``rules``, 1) so a provisioning
file can point at the line.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from acd.config import AgentConfig, ConfigError, QueueConfig
from acd.rules import RuleError, parse_rules


class RowError(ValueError):
    """A provisioning row the ACD would not load. ``field``: the row key at fault when known;
    ``index``: the rule's position (0-based) for a rule error."""

    def __init__(self, message: str, field: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index


#: queue row keys the ACD reads besides the stored ones (static rows in tests and the simulator)
_ACD_EXTRAS = ("rona_timeout", "rona_strikes", "aht_hint", "retry", "priority_aging")
#: ACD key -> row key, to name the row field of an ACD message
_ROW_FIELD = {"max_len": "max_length", "announce_every": "announce_interval"}


def queue_spec(row: Mapping[str, Any]) -> dict[str, Any]:
    """The plain dict :meth:`QueueConfig.from_dict` gets for a stored queue row."""
    d: dict[str, Any] = {
        "name": row["name"], "strategy": row.get("strategy") or "longest-idle",
        "sl_target": row.get("sl_target") or 20, "max_wait": row.get("max_wait"),
        "max_len": row.get("max_length") or 0, "overflow": row.get("overflow"),
        "join_empty": row.get("join_empty", True), "leave_empty": row.get("leave_empty", False),
        "rules": list(row.get("rules") or []),
        "announce_every": float(row.get("announce_interval") or 0) if row.get("announce_position", True) else 0.0}
    if row.get("wrapup") is not None:
        d["wrapup"] = row["wrapup"]
    for k in _ACD_EXTRAS:
        if row.get(k) is not None:
            d[k] = row[k]
    return d


def queue_config(row: Mapping[str, Any], defaults: Mapping[str, Any] | None = None) -> QueueConfig:
    """The ACD configuration of a queue row; :class:`RowError` when the ACD would refuse it."""
    spec = queue_spec(row)
    name = spec["name"]
    try:
        parse_rules(spec["rules"], queue=name)
    except RuleError as exc:
        # the first line names the queue, the rule (number and text) and the column; the caret
        # drawing under it is left out so the message stays one line
        raise RowError(str(exc).splitlines()[0], "rules", exc.index) from None
    try:
        return QueueConfig.from_dict(spec, dict(defaults) if defaults else None)
    except ConfigError as exc:
        msg = str(exc).splitlines()[0]
        key = next((k for k in spec if f": {k} " in msg), None)
        raise RowError(msg, _ROW_FIELD.get(key, key) if key else None) from None


def agent_languages(languages: Iterable[Any] | None) -> list[str]:
    """Language tags as the router matches them: ``en-US`` -> ``en-us`` and ``en``."""
    out: list[str] = []
    for lang in languages or []:
        full = str(lang).lower()
        if full not in out:
            out.append(full)
        short = full.split("-")[0]
        if short not in out:
            out.append(short)
    return out


def agent_config(row: Mapping[str, Any], queues: Iterable[str] | None = None) -> AgentConfig:
    """The ACD configuration of an agent row; memberships of queues not in ``queues`` (when given)
    are left out. :class:`RowError` when the ACD would refuse it."""
    members = dict(row.get("queues") or {})
    if queues is not None:
        known = set(queues)
        members = {q: p for q, p in members.items() if q in known}
    try:
        return AgentConfig.from_dict({"id": row["name"], "name": row.get("full_name") or row["name"],
                                      "skills": dict(row.get("skills") or {}),
                                      "languages": agent_languages(row.get("languages")),
                                      "queues": members, "max_concurrent": 1, "wrapup": row.get("wrapup")})
    except ConfigError as exc:
        msg = str(exc)
        key = next((k for k in ("skills", "queues", "wrapup", "languages") if k.rstrip("s") in msg), None)
        raise RowError(msg, key) from None
