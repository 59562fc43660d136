"""Opening hours, days and public holidays: pure functions of a spec, a time and a zone.
"""
from __future__ import annotations

import re
import functools
from datetime import date, datetime, time as dtime, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo



# ------------------------------------------------------------------------------------------------
# Opening hours and holidays (also used by the validator and the console)

_HOURS_RE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


def parse_hours(spec: Any) -> list[tuple[dtime, dtime | None]] | None:
    """``"09:00-17:00"`` / list of those / ``closed`` / ``open`` -> list of (start, end) (end None = 24:00).
    ``None`` for closed. Raises ValueError on a bad range."""
    if spec in ("closed", None, False):
        return None
    if spec == "open":
        return [(dtime(0, 0), None)]
    ranges = spec if isinstance(spec, list) else [spec]
    out = []
    for r in ranges:
        m = _HOURS_RE.match(str(r).strip())
        if not m:
            raise ValueError(f"{r!r} is not HH:MM-HH:MM")
        h1, m1, h2, m2 = map(int, m.groups())
        if h1 > 23 or m1 > 59 or m2 > 59 or h2 > 24 or (h2 == 24 and m2):
            raise ValueError(f"{r!r} is not a valid time range")
        start = dtime(h1, m1)
        end = None if h2 == 24 else dtime(h2, m2)
        if end is not None and end <= start:
            raise ValueError(f"{r!r} ends before it starts")
        out.append((start, end))
    return out


def valid_day(s: str) -> bool:
    try:
        if len(s) == 5:
            date(2024, int(s[:2]), int(s[3:]))
        else:
            date.fromisoformat(s)
        return True
    except ValueError:
        return False


_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


def _day_keys(key: str) -> list[int]:
    if key == "daily":
        return list(range(7))
    if key == "weekdays":
        return list(range(5))
    if key == "weekend":
        return [5, 6]
    if "-" in key:
        a, b = key.split("-", 1)
        i, j = _DAYS.index(a), _DAYS.index(b)
        return list(range(i, j + 1)) if i <= j else list(range(i, 7)) + list(range(0, j + 1))
    return [_DAYS.index(key)]


def _in_hours(spec: Any, local: datetime) -> bool:
    try:
        ranges = parse_hours(spec)
    except ValueError:
        return False
    if not ranges:
        return False
    t = local.time().replace(tzinfo=None)
    return any(start <= t and (end is None or t < end) for start, end in ranges)


@functools.lru_cache(maxsize=64)
def _holiday_calendar(country: str, subdiv: str | None, year: int) -> Mapping[date, str]:
    """Public holidays of one country/subdivision and year (python-holidays), cached."""
    try:
        import holidays as _hol
        return dict(_hol.country_holidays(country, subdiv=subdiv, years=year))
    except Exception:  # noqa: BLE001 - validated at load time; never fail a call for it
        return {}


def schedule_state(spec: Mapping[str, Any], now: float, tz_name: str) -> tuple[str, str]:
    """``("open" | "closed" | "holiday", why)`` for a schedule node spec at ``now`` (epoch seconds)."""
    try:
        tz = ZoneInfo(tz_name)
    except Exception:  # noqa: BLE001
        tz = timezone.utc
    local = datetime.fromtimestamp(now, tz)
    day: date = local.date()
    iso = day.isoformat()
    exceptions = spec.get("exceptions") or {}
    if iso in exceptions:
        return ("open" if _in_hours(exceptions[iso], local) else "closed"), f"exception {iso}"
    for h in spec.get("holidays") or []:
        h = str(h)
        if h == iso or (len(h) == 5 and h == iso[5:]):
            return "holiday", f"holiday {h}"
    cal = spec.get("holiday_calendar")
    if isinstance(cal, Mapping) and cal.get("country"):
        sub = cal.get("subdiv")
        name = _holiday_calendar(str(cal["country"]), str(sub) if sub else None, day.year).get(day)
        if name:
            return "holiday", f"public holiday: {name}"
    wd = local.weekday()
    hours = spec.get("hours") or {}
    matched = None
    # the most specific key wins: a single day over a range over daily/weekdays
    for key in sorted(hours, key=lambda k: (k in ("daily", "weekdays", "weekend"), "-" in k)):
        try:
            if wd in _day_keys(str(key)):
                matched = key
                break
        except ValueError:
            continue
    if matched is None:
        return "closed", f"no hours for {_DAYS[wd]}"
    is_open = _in_hours(hours[matched], local)
    return ("open" if is_open else "closed"), f"{matched} {hours[matched]} at {local.strftime('%a %H:%M %Z')}"
