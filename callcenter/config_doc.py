"""``callcenter config defaults``: every key with its default and its comment, as a YAML file to start from.

The comments are the ones written beside each key in the tables of defaults (``config.DEFAULTS`` and the
section tables it includes: ``config_media``, ``config_webrtc``, ``config_recordings``), read from those
modules' source, so a key is documented once, where its default is. Pure: source text in, text out.
"""
from __future__ import annotations

import ast
import importlib
import inspect
import io
import textwrap
import tokenize
from dataclasses import dataclass, field
from typing import Any

#: the tables of defaults: where each sits in the configuration, and the module variable holding it
TABLES: dict[tuple[str, ...], tuple[str, str]] = {
    (): ("callcenter.config", "DEFAULTS"),
    ("recordings",): ("callcenter.config_recordings", "RECORDINGS_DEFAULTS"),
    ("media",): ("callcenter.config_media", "DEFAULTS"),
    ("webrtc",): ("callcenter.config_webrtc", "DEFAULTS"),
}
WIDTH = 100


@dataclass
class KeyDoc:
    comment: str = ""                                   # beside the key (and the lines that continue it)
    heading: list[str] = field(default_factory=list)    # comment lines above the key, at its indentation


def table_comments(source: str, variable: str, prefix: tuple[str, ...] = ()) -> dict[tuple[str, ...], KeyDoc]:
    """The comments of the keys of the dict literal assigned to ``variable`` in ``source``, by key path."""
    tree = ast.parse(source)
    lines = source.splitlines()
    comments = {tok.start[0]: (tok.start[1], tok.string.lstrip("#").strip())
                for tok in tokenize.generate_tokens(io.StringIO(source).readline) if tok.type == tokenize.COMMENT}

    def comment_only(n: int) -> bool:
        return 1 <= n <= len(lines) and lines[n - 1].lstrip().startswith("#")

    out: dict[tuple[str, ...], KeyDoc] = {}

    def walk(node: ast.Dict, path: tuple[str, ...]) -> None:
        for key, value in zip(node.keys, node.values):
            if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
                continue
            doc = KeyDoc()
            n = key.lineno - 1                  # heading: comment-only lines right above, at the key's column
            while comment_only(n) and comments.get(n, (-1, ""))[0] == key.col_offset:
                doc.heading.insert(0, comments[n][1])
                n -= 1
            last = key.lineno if isinstance(value, ast.Dict) else value.end_lineno
            if last in comments:
                parts = [comments[last][1]]
                n = last + 1                    # continued on comment-only lines indented past the key
                while comment_only(n) and comments[n][0] > key.col_offset:
                    parts.append(comments[n][1])
                    n += 1
                doc.comment = " ".join(p for p in parts if p)
            out[path + (key.value,)] = doc
            if isinstance(value, ast.Dict):
                walk(value, path + (key.value,))

    for stmt in ast.walk(tree):
        target = getattr(stmt, "target", None) or (getattr(stmt, "targets", None) or [None])[0]
        if isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(target, ast.Name) \
                and target.id == variable and isinstance(stmt.value, ast.Dict):
            walk(stmt.value, prefix)
            break
    return out


def all_comments() -> dict[tuple[str, ...], KeyDoc]:
    """The comments of every table of defaults, by key path."""
    out: dict[tuple[str, ...], KeyDoc] = {}
    for prefix, (module, variable) in TABLES.items():
        source = inspect.getsource(importlib.import_module(module))
        out.update(table_comments(source, variable, prefix))
    return out


def missing_comments(defaults: dict[str, Any], docs: dict[tuple[str, ...], KeyDoc]) -> list[str]:
    """Keys (``a.b``) of ``defaults`` that have no comment."""
    missing = []
    for path in _paths(defaults):
        if not docs.get(path, KeyDoc()).comment:
            missing.append(".".join(path))
    return missing


def _paths(table: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for k, v in table.items():
        out.append(prefix + (k,))
        if isinstance(v, dict) and v:
            out.extend(_paths(v, prefix + (k,)))
    return out


def _comment_lines(text: str, indent: str) -> list[str]:
    return [indent + "# " + line for line in textwrap.wrap(text, WIDTH - len(indent) - 2)] if text else []


def commented_yaml(defaults: dict[str, Any], docs: dict[tuple[str, ...], KeyDoc]) -> str:
    """``defaults`` as YAML with each key's comment above it (it loads back to ``defaults``)."""
    import yaml
    out = ["# callcenter.yaml: every key with its default (`callcenter config defaults`). Keep the keys you",
           "# change; CALLCENTER_<SECTION>__<KEY> variables override the file (`callcenter config env`)."]

    def emit(table: dict[str, Any], path: tuple[str, ...], depth: int) -> None:
        indent = "  " * depth
        for key, value in table.items():
            doc = docs.get(path + (key,), KeyDoc())
            if depth == 0 or doc.heading:
                out.append("")
            for line in doc.heading:
                out.extend(_comment_lines(line, indent))
            out.extend(_comment_lines(doc.comment, indent))
            if isinstance(value, dict) and value:
                out.append(f"{indent}{key}:")
                emit(value, path + (key,), depth + 1)
            else:
                flow = isinstance(value, (list, dict))     # [] / {} / [a, b] on the key's line
                text = yaml.safe_dump(value if flow else {key: value}, default_flow_style=flow, allow_unicode=True,
                                      width=10_000).rstrip("\n")
                out.append(f"{indent}{key}: {text}" if flow else indent + text)

    emit(defaults, (), 0)
    return "\n".join(out) + "\n"
