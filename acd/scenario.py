"""Simulation scenarios: validation of a plain dict (parsed YAML) into a :class:`Scenario`.

Errors are :class:`ScenarioError` with the path of the offending node (``queues[1].handle_time.mean``);
the CLI adds the file name and line.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .config import AgentConfig, ConfigError, QueueConfig

__all__ = ["ScenarioError", "Scenario", "QueueLoad", "AgentGroup", "Dist", "parse_scenario", "simple_scenario",
           "parse_clock"]

DISTRIBUTIONS = ("exponential", "lognormal", "constant", "uniform", "empirical")


class ScenarioError(ValueError):
    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{path}: {message}" if path else message)


@dataclass
class Dist:
    """A positive random duration. exponential(mean) | lognormal(mean, sd) | constant(mean) |
    uniform(min, max) | empirical(values: a list sampled uniformly)."""
    kind: str = "exponential"
    mean: float = 180.0
    sd: float = 0.0
    low: float = 0.0
    high: float = 0.0
    values: tuple = ()

    def sampler(self, rng):
        k = self.kind
        if k == "exponential":
            rate = 1.0 / self.mean
            return lambda: rng.expovariate(rate)
        if k == "lognormal":
            # parameters of the underlying normal for the requested mean and sd
            var = self.sd ** 2
            sigma2 = math.log(1.0 + var / (self.mean ** 2))
            mu = math.log(self.mean) - sigma2 / 2
            sigma = math.sqrt(sigma2)
            return lambda: rng.lognormvariate(mu, sigma)
        if k == "constant":
            m = self.mean
            return lambda: m
        if k == "uniform":
            lo, hi = self.low, self.high
            return lambda: rng.uniform(lo, hi)
        vals = self.values
        return lambda: vals[int(rng.random() * len(vals))]

    def to_dict(self) -> dict:
        d: dict[str, Any] = {"distribution": self.kind, "mean": self.mean}
        if self.kind == "lognormal":
            d["sd"] = self.sd
        if self.kind == "uniform":
            d.update(min=self.low, max=self.high)
        return d


@dataclass
class CallerType:
    weight: float = 1.0
    priority: float = 0.0
    language: str | None = None
    skills: dict[str, int] | None = None
    callback: float = 0.0        # probability that a caller still waiting at callback_after asks for a callback


@dataclass
class QueueLoad:
    config: QueueConfig
    rates: list[float]                     # calls per hour in each interval
    handle: Dist
    patience: Dist | None                  # None: callers never hang up
    callers: list[CallerType] = field(default_factory=lambda: [CallerType()])
    callback_after: float | None = None


@dataclass
class AgentGroup:
    name: str
    count: int
    template: dict                          # AgentConfig keys (skills, languages, queues, ...)
    shifts: list[tuple[float, float]]       # [start, end) seconds from the scenario start
    answer_delay: float = 0.0               # seconds an agent's phone rings before they answer
    answer_prob: float = 1.0                # probability an offer is answered (else RONA)
    pause_after_rona: float = 60.0          # an auto-paused agent comes back after this many seconds

    def agent_configs(self) -> list[AgentConfig]:
        out = []
        for i in range(1, self.count + 1):
            d = dict(self.template)
            d["id"] = f"{self.name}-{i:03d}" if self.count < 1000 else f"{self.name}-{i:05d}"
            d.setdefault("name", d["id"])
            out.append(AgentConfig.from_dict(d))
        return out


@dataclass
class Scenario:
    name: str
    interval: float
    start: float                            # clock time of day of t=0 (seconds after midnight), for labels
    duration: float
    seed: int
    queues: list[QueueLoad]
    groups: list[AgentGroup]
    warmup: float = 0.0

    @property
    def intervals(self) -> int:
        return max(1, int(math.ceil(self.duration / self.interval - 1e-9)))

    def label(self, i: int) -> str:
        t = self.start + i * self.interval
        d, rem = divmod(int(round(t)), 86400)
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        lab = f"{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")
        return lab if not d else f"+{d}d {lab}"

    def expected_calls(self) -> float:
        n = 0.0
        for ql in self.queues:
            for i in range(self.intervals):
                n += ql.rates[min(i, len(ql.rates) - 1)] / 3600.0 * self._ilen(i)
        return n

    def _ilen(self, i: int) -> float:
        return min(self.interval, self.duration - i * self.interval)


def parse_clock(v: Any, path: str) -> float:
    """'08:30' / '08:30:15' -> seconds after midnight; numbers are seconds."""
    if isinstance(v, bool):
        raise ScenarioError(path, f"expected a time (HH:MM or seconds), not {v!r}")
    if isinstance(v, (int, float)):
        if not math.isfinite(v) or v < 0:
            raise ScenarioError(path, f"time must be >= 0, not {v!r}")
        return float(v)
    if isinstance(v, str):
        parts = v.strip().split(":")
        try:
            nums = [int(p) for p in parts]
        except ValueError:
            nums = []
        if 2 <= len(nums) <= 3 and 0 <= nums[0] <= 48 and all(0 <= x < 60 for x in nums[1:]):
            return nums[0] * 3600.0 + nums[1] * 60.0 + (nums[2] if len(nums) == 3 else 0)
    raise ScenarioError(path, f"expected a time like 08:30 or a number of seconds, not {v!r}")


def _num(d: dict, key: str, path: str, default: Any = None, *, minimum: float | None = 0.0,
         positive: bool = False) -> Any:
    if key not in d or d[key] is None:
        return default
    v = d[key]
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
        raise ScenarioError(f"{path}.{key}", f"expected a number, not {v!r}")
    if positive and v <= 0:
        raise ScenarioError(f"{path}.{key}", f"must be > 0, not {v!r}")
    if minimum is not None and v < minimum:
        raise ScenarioError(f"{path}.{key}", f"must be >= {minimum:g}, not {v!r}")
    return float(v)


def _mapping(v: Any, path: str) -> dict:
    if not isinstance(v, dict):
        raise ScenarioError(path, f"expected a mapping, not {type(v).__name__}")
    return v


def _check_keys(d: dict, known: set, path: str) -> None:
    unknown = sorted(str(k) for k in d if k not in known)
    if unknown:
        raise ScenarioError(f"{path}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(known))})")


def parse_dist(v: Any, path: str, default_kind: str = "exponential") -> Dist:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if v <= 0 or not math.isfinite(v):
            raise ScenarioError(path, f"mean must be > 0, not {v!r}")
        return Dist(default_kind, float(v))
    d = _mapping(v, path)
    _check_keys(d, {"distribution", "mean", "sd", "min", "max", "values"}, path)
    kind = str(d.get("distribution", default_kind)).lower()
    if kind not in DISTRIBUTIONS:
        raise ScenarioError(f"{path}.distribution", f"unknown distribution {kind!r} (one of: {', '.join(DISTRIBUTIONS)})")
    if kind == "uniform":
        lo = _num(d, "min", path, None)
        hi = _num(d, "max", path, None)
        if lo is None or hi is None or hi <= lo:
            raise ScenarioError(path, "uniform needs min < max")
        return Dist(kind, (lo + hi) / 2, 0.0, lo, hi)
    if kind == "empirical":
        vals = d.get("values")
        if not isinstance(vals, list) or not vals or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in vals):
            raise ScenarioError(f"{path}.values", "empirical needs a non-empty list of positive numbers")
        return Dist(kind, sum(vals) / len(vals), 0.0, values=tuple(float(x) for x in vals))
    mean = _num(d, "mean", path, None, positive=True)
    if mean is None:
        raise ScenarioError(f"{path}.mean", "required")
    sd = _num(d, "sd", path, 0.0)
    if kind == "lognormal" and sd <= 0:
        raise ScenarioError(f"{path}.sd", "lognormal needs sd > 0")
    return Dist(kind, mean, sd)


QUEUE_SIM_KEYS = {"arrivals", "rate", "handle_time", "patience", "callers", "callback_after"}
GROUP_KEYS = {"group", "name", "count", "skills", "languages", "queues", "max_concurrent", "wrapup", "shifts",
              "shift", "answer_delay", "answer_prob", "pause_after_rona"}
TOP_KEYS = {"name", "interval", "start", "duration", "seed", "sl_threshold", "queues", "agents", "warmup",
            "defaults", "description"}


def parse_scenario(data: Any, *, seed: int | None = None) -> Scenario:
    if not isinstance(data, dict):
        raise ScenarioError("", "a scenario is a mapping with queues: and agents:")
    _check_keys(data, TOP_KEYS, "scenario")
    interval = _num(data, "interval", "scenario", 3600.0, positive=True)
    start = parse_clock(data.get("start", 0), "scenario.start")
    sl_default = _num(data, "sl_threshold", "scenario", 20.0)
    qdefaults = data.get("defaults") or {}
    if not isinstance(qdefaults, dict):
        raise ScenarioError("scenario.defaults", "expected a mapping of queue keys")
    queues_raw = data.get("queues")
    if not isinstance(queues_raw, list) or not queues_raw:
        raise ScenarioError("scenario.queues", "expected a non-empty list of queues")
    loads: list[QueueLoad] = []
    names: set = set()
    max_intervals = 0
    for i, qd in enumerate(queues_raw):
        load, n_intervals = _parse_queue(qd, f"queues[{i}]", qdefaults, sl_default, names)
        loads.append(load)
        max_intervals = max(max_intervals, n_intervals)
    duration = _num(data, "duration", "scenario", None, positive=True)
    if duration is None:
        duration = interval * max(max_intervals, 1)
        if max_intervals == 0:
            duration = 8 * 3600.0
    groups_raw = data.get("agents")
    if not isinstance(groups_raw, list) or not groups_raw:
        raise ScenarioError("scenario.agents", "expected a non-empty list of agent groups")
    groups: list[AgentGroup] = []
    gnames: set = set()
    for i, gd in enumerate(groups_raw):
        groups.append(_parse_group(gd, i, names, gnames, start, duration))
    sd = data.get("seed", 1) if seed is None else seed
    if isinstance(sd, bool) or not isinstance(sd, int):
        raise ScenarioError("scenario.seed", f"expected an integer, not {sd!r}")
    warmup = _num(data, "warmup", "scenario", 0.0)
    return Scenario(name=str(data.get("name", "scenario")), interval=interval, start=start, duration=duration,
                    seed=sd, queues=loads, groups=groups, warmup=warmup)


def _parse_queue(qd: Any, path: str, qdefaults: dict, sl_default: float, names: set) -> tuple[QueueLoad, int]:
    """One entry of ``queues:`` (its name is added to ``names``): (load, intervals its arrivals list)."""
    qd = _mapping(qd, path)
    cfg_keys = {k: v for k, v in qd.items() if k not in QUEUE_SIM_KEYS}
    cfg_keys.setdefault("sl_target", sl_default)
    cfg_keys.setdefault("wrapup", 0)
    try:
        cfg = QueueConfig.from_dict(cfg_keys, qdefaults)
    except ConfigError as exc:
        raise ScenarioError(path, str(exc)) from None
    if cfg.name in names:
        raise ScenarioError(f"{path}.name", f"duplicate queue {cfg.name!r}")
    names.add(cfg.name)
    n_intervals = 0
    if "arrivals" in qd:
        arr = qd["arrivals"]
        if not isinstance(arr, list) or not arr or not all(
                isinstance(x, (int, float)) and not isinstance(x, bool) and x >= 0 and math.isfinite(x) for x in arr):
            raise ScenarioError(f"{path}.arrivals", "expected a list of calls per hour (numbers >= 0), one per interval")
        rates = [float(x) for x in arr]
        n_intervals = len(rates)
    elif "rate" in qd:
        rates = [_num(qd, "rate", path, 0.0)]
    else:
        raise ScenarioError(path, "needs arrivals: [calls per hour per interval] or rate: calls per hour")
    if "handle_time" not in qd:
        raise ScenarioError(f"{path}.handle_time", "required (e.g. {distribution: lognormal, mean: 240, sd: 120})")
    handle = parse_dist(qd["handle_time"], f"{path}.handle_time")
    pat_raw = qd.get("patience")
    patience = None
    if pat_raw not in (None, "none", "infinite", False):
        patience = parse_dist(pat_raw, f"{path}.patience")
    callers = _parse_callers(qd.get("callers"), f"{path}.callers")
    cb_after = _num(qd, "callback_after", path, None, positive=True)
    return QueueLoad(cfg, rates, handle, patience, callers or [CallerType()], cb_after), n_intervals


def _parse_callers(craw: Any, path: str) -> list[CallerType]:
    """A queue's ``callers:`` list (absent: [])."""
    callers: list[CallerType] = []
    if craw is None:
        return callers
    if not isinstance(craw, list) or not craw:
        raise ScenarioError(path, "expected a list of caller types")
    for j, cd in enumerate(craw):
        cp = f"{path}[{j}]"
        cd = _mapping(cd, cp)
        _check_keys(cd, {"weight", "priority", "language", "skills", "callback"}, cp)
        sk = cd.get("skills")
        if sk is not None and (not isinstance(sk, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5 for v in sk.values())):
            raise ScenarioError(f"{cp}.skills", "expected a mapping skill -> minimum level 1-5")
        cb = _num(cd, "callback", cp, 0.0)
        if cb > 1:
            raise ScenarioError(f"{cp}.callback", "a probability 0..1")
        callers.append(CallerType(weight=_num(cd, "weight", cp, 1.0, positive=True),
                                  priority=_num(cd, "priority", cp, 0.0, minimum=None),
                                  language=str(cd["language"]) if cd.get("language") else None,
                                  skills={str(k): v for k, v in sk.items()} if sk else None,
                                  callback=cb))
    return callers


