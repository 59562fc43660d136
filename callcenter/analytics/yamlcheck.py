"""Reading the analytics YAML files (risk-word lists, QA scorecards) with errors at ``file:line:column``,
the way IVR flows report theirs. Every problem is collected (not only the first) and raised together
as :class:`RulesFileError`."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..yamlfile import YamlDoc, YamlError, YamlPath, load_yaml, read_text, type_name


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}" if self.line else f"{self.file}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column, "message": self.message,
                "text": str(self)}


class RulesFileError(Exception):
    """A risk-word or scorecard file cannot be used; ``str()`` has one ``file:line:column: ...`` per problem."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Checker:
    """Collects problems about one parsed document, each placed at the key or value it is about."""

    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = [Problem(doc.source, lc[0], lc[1], msg) for _p, msg, lc in doc.problems]

    def error(self, path: YamlPath, message: str, value: bool = False) -> None:
        line, col = self.doc.at(path, prefer_value=value)
        self.problems.append(Problem(self.doc.source, line, col, message))

    def mapping(self, value: Any, path: YamlPath, what: str, allowed: Mapping[str, str],
                required: Iterable[str] = ()) -> dict[str, Any]:
        """``value`` as a mapping whose keys are among ``allowed`` (key -> what it is, for the message);
        unknown keys and missing required ones are problems. Returns {} when it is not a mapping."""
        if not isinstance(value, Mapping):
            self.error(path, f"{what} must be a mapping, got {type_name(value, article=True)}", value=True)
            return {}
        for key in value:
            if key not in allowed:
                near = difflib.get_close_matches(key, list(allowed), n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                self.error(path + (key,), f"{what}: unknown field '{key}'{hint}; known fields: "
                                          f"{', '.join(allowed)}")
        for key in required:
            if key not in value:
                self.error(path, f"{what}: missing field '{key}' ({allowed[key]})")
        return dict(value)

    def string(self, value: Any, path: YamlPath, what: str, choices: Iterable[str] | None = None) -> str | None:
        if not isinstance(value, str) or not value.strip():
            self.error(path, f"{what} must be a non-empty string, got {type_name(value, article=True)}", value=True)
            return None
        if choices is not None and value not in choices:
            self.error(path, f"{what} must be one of {', '.join(choices)}, got {value!r}", value=True)
            return None
        return value.strip()

    def strings(self, value: Any, path: YamlPath, what: str) -> list[str]:
        """A string or a list of non-empty strings."""
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            self.error(path, f"{what} must be a list of strings, got {type_name(value, article=True)}", value=True)
            return []
        out = []
        for i, item in enumerate(value):
            s = self.string(item, path + (i,), f"{what}[{i}]")
            if s is not None:
                out.append(s)
        return out

    def number(self, value: Any, path: YamlPath, what: str, lo: float | None = None,
               hi: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error(path, f"{what} must be a number, got {type_name(value, article=True)}", value=True)
            return None
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f"{lo if lo is not None else '-inf'}..{hi if hi is not None else 'inf'}"
            self.error(path, f"{what} must be in {rng}, got {value}", value=True)
            return None
        return float(value)

    def raise_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.line, p.column))
            raise RulesFileError(self.problems)


def load_doc(path: str | Path, what: str) -> YamlDoc:
    """Parse ``path``; unreadable or invalid YAML is a :class:`RulesFileError` naming the place."""
    try:
        doc = load_yaml(read_text(path, what), str(path))
    except YamlError as exc:
        raise RulesFileError([Problem(exc.source, exc.line, exc.column, exc.message)]) from None
    return doc


def parse_text(text: str, source: str) -> YamlDoc:
    try:
        return load_yaml(text, source)
    except YamlError as exc:
        raise RulesFileError([Problem(exc.source, exc.line, exc.column, exc.message)]) from None


def language_matches(wanted: str | None, language: str | None) -> bool:
    """A list for ``en`` serves ``en-US`` and ``en-GB``; one for ``en-US`` only ``en-US``; None serves all."""
    if not wanted or wanted == "*":
        return True
    if not language:
        return False
    w, l_ = wanted.lower(), language.lower()
    return l_ == w or l_.split("-")[0] == w
