"""The house rules of the code base, checked on every run: no import circles (counting imports made inside
functions too) and no import from a lower layer to a higher one (docs/architecture.md draws the layers)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("acd", "callcenter")

# Lower number = lower layer. A module may import from its own layer or below, never above.
LAYERS: list[tuple[str, int]] = [
    ("acd", 0),
    ("callcenter.config", 1), ("callcenter.log", 1), ("callcenter.clock", 1), ("callcenter.events", 1),
    ("callcenter.yamlfile", 1), ("callcenter", 1),
    ("callcenter.speech", 2), ("callcenter.store", 2),
    ("callcenter.ivr", 3),
    ("callcenter.asterisk", 4), ("callcenter.engine", 4), ("callcenter.media", 4),
    ("callcenter.analytics", 4),
    ("callcenter.api", 5), ("callcenter.web", 5),
    ("callcenter.app", 6), ("callcenter.client", 6), ("callcenter.commands", 6), ("callcenter.cli", 6),
    ("callcenter.__main__", 6),
]


def layer_of(module: str) -> int:
    best, depth = 1, -1
    for prefix, layer in LAYERS:
        if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
            best, depth = layer, prefix.count(".")
    return best


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    pkg = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    # imports under `if TYPE_CHECKING:` exist for annotations only: they never run, so they make no circle
    typing_only = {id(n) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and "TYPE_CHECKING" in ast.unparse(block.test) for n in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")
                base = base[: len(base) - (node.level - 1)]
                stem = ".".join(base + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            names = [stem] + [f"{stem}.{a.name}" for a in node.names]
        else:
            continue
        for n in names:
            if n.split(".")[0] in PACKAGES:
                found.add(n)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}
    g: dict[str, set[str]] = {}
    for mod, path in files.items():
        targets = set()
        for name in imports_of(path, mod):
            # `from pkg import sub` names a module when pkg/sub.py exists; otherwise the package itself
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != mod:
                targets.add(name)
        g[mod] = targets
    return g


def cycles(g: dict[str, set[str]]) -> list[list[str]]:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in g.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(g):
        if v not in index:
            strong(v)
    return out


def _package_inits(g: dict[str, set[str]]) -> dict[str, set[str]]:
    """A package's __init__ re-exporting its own submodules is not a circle of the design."""
    return {m: {t for t in ts if not t.startswith(m + ".")} for m, ts in g.items()}


def test_no_import_circles():
    found = cycles(_package_inits(graph()))
    assert not found, "import circles: " + "; ".join(" <-> ".join(c) for c in found)


def test_no_import_from_a_lower_layer_to_a_higher_one():
    bad = [f"{m} (layer {layer_of(m)}) imports {t} (layer {layer_of(t)})"
           for m, ts in sorted(graph().items()) for t in sorted(ts) if layer_of(t) > layer_of(m)]
    assert not bad, "\n".join(bad)


def test_acd_imports_nothing_of_callcenter():
    bad = [f"{m} imports {t}" for m, ts in graph().items() if m.split(".")[0] == "acd"
           for t in ts if t.split(".")[0] == "callcenter"]
    assert not bad, bad
