"""A picture of a flow: the graph as data (pure, drawn by the web page), Graphviz DOT text (pure) and
rendering to SVG/PNG with the ``dot`` program."""
from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

from .flow import Flow, Node, prompt_items

_SHAPES = {
    "play": ("note", "#e8f0fe"), "menu": ("box", "#fff4d6"), "collect": ("box", "#fff4d6"),
    "ask": ("ellipse", "#fff4d6"), "intent": ("diamond", "#f3e8fd"), "set": ("box", "#f1f3f4"),
    "branch": ("diamond", "#f3e8fd"), "schedule": ("hexagon", "#f3e8fd"), "http": ("component", "#e6f4ea"),
    "language": ("tab", "#f1f3f4"), "queue": ("box3d", "#ceead6"), "transfer": ("house", "#ceead6"),
    "voicemail": ("cylinder", "#ceead6"), "subflow": ("folder", "#e8f0fe"), "goto": ("cds", "#e8f0fe"),
    "return": ("invhouse", "#e8f0fe"), "hangup": ("octagon", "#fad2cf"),
}
_FAIL_EDGES = {"on_fail", "on_error", "closed", "holiday", "default", "else"}


def _esc(s: Any) -> str:
    return str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


def _short(text: str, n: int = 48) -> str:
    """Shorten to about ``n`` columns (Chinese/Japanese/Korean characters count two)."""
    text = " ".join(str(text).split())
    width = 0
    for i, ch in enumerate(text):
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        if width > n:
            return text[: max(1, i - 1)] + "…"
    return text


def _summary(flow: Flow, node: Node) -> str:
    s = node.spec
    t = node.type
    if "prompt" in s:
        items = prompt_items(s["prompt"], flow.language, flow.language)
        for it in items:
            if "text" in it:
                return f"“{_short(it['text'])}”"
            if "file" in it:
                return f"[{it['file']}]"
    if t == "queue":
        skills = s.get("skills") or []
        sk = ", ".join(skills if isinstance(skills, list) else [f"{k}>={v}" for k, v in skills.items()])
        return f"queue {s.get('queue')}" + (f" ({sk})" if sk else "")
    if t == "transfer":
        return f"to {s.get('to')}"
    if t == "set":
        return _short(", ".join(f"{k}={v}" for k, v in (s.get("vars") or {}).items()))
    if t == "http":
        return _short(f"{str(s.get('method', 'GET')).upper()} {s.get('url')}")
    if t == "language":
        return str(s.get("language"))
    if t == "schedule":
        return _short(", ".join(f"{k} {v}" for k, v in (s.get("hours") or {}).items()))
    if t == "intent":
        return _short(f"classify {s.get('input')}")
    if t in ("subflow", "goto") and s.get("flow"):
        return f"flow {s.get('flow')}"
    return ""


def graph_data(flow: Flow) -> dict[str, Any]:
    """The flow as boxes and arrows for a client-side drawing (the web flows page): the same nodes,
    summaries, colours and arrow labels as :func:`to_dot`. ``edges[].kind``: ``next`` (normal), ``fail``
    (failure paths, drawn dashed red), ``missing`` (target not in the flow), ``flow`` (into another flow)."""
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    externals: set[str] = set()
    for node in flow.nodes.values():
        shape, color = _SHAPES.get(node.type, ("box", "#ffffff"))
        nodes.append({"id": node.id, "type": node.type, "label": str(node.spec.get("label") or node.id),
                      "summary": _summary(flow, node), "color": color, "line": node.line})
        for lab, target in node.targets():
            if node.type == "goto" and node.spec.get("flow"):
                continue
            kind = "missing" if target not in flow.nodes else "fail" if lab in _FAIL_EDGES else "next"
            edges.append({"from": node.id, "to": target, "label": "" if lab == "next" else _short(lab, 36),
                          "kind": kind})
        if node.type in ("subflow", "goto") and node.spec.get("flow"):
            ext = f"flow:{node.spec['flow']}"
            if ext not in externals:
                externals.add(ext)
                nodes.append({"id": ext, "type": "flow", "label": f"flow {node.spec['flow']}", "summary": "",
                              "color": "#ffffff", "line": None})
            edges.append({"from": node.id, "to": ext, "label": "call" if node.type == "subflow" else "jump",
                          "kind": "flow"})
    return {"name": flow.name, "description": flow.description, "start": flow.start, "nodes": nodes,
            "edges": edges}


