"""Load and validate flow files: YAML -> JSON Schema -> semantic checks -> :class:`Flow`.

Every problem is a :class:`FlowError` that names ``file:line:column``, the node, and what is expected.
Errors stop a flow from loading; warnings (unreachable nodes) do not.
"""
from __future__ import annotations

import difflib
import hashlib
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import jsonschema
import yaml

from ..yamlfile import YamlDoc, YamlError, load_yaml, read_text, type_name
from .checks import FlowChecker
from .flow import PROMPT_FIELDS, Flow, Node
from .problems import FlowError, FlowValidationError, Path_, node_of
from .schema import NODE_TYPES, load_schema

__all__ = ["FlowError", "FlowValidationError", "load_flow_text", "check_flow_file", "load_flow_file",
           "load_flows_dir", "check_flows", "validate_flow_text", "FLOW_SUFFIXES"]

FLOW_SUFFIXES = (".yaml", ".yml")


# ------------------------------------------------------------------------------------------------
# YAML with positions

#: Keys whose integer values are text: ``digit: 1`` is the key "1".
_TEXT_KEYS = ("digit", "terminator", "to", "queue")


def _flow_scalar(node: yaml.ScalarNode, path: Path_, construct: Any) -> Any:
    if node.tag == "tag:yaml.org,2002:timestamp":
        return str(node.value)      # dates stay text: holidays: [2026-12-25]
    if node.tag == "tag:yaml.org,2002:int" and path and path[-1] in _TEXT_KEYS:
        return str(node.value)
    if node.tag == "tag:yaml.org,2002:bool" and str(node.value).lower() not in ("true", "false"):
        # YAML 1.2 booleans: only true/false. "yes", "no", "on", "off" stay words (phrases, prompts, keys)
        return str(node.value)
    return construct(node)


def _parse_yaml(text: str, source: str) -> tuple[Any, YamlDoc, list[FlowError]]:
    try:
        doc = load_yaml(text, source, scalar=_flow_scalar)
    except YamlError as exc:
        return None, YamlDoc(None, source), [FlowError(source, exc.line, exc.column, exc.message)]
    if doc.data is None:
        return None, doc, [FlowError(source, 1, 1, "the file is empty: expected a mapping with 'start' and 'nodes'")]
    errs = [FlowError(source, lc[0], lc[1], msg, node_of(path)) for path, msg, lc in doc.problems]
    return doc.data, doc, errs


# ------------------------------------------------------------------------------------------------
# Schema errors -> readable lines

_VALIDATOR = None


def _validator() -> jsonschema.Draft202012Validator:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = jsonschema.Draft202012Validator(load_schema())
    return _VALIDATOR


