"""YAML documents that remember where each value came from, and how we name value types in messages.

One loader for every YAML file the server reads (configuration, provisioning, IVR flows, simulator
scenarios), so each can point an error at ``file:line`` (and column)::

    doc = load_yaml(text, "callcenter.yaml")      # raises YamlError("callcenter.yaml:3:7: not valid YAML: ...")
    doc.data                                      # plain dicts / lists / scalars
    doc.line(("ami", "servers", 1, "port"))       # line of that key (or of the nearest parent present)
    doc.line(parse_path("ami.servers[1].port"))   # the same, from a dotted path

Mapping keys are always text (``1: x`` has the key ``"1"``), as in JSON. Loading is bounded: an alias
"bomb" or nesting deeper than ``max_depth`` does not hang or crash. Duplicate keys keep the last value
(as PyYAML does) and are listed in ``doc.problems`` for callers that report them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

__all__ = ["YamlError", "YamlDoc", "YamlPath", "load_yaml", "read_text", "parse_path", "type_name"]

#: A position in a document: mapping keys and list indexes, e.g. ``("nodes", "menu", "options", 0)``.
YamlPath = tuple

#: Most YAML values a document may expand to (aliases can multiply a small file: "billion laughs").
MAX_NODES = 200_000
MAX_DEPTH = 60


class YamlError(Exception):
    """The document cannot be read or parsed; ``str()`` is ``file:line:column: message`` (``file: message``
    when no line applies, line 0)."""

    def __init__(self, source: str, line: int, column: int, message: str) -> None:
        self.source, self.line, self.column, self.message = source, line, column, message
        super().__init__(f"{source}:{line}:{column}: {message}" if line else f"{source}: {message}")


@dataclass
class YamlDoc:
    """A parsed document: ``data`` plus the 1-based (line, column) of every key and value."""

    data: Any
    source: str
    keys: dict[YamlPath, tuple[int, int]] = field(default_factory=dict)
    #: path -> (line, column, quoting style: None, "'" or '"', "|" ...)
    values: dict[YamlPath, tuple[int, int, str | None]] = field(default_factory=dict)
    #: (path, message, (line, column)): duplicate keys, nesting too deep
    problems: list[tuple[YamlPath, str, tuple[int, int]]] = field(default_factory=list)

    def at(self, path: YamlPath, prefer_value: bool = False) -> tuple[int, int]:
        """Best position for ``path``: its key, else its value, else the nearest parent; (1, 1) at worst."""
        p = tuple(path)
        while True:
            if prefer_value and p in self.values:
                return self.values[p][:2]
            if p in self.keys:
                return self.keys[p]
            if p in self.values:
                return self.values[p][:2]
            if not p:
                return 1, 1
            p = p[:-1]

    def line(self, path: YamlPath) -> int:
        return self.at(path)[0]

    def where(self, path: YamlPath) -> str:
        """``file:line`` of ``path``."""
        return f"{self.source}:{self.line(path)}"


_PATH_PART = re.compile(r"\[(\d+)\]|([^.\[\]]+)")


def parse_path(dotted: str) -> YamlPath:
    """``"queues[1].handle_time.mean"`` -> ``("queues", 1, "handle_time", "mean")``."""
    return tuple(int(idx) if idx else name for idx, name in _PATH_PART.findall(dotted))


#: ``scalar(node, path, construct)``: the value of a scalar node at ``path`` (a key's path is its
#: mapping's); ``construct(node)`` gives PyYAML's safe value.
ScalarHook = Callable[[yaml.ScalarNode, YamlPath, Callable[[yaml.Node], Any]], Any]


def load_yaml(text: str, source: str = "<string>", *, scalar: ScalarHook | None = None,
              max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> YamlDoc:
    """Parse one YAML document (safe tags only). An empty document has ``data`` None.

    Raises :class:`YamlError` naming the line and column of a syntax error, or when the document
    expands to more than ``max_nodes`` values."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source) from None
    doc = YamlDoc(None, source)
    if root is None:
        return doc
    ctor = yaml.SafeLoader("")
    builder = _Builder(doc, ctor, scalar, max_nodes, max_depth)
    try:
        doc.data = builder.build(root, (), 0)
    except yaml.YAMLError as exc:
        raise _syntax_error(exc, source) from None
    finally:
        ctor.dispose()
    return doc


