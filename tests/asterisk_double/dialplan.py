"""Just enough of Asterisk's dialplan for the double: the project's own ``asterisk_conf/extensions.conf``
is read and the legs the engine creates (agent legs in ``cc-agent-wait``, held legs, ...) run it.

What the real captures show and this reproduces (``bridge-*.txt``):

* a channel pulled into a bridge while it runs an application (``Wait(30)``, ``Playback(beep)``)
  leaves that application; when the bridge ends and the channel is still up it **resumes its own
  dialplan at the next priority** (``s@cap-agent-wait:4`` after ``Wait(30)`` at 3);
* the end of the priorities, or ``Hangup()``, hangs the channel up;
* ``Set(VAR=value)``, ``GotoIf(cond?label[:label])``, ``$[...]``, ``${EPOCH}`` (seconds, on the double's
  scaled clock) and ``${CHANNEL_EXISTS(name)}`` (the parked agent leg's loop in ``cc-agent-hold``).

Patterns follow Asterisk's rules: ``_`` then ``X`` (0-9), ``Z`` (1-9), ``N`` (2-9), ``[a-c...]``,
``.`` (one or more of anything), ``!`` (zero or more); anything else matches itself. An exact
extension beats a pattern; among patterns the more specific one wins (enough for our contexts).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

REPO_DIALPLAN = Path(__file__).resolve().parents[2] / "asterisk_conf" / "extensions.conf"

#: how long the double lets ``Playback(file)`` run (seconds, before ``time_scale``)
PLAYBACK_SECONDS = 0.5


@dataclass
class Step:
    priority: int
    label: str | None
    app: str
    data: str


@dataclass
class Dialplan:
    globals: dict[str, str] = field(default_factory=dict)
    contexts: dict[str, dict[str, list[Step]]] = field(default_factory=dict)   # ctx -> exten -> steps
    includes: dict[str, list[str]] = field(default_factory=dict)

    # -- reading ------------------------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path | str = REPO_DIALPLAN) -> "Dialplan":
        return cls.parse(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, text: str) -> "Dialplan":
        dp = cls()
        ctx: str | None = None
        last_exten: str | None = None
        for raw in text.splitlines():
            line = _strip_comment(raw).strip()
            if not line:
                continue
            m = re.match(r"^\[([^\]]+)\]", line)
            if m:
                ctx = m.group(1).strip()
                dp.contexts.setdefault(ctx, {})
                last_exten = None
                continue
            if ctx is None:
                continue
            key, sep, value = line.partition("=>") if "=>" in line else line.partition("=")
            key, value = key.strip().lower(), value.strip()
            if not sep:
                continue
            if ctx == "globals":
                dp.globals[line.partition("=")[0].strip()] = line.partition("=")[2].strip()
                continue
            if ctx == "general":
                continue
            if key == "include":
                dp.includes.setdefault(ctx, []).append(value)
                continue
            if key == "exten":
                exten, _, rest = value.partition(",")
                prio, _, app = rest.partition(",")
                last_exten = exten.strip()
            elif key == "same" and last_exten is not None:
                prio, _, app = value.partition(",")
            else:
                continue
            steps = dp.contexts[ctx].setdefault(last_exten, [])
            prio = prio.strip()
            label = None
            lm = re.match(r"^(\w+|n)\((\w+)\)$", prio)
            if lm:
                prio, label = lm.group(1), lm.group(2)
            number = (steps[-1].priority + 1 if steps else 1) if prio == "n" else int(prio)
            name, _, data = app.strip().partition("(")
            steps.append(Step(number, label, name.strip(), data[:-1] if data.endswith(")") else data))
        return dp

    # -- matching -------------------------------------------------------------------------------------
    def match(self, context: str, exten: str, _seen: frozenset = frozenset()) -> str | None:
        """The extension entry of ``context`` (or its includes) that ``exten`` runs, or None."""
        entries = self.contexts.get(context, {})
        if exten in entries:
            return exten
        best: tuple[int, str] | None = None
        for key in entries:
            if key.startswith("_") and _pattern_re(key).fullmatch(exten):
                score = _specificity(key)
                if best is None or score > best[0]:
                    best = (score, key)
        if best is not None:
            return best[1]
        for inc in self.includes.get(context, []):
            if inc not in _seen:
                found = self.match(inc, exten, _seen | {context})
                if found is not None:
                    return found
        return None

    def could_match_more(self, context: str, exten: str) -> bool:
        """True when ``exten`` is a prefix of something the context would match (Asterisk's 484)."""
        for key in self.contexts.get(context, {}):
            if key.startswith("_"):
                for extra in ("0", "00", "000", "0000"):
                    if _pattern_re(key).fullmatch(exten + extra):
                        return True
            elif key.startswith(exten) and key != exten:
                return True
        return False

    def steps(self, context: str, exten: str) -> list[Step]:
        key = self.match(context, exten)
        if key is None:
            return []
        for ctx in [context] + self.includes.get(context, []):
            if key in self.contexts.get(ctx, {}):
                return self.contexts[ctx][key]
        return []

    def expand(self, text: str, variables: dict[str, str], exten: str = "",
               functions: dict[str, Callable[[str], str]] | None = None) -> str:
        """``${VAR}``, ``${EXTEN}`` and ``${EXTEN:n}`` (and ``${EPOCH}`` when ``functions`` has it), then
        ``${FUNC(arg)}`` of ``functions`` (e.g. ``CHANNEL_EXISTS``), then ``$[expression]`` (integers,
        ``+ - < > <= >= = != & |``)."""
        def sub(m: re.Match) -> str:
            name = m.group(1)
            if name.startswith("EXTEN"):
                _, _, off = name.partition(":")
                return exten[int(off):] if off else exten
            if name in (functions or {}) and name not in variables:
                return functions[name]("")             # ${EPOCH}
            return variables.get(name, self.globals.get(name, ""))
        text = re.sub(r"\$\{([A-Za-z0-9_:]+)\}", sub, text)
        if functions:
            text = re.sub(r"\$\{([A-Z_]+)\(([^()]*)\)\}",
                          lambda m: functions[m.group(1)](m.group(2)) if m.group(1) in functions else "", text)
        return re.sub(r"\$\[([^\[\]]*)\]", lambda m: _expression(m.group(1)), text)


def _expression(text: str) -> str:
    """Asterisk's ``$[...]`` for what our dialplan uses: integers and quoted strings, arithmetic,
    comparisons, ``&`` / ``|`` (loosest, as in Asterisk). Truth is ``1`` / ``0``."""
    if not re.fullmatch(r"(?:\"[^\"]*\"|[0-9\s+\-<>=!&|()])*", text) or not text.strip():
        raise ValueError(f"the double cannot evaluate $[{text}]")
    py = re.sub(r"(?<![<>!=])=(?!=)", "==", text).replace("&", " and ").replace("|", " or ")
    value = eval(py, {"__builtins__": {}}, {})       # noqa: S307 - digits and operators only (checked above)
    return str(int(value))


def _strip_comment(line: str) -> str:
    out = []
    i = 0
    while i < len(line):
        if line[i] == "\\" and i + 1 < len(line):
            out.append(line[i + 1])
            i += 2
            continue
        if line[i] == ";":
            break
        out.append(line[i])
        i += 1
    return "".join(out)


def _pattern_re(pattern: str) -> re.Pattern:
    body = pattern[1:]
    out = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch in "Xx":
            out.append("[0-9]")
        elif ch in "Zz":
            out.append("[1-9]")
        elif ch in "Nn":
            out.append("[2-9]")
        elif ch == "[":
            j = body.index("]", i)
            out.append("[" + body[i + 1:j] + "]")
            i = j
        elif ch == ".":
            out.append(".+")
        elif ch == "!":
            out.append(".*")
        else:
            out.append(re.escape(ch))
        i += 1
    return re.compile("".join(out))


def _specificity(pattern: str) -> int:
    return sum(1 for ch in pattern[1:] if ch not in ".!") * 10 - pattern.count(".") - pattern.count("!")