def _parse_group(gd: Any, i: int, names: set, gnames: set, start: float, duration: float) -> AgentGroup:
    """Entry ``i`` of ``agents:`` (its name is added to ``gnames``; ``names``: the queues)."""
    path = f"agents[{i}]"
    gd = _mapping(gd, path)
    _check_keys(gd, GROUP_KEYS, path)
    name = str(gd.get("group") or gd.get("name") or f"group{i + 1}")
    if name in gnames:
        raise ScenarioError(f"{path}.group", f"duplicate group {name!r}")
    gnames.add(name)
    count = gd.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ScenarioError(f"{path}.count", f"expected a whole number >= 0, not {count!r}")
    tmpl = {k: gd[k] for k in ("skills", "languages", "queues", "max_concurrent", "wrapup") if k in gd}
    if not tmpl.get("queues"):
        raise ScenarioError(f"{path}.queues", "an agent group needs queues: {queue: penalty}")
    qs = tmpl["queues"]
    for qn in (qs if isinstance(qs, (dict, list)) else []):
        if qn not in names:
            raise ScenarioError(f"{path}.queues", f"unknown queue {qn!r} (defined: {', '.join(sorted(names))})")
    try:
        AgentConfig.from_dict({"id": name, **tmpl})
    except ConfigError as exc:
        raise ScenarioError(path, str(exc)) from None
    shifts = _parse_shifts(gd.get("shifts", gd.get("shift")), path, start, duration)
    ad = _num(gd, "answer_delay", path, 0.0)
    ap = _num(gd, "answer_prob", path, 1.0)
    if ap > 1:
        raise ScenarioError(f"{path}.answer_prob", "a probability 0..1")
    return AgentGroup(name, count, tmpl, shifts, ad, ap, _num(gd, "pause_after_rona", path, 60.0))


