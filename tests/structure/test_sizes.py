"""Rooms stay small enough to read: no source module above 700 lines and no function above 120 lines,
except functions that are tables written as code (listed here with the reason)."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MAX_MODULE_LINES = 700
MAX_FUNCTION_LINES = 120
TABLE_LIKE = {
    # the JSON Schema of the flow language, one entry per node type and field
    ("callcenter/ivr/schema.py", "build_schema"),
}


def sources():
    for pkg in ("acd", "callcenter"):
        yield from sorted((ROOT / pkg).rglob("*.py"))


def test_no_module_above_the_limit():
    big = [f"{p.relative_to(ROOT)}: {n} lines" for p in sources()
           if (n := p.read_text(encoding="utf-8").count("\n")) > MAX_MODULE_LINES]
    assert not big, big


def test_no_function_above_the_limit_except_tables():
    long = []
    for p in sources():
        rel = p.relative_to(ROOT).as_posix()
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (rel, node.name) not in TABLE_LIKE:
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{rel}:{node.lineno} {node.name}: {n} lines")
    assert not long, long