def to_dot(flow: Flow) -> str:
    """DOT text for ``flow``: one box per node (shape by type), one arrow per transition."""
    lines = [f'digraph "{_esc(flow.name)}" {{',
             '  graph [rankdir=TB, fontname="Helvetica", fontsize=11, labelloc=t, '
             f'label="{_esc(flow.name)}{" — " + _esc(_short(flow.description, 70)) if flow.description else ""}"];',
             '  node [fontname="Helvetica", fontsize=10, style=filled, color="#5f6368"];',
             '  edge [fontname="Helvetica", fontsize=9, color="#5f6368"];',
             '  "__start" [shape=circle, label="", width=0.25, style=filled, fillcolor="#202124"];',
             f'  "__start" -> "{_esc(flow.start)}";']
    externals: set[str] = set()
    for node in flow.nodes.values():
        shape, color = _SHAPES.get(node.type, ("box", "#ffffff"))
        title = node.spec.get("label") or node.id
        summary = _summary(flow, node)
        label = f"{_esc(title)}\\n<{node.type}>" + (f"\\n{_esc(summary)}" if summary else "")
        lines.append(f'  "{_esc(node.id)}" [shape={shape}, fillcolor="{color}", label="{label}"];')
        for lab, target in node.targets():
            if node.type == "goto" and node.spec.get("flow"):
                continue
            style = ', style=dashed, color="#d93025", fontcolor="#d93025"' if lab in _FAIL_EDGES else ""
            shown = "" if lab == "next" else _short(lab, 36)
            if target not in flow.nodes:
                style = ', style=dotted, color="#d93025"'
                shown = f"{shown} (missing)".strip()
            lines.append(f'  "{_esc(node.id)}" -> "{_esc(target)}" [label="{_esc(shown)}"{style}];')
        if node.type in ("subflow", "goto") and node.spec.get("flow"):
            ext = f"flow:{node.spec['flow']}"
            if ext not in externals:
                externals.add(ext)
                lines.append(f'  "{_esc(ext)}" [shape=folder, fillcolor="#ffffff", style="dashed,filled", '
                             f'label="flow {_esc(node.spec["flow"])}"];')
            lines.append(f'  "{_esc(node.id)}" -> "{_esc(ext)}" [style=dashed, label="{"call" if node.type == "subflow" else "jump"}"];')
    lines.append("}")
    return "\n".join(lines) + "\n"


class GraphError(Exception):
    pass


def render(flow: Flow, output: str | Path, fmt: str | None = None) -> Path:
    """Write a picture of ``flow`` to ``output``; the format comes from ``fmt`` or the extension
    (``svg``, ``png``, ``pdf``, or ``dot`` for the DOT text itself)."""
    out = Path(output)
    fmt = (fmt or out.suffix.lstrip(".") or "svg").lower()
    dot_text = to_dot(flow)
    if fmt in ("dot", "gv"):
        out.write_text(dot_text, encoding="utf-8")
        return out
    if fmt not in ("svg", "png", "pdf"):
        raise GraphError(f"unsupported picture format {fmt!r} (use svg, png, pdf or dot)")
    exe = shutil.which("dot")
    if exe is None:
        raise GraphError("the Graphviz 'dot' program is not installed (apt-get install graphviz); "
                         "use -o FILE.dot to get the DOT text instead")
    try:
        proc = subprocess.run([exe, f"-T{fmt}", "-o", str(out)], input=dot_text.encode("utf-8"),
                              capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise GraphError("graphviz 'dot' took more than 60 s") from None
    if proc.returncode != 0:
        raise GraphError(f"graphviz 'dot' failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return out