def _parse_shifts(shifts_raw: Any, path: str, start: float, duration: float) -> list[tuple[float, float]]:
    """A group's shifts as [start, end) seconds from the scenario's start (absent: all the scenario)."""
    if shifts_raw is None:
        return [(0.0, duration)]
    if isinstance(shifts_raw, (str, dict)):
        shifts_raw = [shifts_raw]
    if not isinstance(shifts_raw, list):
        raise ScenarioError(f"{path}.shifts", "expected a list of {start, end} or 'HH:MM-HH:MM'")
    shifts: list[tuple[float, float]] = []
    for j, sh in enumerate(shifts_raw):
        sp = f"{path}.shifts[{j}]"
        if isinstance(sh, str) and "-" in sh:
            a, b = sh.split("-", 1)
            s0, s1 = parse_clock(a.strip(), sp), parse_clock(b.strip(), sp)
        elif isinstance(sh, dict):
            _check_keys(sh, {"start", "end"}, sp)
            if "start" not in sh or "end" not in sh:
                raise ScenarioError(sp, "a shift needs start and end")
            s0, s1 = parse_clock(sh["start"], f"{sp}.start"), parse_clock(sh["end"], f"{sp}.end")
        else:
            raise ScenarioError(sp, f"expected 'HH:MM-HH:MM' or {{start, end}}, not {sh!r}")
        if s1 <= s0:
            s1 += 86400.0  # overnight shift
        shifts.append((s0 - start, s1 - start))
    return shifts