def read_text(path: str | Path, what: str = "file") -> str:
    """The UTF-8 text of ``path``; :class:`YamlError` ("``what`` not found", "cannot read ``what``",
    "not UTF-8 text" with the line and column of the first bad byte) otherwise."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise YamlError(str(p), 0, 0, f"{what} not found") from None
    except OSError as exc:
        raise YamlError(str(p), 0, 0, f"cannot read {what}: {exc.strerror or exc}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(str(p), line, col, "not UTF-8 text (save the file as UTF-8)") from None


def _syntax_error(exc: yaml.YAMLError, source: str) -> YamlError:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    ctx = getattr(exc, "context", None)
    return YamlError(source, line, col, f"not valid YAML: {problem}" + (f" ({ctx})" if ctx else ""))


class _Builder:
    def __init__(self, doc: YamlDoc, ctor: yaml.SafeLoader, scalar: ScalarHook | None,
                 max_nodes: int, max_depth: int) -> None:
        self.doc, self.ctor, self.hook = doc, ctor, scalar
        self.max_nodes, self.max_depth = max_nodes, max_depth
        self.count = 0
        self.merging = 0

    def construct(self, node: yaml.Node) -> Any:
        return self.ctor.construct_object(node, deep=True)

    def scalar(self, node: yaml.Node, path: YamlPath) -> Any:
        return self.hook(node, path, self.construct) if self.hook else self.construct(node)

    def build(self, node: yaml.Node, path: YamlPath, depth: int) -> Any:
        self.count += 1
        if self.count > self.max_nodes:
            raise YamlError(self.doc.source, 1, 1, f"the document expands to more than {self.max_nodes} YAML "
                                                   f"values (too many aliases?)")
        pos = (node.start_mark.line + 1, node.start_mark.column + 1)
        self.record(self.doc.values, path, (*pos, getattr(node, "style", None)))
        if depth > self.max_depth:
            self.doc.problems.append((path, "nesting too deep", pos))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node, path)

    def record(self, table: dict, path: YamlPath, pos: tuple) -> None:
        if self.merging:        # merged values (<<: *anchor) never hide the positions of explicit ones
            table.setdefault(path, pos)
        else:
            table[path] = pos

    def mapping(self, node: yaml.MappingNode, path: YamlPath, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        merges = []
        for knode, vnode in node.value:
            if knode.tag == "tag:yaml.org,2002:merge":
                merges.append(vnode)
                continue
            key = self.scalar(knode, path) if isinstance(knode, yaml.ScalarNode) else str(knode.tag)
            key = str(key).lower() if isinstance(key, bool) else ("null" if key is None else str(key))
            kpos = (knode.start_mark.line + 1, knode.start_mark.column + 1)
            if key in out:
                first = self.doc.keys.get(path + (key,), (0, 0))
                self.doc.problems.append((path + (key,), f"duplicate key '{key}' (first defined at line {first[0]})",
                                          kpos))
            self.record(self.doc.keys, path + (key,), kpos)
            out[key] = self.build(vnode, path + (key,), depth + 1)
        for vnode in merges:                                 # <<: *defaults, explicit keys win
            self.merging += 1
            try:
                m = self.build(vnode, path, depth + 1)
            finally:
                self.merging -= 1
            for one in m if isinstance(m, list) else [m]:
                if isinstance(one, dict):
                    for k, v in one.items():
                        out.setdefault(k, v)
        return out


# --------------------------------------------------------------------------------------------------
# Type names in messages

_TYPE_NAMES = ((bool, "boolean", "boolean"), (int, "integer", "integer"), (float, "number", "number"),
               (str, "string", "string"), (list, "list", "array"), (Mapping, "mapping", "object"))


def type_name(value: Any, *, article: bool = False, json: bool = False) -> str:
    """How a message names the type of a parsed value: ``integer``, ``list``, ``mapping``, ``null``...

    ``article``: ``an integer``, ``a mapping``, ``nothing (null)``; ``json``: JSON Schema's words
    (``array``, ``object``) for API clients."""
    if value is None:
        return "nothing (null)" if article else "null"
    name = type(value).__name__
    for cls, yaml_name, json_name in _TYPE_NAMES:
        if isinstance(value, cls):
            name = json_name if json else yaml_name
            break
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}" if article else name