def _field(path: Path_) -> str:
    inner = list(path[2:]) if len(path) >= 2 and path[0] == "nodes" else list(path)
    out = ""
    for p in inner:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def _schema_errors(data: Any, source: str, pos: YamlDoc) -> list[FlowError]:
    out: list[FlowError] = []
    seen: set[tuple] = set()
    for err in sorted(_validator().iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        path = tuple(err.absolute_path)
        node = node_of(path)
        ntype = None
        if node is not None and isinstance(data.get("nodes"), dict):
            nd = data["nodes"].get(node)
            if isinstance(nd, dict):
                ntype = nd.get("type")
        in_node = f" ({ntype} node)" if isinstance(ntype, str) and ntype in NODE_TYPES else ""
        fld = _field(path)
        msgs: list[tuple[Path_, str]] = []
        v = err.validator
        if v == "required":
            missing = [r for r in err.validator_value if isinstance(err.instance, dict) and r not in err.instance]
            for m in missing:
                what = {"start": "the name of the first node", "nodes": "a mapping of node name -> node"}.get(m, "")
                msgs.append((path, f"missing required field '{m}'{in_node}" + (f": {what}" if what else "")))
        elif v == "additionalProperties":
            allowed = sorted((err.schema.get("properties") or {}).keys())
            for k in err.instance:
                if k not in allowed:
                    hint = difflib.get_close_matches(str(k), allowed, 1)
                    extra = f"; did you mean '{hint[0]}'?" if hint else f" (expected one of: {', '.join(allowed)})"
                    msgs.append((path + (k,), f"unknown field '{k}'{in_node}{extra}"))
        elif v == "enum" and path and path[-1] == "type":
            hint = difflib.get_close_matches(str(err.instance), NODE_TYPES, 1)
            msgs.append((path, f"unknown node type {err.instance!r}; expected one of: {', '.join(NODE_TYPES)}"
                         + (f" (did you mean '{hint[0]}'?)" if hint else "")))
        elif v == "enum":
            msgs.append((path, f"'{fld}' must be one of {', '.join(map(str, err.validator_value))}, "
                               f"got {err.instance!r}"))
        elif v == "type":
            want = err.validator_value
            want = " or ".join(want) if isinstance(want, list) else want
            msgs.append((path, f"'{fld}' must be {want}, got {type_name(err.instance, article=True)}"))
        elif v == "pattern":
            kind = "a node name (letters, digits, _ . -)" if path and path[-1] in (
                "next", "on_fail", "on_error", "default", "else", "open", "closed", "holiday", "start") \
                else f"text matching {err.validator_value}"
            msgs.append((path, f"'{fld}' must be {kind}, got {err.instance!r}"))
        elif v == "propertyNames":
            msgs.append((path, f"'{fld}': key {err.instance!r} is not allowed here: {err.message}"))
        elif v in ("oneOf", "anyOf"):
            last = path[-1] if path else ""
            if last in PROMPT_FIELDS or last == "prompt":
                msgs.append((path, f"'{fld}' must be a prompt: text, a list of items ({{text|file|digits|number|"
                                   f"silence}}), or a mapping language -> text/items"))
            elif last in ("say", "examples", "keywords") or (len(path) >= 2 and path[-2] == "choices"):
                msgs.append((path, f"'{fld}' must be a list of phrases or a mapping language -> list of phrases"))
            else:
                best = jsonschema.exceptions.best_match([err])
                msgs.append((path, f"'{fld}': {best.message}"))
        elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
            msgs.append((path, f"'{fld}' is out of range: {err.message}"))
        elif v in ("minItems", "minProperties"):
            msgs.append((path, f"'{fld}' must not be empty"))
        elif v in ("if", "then", "allOf", "$ref"):
            continue
        else:
            msgs.append((path, f"'{fld}': {err.message}"))
        for p, m in msgs:
            key = (p, m)
            if key in seen:
                continue
            seen.add(key)
            line, col = pos.at(p, prefer_value=(v in ("type", "pattern", "enum", "minimum", "maximum", "minItems", "minProperties")))
            out.append(FlowError(source, line, col, m, node))
    return out


# ------------------------------------------------------------------------------------------------
# Public API

def _flow_from(data: dict, source: str, digest: str, pos: YamlDoc, default_name: str) -> Flow:
    nodes = {}
    for nid, nd in data["nodes"].items():
        line, col = pos.at(("nodes", nid))
        nodes[nid] = Node(str(nid), nd["type"], nd, line, col)
    return Flow(
        name=str(data.get("flow") or default_name), start=data["start"], nodes=nodes,
        language=data.get("language") or "en-US", languages=tuple(data.get("languages") or ()),
        voice=data.get("voice"), timezone=data.get("timezone") or "UTC",
        variables=dict(data.get("variables") or {}), description=data.get("description") or "",
        source=source, content_hash=digest, raw=data)


def load_flow_text(text: str, source: str = "<string>", *, queues: Iterable[str] | None = None,
                   skills: Iterable[str] | None = None, sound_dirs: Sequence[str | Path] | None = None,
                   flows: Iterable[str] | None = None, name: str | None = None) -> tuple[Flow | None, list[FlowError]]:
    """Parse and validate a flow. Returns ``(flow or None, problems)``; the flow is ``None`` when any
    problem is an error (warnings alone do not stop it)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    data, pos, errors = _parse_yaml(text, source)
    if data is None:
        return None, errors or [FlowError(source, 1, 1, "the file is empty: expected a mapping with 'start' and 'nodes'")]
    if not isinstance(data, dict):
        return None, errors + [FlowError(source, 1, 1, f"the top level must be a mapping with 'start' and 'nodes', "
                                                       f"got {type_name(data, article=True)}")]
    schema_errors = _schema_errors(data, source, pos)
    errors += schema_errors
    checker = FlowChecker(data, source, pos, queues=queues, skills=skills, sound_dirs=sound_dirs, flows=flows)
    checker.skip = {e.node for e in schema_errors if e.node}
    try:
        checker.run()
    except Exception as exc:  # noqa: BLE001 - a checker bug must not hide the schema errors
        errors.append(FlowError(source, 1, 1, f"internal validator error: {exc!r}"))
    errors += checker.errors
    errors.sort(key=lambda e: (e.line, e.column, e.severity != "error"))
    if any(e.severity == "error" for e in errors):
        return None, errors
    default_name = name or (Path(source).stem if not source.startswith("<") else "flow")
    return _flow_from(data, source, digest, pos, default_name), errors


def check_flow_file(path: str | Path, **kw: Any) -> tuple[Flow | None, list[FlowError]]:
    """Load one file; ``(flow or None, errors and warnings)``. Never raises for bad content."""
    try:
        text = read_text(path)
    except YamlError as exc:
        return None, [FlowError(exc.source, max(exc.line, 1), max(exc.column, 1), exc.message)]
    return load_flow_text(text, str(Path(path)), **kw)


def load_flow_file(path: str | Path, **kw: Any) -> Flow:
    """Load one flow file or raise :class:`FlowValidationError` listing every error."""
    flow, problems = check_flow_file(path, **kw)
    if flow is None:
        raise FlowValidationError([e for e in problems if e.severity == "error"])
    return flow


def flow_files(directory: str | Path) -> list[Path]:
    d = Path(directory)
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.suffix in FLOW_SUFFIXES and p.is_file() and not p.name.startswith("."))


def check_flows(flows: Mapping[str, Flow]) -> list[FlowError]:
    """Cross-flow checks: subflow/goto targets name loaded flows and existing entry nodes."""
    out: list[FlowError] = []
    for flow in flows.values():
        for node in flow.nodes.values():
            if node.type in ("subflow", "goto") and node.get("flow"):
                target = flows.get(node.get("flow"))
                if target is None:
                    hint = difflib.get_close_matches(str(node.get("flow")), list(flows), 1)
                    out.append(FlowError(flow.source, node.line, node.column,
                                         f"unknown flow '{node.get('flow')}'" + (f"; did you mean '{hint[0]}'?" if hint else
                                                                                  f" (flows: {', '.join(sorted(flows))})"),
                                         node.id))
                elif node.get("node") and node.get("node") not in target.nodes:
                    out.append(FlowError(flow.source, node.line, node.column,
                                         f"flow '{target.name}' has no node '{node.get('node')}'", node.id))
    return out


def validate_flow_text(text: str, source: str, *, flows: Mapping[str, Flow] | None = None,
                       **kw: Any) -> tuple[Flow | None, list[FlowError]]:
    """What ``callcenter ivr validate`` reports for one file with content ``text``: :func:`load_flow_text`
    (``queues``, ``skills``, ``sound_dirs`` as keywords) plus the cross-flow checks of its subflow/goto
    targets against ``flows`` (the other flows, by name). Used by the web editor's live validation."""
    flow, problems = load_flow_text(text, source, **kw)
    if flow is not None:
        problems = problems + [e for e in check_flows({**(flows or {}), flow.name: flow}) if e.file == source]
    return flow, problems


def load_flows_dir(directory: str | Path, **kw: Any) -> tuple[dict[str, Flow], list[FlowError]]:
    """Load every ``*.yaml``/``*.yml`` flow in ``directory``: ``(name -> Flow, problems)``.
    Files with errors are left out of the mapping; their errors are in the list."""
    flows: dict[str, Flow] = {}
    problems: list[FlowError] = []
    d = Path(directory)
    if not d.is_dir():
        return {}, [FlowError(str(d), 1, 1, "flows directory not found")]
    for p in flow_files(d):
        flow, errs = check_flow_file(p, **kw)
        problems += errs
        if flow is None:
            continue
        if flow.name in flows:
            problems.append(FlowError(str(p), 1, 1, f"flow name '{flow.name}' is already used by "
                                                    f"{flows[flow.name].source}"))
            continue
        flows[flow.name] = flow
    problems += check_flows(flows)
    return flows, problems