def simple_scenario(*, agents: int, rate: float, aht: float, patience: float | None = None,
                    sl_threshold: float = 20.0, duration: float = 8 * 3600.0, seed: int = 1,
                    handle: str = "exponential", handle_sd: float | None = None, wrapup: float = 0.0,
                    interval: float = 3600.0, strategy: str = "longest-idle", warmup: float = 0.0) -> Scenario:
    """One queue, ``agents`` identical agents all day, ``rate`` calls per hour (command-line mode)."""
    if handle == "lognormal":
        hd = Dist("lognormal", aht, handle_sd if handle_sd else aht)
    elif handle == "constant":
        hd = Dist("constant", aht)
    else:
        hd = Dist("exponential", aht)
    cfg = QueueConfig(name="queue", strategy=strategy, sl_target=sl_threshold, wrapup=wrapup)
    ql = QueueLoad(cfg, [rate], hd, Dist("exponential", patience) if patience else None)
    # agents stay until the last caller of the day has been served
    grp = AgentGroup("agent", agents, {"queues": {"queue": 0}}, [(0.0, duration + 4 * 3600.0)])
    return Scenario(name="command line", interval=min(interval, duration), start=0.0, duration=duration,
                    seed=seed, queues=[ql], groups=[grp], warmup=warmup)
