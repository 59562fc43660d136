"""Queue and agent configuration: plain-dict constructors for YAML / database rows."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable

from .rules import RuleError, RuleSet, parse_expr, parse_rules

__all__ = ["ConfigError", "STRATEGIES", "QueueConfig", "AgentConfig", "parse_name_number", "parse_name_numbers"]

STRATEGIES = ("longest-idle", "fewest-calls", "least-talk-time", "round-robin", "linear", "random",
              "weighted-random", "ring-all", "best-skill")

# Asterisk / FreeSWITCH spellings accepted as aliases
STRATEGY_ALIASES = {
    "leastrecent": "longest-idle", "longest-idle-agent": "longest-idle", "longest_idle": "longest-idle",
    "fewestcalls": "fewest-calls", "fewest_calls": "fewest-calls",
    "agent-with-least-talk-time": "least-talk-time", "least_talk_time": "least-talk-time",
    "rrmemory": "round-robin", "roundrobin": "round-robin", "round_robin": "round-robin",
    "round-robin-memory": "round-robin",
    "linear": "linear", "top-down": "linear", "top_down": "linear",
    "random": "random", "weighted_random": "weighted-random", "wrandom": "weighted-random",
    "ringall": "ring-all", "ring_all": "ring-all",
    "best_skill": "best-skill", "best-skill-match": "best-skill",
}


class ConfigError(ValueError):
    """Bad queue/agent configuration; the message names the object and the key."""


def parse_name_number(item: Any, default: int | None, sep: str = ":") -> tuple[str, int]:
    """The ``NAME:N`` form of a skill with its level (``billing:5``) or a queue with its penalty
    (``support:1``): ``("billing", 5)``. Without ``:N`` the number is ``default`` (required when
    ``default`` is None). :class:`ValueError` with a short reason when the name is empty or N is not
    an integer; callers add where the text came from."""
    name, has_sep, number = str(item).partition(sep)
    name = name.strip()
    if not name:
        raise ValueError("the name is empty")
    if not has_sep or not number.strip():
        if default is None:
            raise ValueError(f"expected NAME{sep}N")
        return name, default
    try:
        return name, int(number)
    except ValueError:
        raise ValueError(f"{number.strip()!r} is not an integer") from None


def parse_name_numbers(items: Iterable[Any], default: int) -> dict[str, int]:
    """A list of ``NAME`` / ``NAME:N`` entries as ``{NAME: N}``; :class:`ValueError` names the bad entry."""
    out: dict[str, int] = {}
    for item in items:
        try:
            name, number = parse_name_number(item, default)
        except ValueError as exc:
            raise ValueError(f"{item!r}: {exc}") from None
        out[name] = number
    return out


def _num(d: dict, key: str, default: Any, where: str, *, minimum: float = 0.0, allow_none: bool = False,
         integer: bool = False) -> Any:
    v = d.get(key, default)
    if v is None:
        if allow_none:
            return None
        v = default
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        if isinstance(v, str):
            try:
                v = float(v) if not integer else int(v)
            except ValueError:
                raise ConfigError(f"{where}: {key} must be a number, not {v!r}") from None
        else:
            raise ConfigError(f"{where}: {key} must be a number, not {v!r}")
    if isinstance(v, float) and not math.isfinite(v):
        raise ConfigError(f"{where}: {key} must be finite, not {v!r}")
    if v < minimum:
        raise ConfigError(f"{where}: {key} must be >= {minimum:g}, not {v!r}")
    if integer:
        if int(v) != v:
            raise ConfigError(f"{where}: {key} must be a whole number, not {v!r}")
        return int(v)
    return float(v)


def _bool(d: dict, key: str, default: bool, where: str) -> bool:
    v = d.get(key, default)
    if v is None:
        return default
    if isinstance(v, bool):
        return v
    if isinstance(v, str) and v.lower() in ("yes", "true", "on", "1", "no", "false", "off", "0"):
        return v.lower() in ("yes", "true", "on", "1")
    raise ConfigError(f"{where}: {key} must be true or false, not {v!r}")


def _str(d: dict, key: str, where: str, default: str | None = None, required: bool = False) -> str | None:
    v = d.get(key, default)
    if v is None:
        if required:
            raise ConfigError(f"{where}: {key} is required")
        return None
    if not isinstance(v, (str, int)) or isinstance(v, bool):
        raise ConfigError(f"{where}: {key} must be a string, not {v!r}")
    v = str(v).strip()
    if required and not v:
        raise ConfigError(f"{where}: {key} must not be empty")
    return v


QUEUE_KEYS = {"name", "strategy", "sl_target", "max_wait", "max_len", "overflow", "wrapup", "join_empty",
              "leave_empty", "rules", "rona_timeout", "rona_strikes", "priority_aging", "announce_every",
              "retry", "aht_hint", "weight", "description"}
AGENT_KEYS = {"id", "name", "skills", "languages", "queues", "max_concurrent", "wrapup", "extension",
              "description"}


@dataclass
class QueueConfig:
    name: str
    strategy: str = "longest-idle"
    sl_target: float = 20.0          # service-level threshold (seconds)
    max_wait: float | None = None    # seconds in queue before overflow (None: no limit)
    max_len: int = 0                 # waiting calls allowed (0: unlimited)
    overflow: str | None = None      # queue name or a destination for the dialplan (None: leave the queue)
    wrapup: float = 10.0             # seconds of wrap-up after a call (an agent's own wrapup wins)
    join_empty: bool = True          # may a caller join when no agent is logged in and unpaused?
    leave_empty: bool = False        # do waiting callers leave when the last agent logs out/pauses?
    rules: list[str] = field(default_factory=list)
    rona_timeout: float = 15.0       # ring time before an offer is withdrawn
    rona_strikes: int = 3            # consecutive missed offers before auto-pause 'no-answer' (0: never)
    priority_aging: float = 0.0      # priority points gained per second waited
    announce_every: float = 0.0      # seconds between position/EWT announcements (0: only on joining)
    retry: float = 5.0               # seconds before a call is re-offered to an agent who missed it
    aht_hint: float = 180.0          # handle time assumed for EWT until calls have been measured
    ruleset: RuleSet = field(default=None, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        where = f"queue {self.name!r}"
        if not isinstance(self.name, str) or not self.name.strip():
            raise ConfigError("queue: name is required")
        strat = str(self.strategy).strip().lower()
        strat = STRATEGY_ALIASES.get(strat, strat)
        if strat not in STRATEGIES:
            raise ConfigError(f"{where}: unknown strategy {self.strategy!r} (one of: {', '.join(STRATEGIES)})")
        self.strategy = strat
        if self.max_wait is not None and self.max_wait <= 0:
            raise ConfigError(f"{where}: max_wait must be > 0 seconds (or absent for no limit)")
        if self.rona_timeout <= 0:
            raise ConfigError(f"{where}: rona_timeout must be > 0 seconds")
        try:
            self.ruleset = parse_rules(self.rules, queue=self.name)
        except RuleError as exc:
            raise ConfigError(str(exc)) from None
        self.rules = list(self.ruleset.texts) if self.rules else []

    @classmethod
    def from_dict(cls, d: dict, defaults: dict | None = None) -> "QueueConfig":
        """Build from a plain dict (YAML node / DB row). ``defaults`` supplies missing keys (e.g. the
        ``acd`` section of the configuration: rona_timeout, rona_strikes, default_wrapup)."""
        if not isinstance(d, dict):
            raise ConfigError(f"queue: expected a mapping, not {type(d).__name__}")
        dd = dict(defaults or {})
        if "default_wrapup" in dd and "wrapup" not in dd:
            dd["wrapup"] = dd.pop("default_wrapup")
        dd = {k: v for k, v in dd.items() if k in QUEUE_KEYS}
        dd.update({k: v for k, v in d.items() if v is not None or k in ("max_wait", "overflow")})
        name = _str(dd, "name", "queue", required=True)
        where = f"queue {name!r}"
        unknown = sorted(set(d) - QUEUE_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(QUEUE_KEYS))})")
        rules = dd.get("rules") or []
        if isinstance(rules, str):
            rules = [rules]
        if not isinstance(rules, list) or not all(isinstance(r, str) for r in rules):
            raise ConfigError(f"{where}: rules must be a list of strings")
        mw = _num(dd, "max_wait", None, where, allow_none=True)
        return cls(
            name=name,
            strategy=_str(dd, "strategy", where, "longest-idle") or "longest-idle",
            sl_target=_num(dd, "sl_target", 20.0, where),
            max_wait=mw if mw else None,
            max_len=_num(dd, "max_len", 0, where, integer=True),
            overflow=_str(dd, "overflow", where) or None,
            wrapup=_num(dd, "wrapup", 10.0, where),
            join_empty=_bool(dd, "join_empty", True, where),
            leave_empty=_bool(dd, "leave_empty", False, where),
            rules=list(rules),
            rona_timeout=_num(dd, "rona_timeout", 15.0, where, minimum=0.001),
            rona_strikes=_num(dd, "rona_strikes", 3, where, integer=True),
            priority_aging=_num(dd, "priority_aging", 0.0, where),
            announce_every=_num(dd, "announce_every", 0.0, where),
            retry=_num(dd, "retry", 5.0, where),
            aht_hint=_num(dd, "aht_hint", 180.0, where, minimum=0.001),
        )

    def to_dict(self) -> dict:
        return {"name": self.name, "strategy": self.strategy, "sl_target": self.sl_target,
                "max_wait": self.max_wait, "max_len": self.max_len, "overflow": self.overflow,
                "wrapup": self.wrapup, "join_empty": self.join_empty, "leave_empty": self.leave_empty,
                "rules": list(self.rules), "rona_timeout": self.rona_timeout, "rona_strikes": self.rona_strikes,
                "priority_aging": self.priority_aging, "announce_every": self.announce_every,
                "retry": self.retry, "aht_hint": self.aht_hint}


@dataclass
class AgentConfig:
    id: str
    name: str = ""
    skills: dict[str, int] = field(default_factory=dict)    # skill -> proficiency 1-5
    languages: list[str] = field(default_factory=list)
    queues: dict[str, int] = field(default_factory=dict)    # queue -> penalty (lower is preferred)
    max_concurrent: int = 1
    wrapup: float | None = None                            # overrides the queue's wrap-up when set

    def __post_init__(self) -> None:
        self.id = str(self.id)
        where = f"agent {self.id!r}"
        skills = {}
        for k, v in (self.skills or {}).items():
            name = str(k).strip().lower()
            if not name:
                raise ConfigError(f"{where}: empty skill name")
            if name.startswith("lang_"):
                raise ConfigError(f"{where}: skill {k!r}: names starting with lang_ are language tags; "
                                  f"list the language under languages instead")
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 5:
                raise ConfigError(f"{where}: skill {k!r} proficiency must be an integer 1-5, not {v!r}")
            skills[name] = v
        self.skills = skills
        self.languages = [str(x).strip().lower() for x in (self.languages or []) if str(x).strip()]
        qs = {}
        for k, v in (self.queues or {}).items():
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise ConfigError(f"{where}: queue {k!r} penalty must be a whole number >= 0, not {v!r}")
            qs[str(k)] = v
        self.queues = qs
        if isinstance(self.max_concurrent, bool) or not isinstance(self.max_concurrent, int) or self.max_concurrent < 1:
            raise ConfigError(f"{where}: max_concurrent must be a whole number >= 1")
        if not self.name:
            self.name = self.id

    @property
    def attrs(self) -> dict[str, int]:
        """Skills plus language tags (``lang_en`` -> 1): what requirement expressions test."""
        a = dict(self.skills)
        for lang in self.languages:
            a.setdefault(f"lang_{lang}", 1)
        return a

    @classmethod
    def from_dict(cls, d: dict) -> "AgentConfig":
        if not isinstance(d, dict):
            raise ConfigError(f"agent: expected a mapping, not {type(d).__name__}")
        aid = _str(d, "id", "agent", required=True)
        where = f"agent {aid!r}"
        unknown = sorted(set(d) - AGENT_KEYS)
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} (known: {', '.join(sorted(AGENT_KEYS))})")
        skills = d.get("skills") or {}
        if isinstance(skills, list):  # ["billing", "sales:3"] -> level 3 (default 1)
            try:
                skills = parse_name_numbers(skills, 1)
            except ValueError as exc:
                raise ConfigError(f"{where}: skill {exc} (expected SKILL or SKILL:LEVEL, level 1-5)") from None
        if not isinstance(skills, dict):
            raise ConfigError(f"{where}: skills must be a mapping skill -> proficiency 1-5")
        langs = d.get("languages") or []
        if isinstance(langs, str):
            langs = [x for x in langs.replace(",", " ").split()]
        if not isinstance(langs, list):
            raise ConfigError(f"{where}: languages must be a list")
        queues = d.get("queues") or {}
        if isinstance(queues, list):
            queues = {str(q): 0 for q in queues}
        if not isinstance(queues, dict):
            raise ConfigError(f"{where}: queues must be a mapping queue -> penalty (or a list of names)")
        queues = {k: (0 if v is None else v) for k, v in queues.items()}
        wr = d.get("wrapup")
        return cls(id=aid, name=_str(d, "name", where, "") or aid, skills=skills, languages=langs,
                   queues=queues, max_concurrent=_num(d, "max_concurrent", 1, where, minimum=1, integer=True),
                   wrapup=None if wr is None else _num(d, "wrapup", 0, where))

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "skills": dict(self.skills), "languages": list(self.languages),
                "queues": dict(self.queues), "max_concurrent": self.max_concurrent, "wrapup": self.wrapup}


def check_expr(text: str) -> None:
    """Raise ConfigError if ``text`` is not a valid skill expression."""
    try:
        parse_expr(text)
    except RuleError as exc:
        raise ConfigError(str(exc)) from None
