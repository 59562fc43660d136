"""Packaging: every package-data pattern ships something, and the server does not need panoramisk."""
from __future__ import annotations

import ast
import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _setup_cfg() -> configparser.ConfigParser:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return cfg


def _lines(value: str) -> list[str]:
    return [x.strip() for x in value.replace(",", "\n").splitlines() if x.strip()]


def test_every_package_data_pattern_matches_files():
    data = _setup_cfg()["options.package_data"]
    empty = [f"{pkg}: {pattern}" for pkg in data for pattern in _lines(data[pkg])
             if not any(p.is_file() for p in (ROOT / pkg.replace(".", "/")).glob(pattern))]
    assert not empty, f"package_data patterns matching no file: {empty}"


def test_package_data_ships_what_the_server_reads():
    data = _setup_cfg()["options.package_data"]
    shipped = {f"{pkg}/{p.relative_to(ROOT / pkg).as_posix()}" for pkg in data for pattern in _lines(data[pkg])
               for p in (ROOT / pkg).glob(pattern) if p.is_file()}
    for need in ("callcenter/ivr/flow.schema.json", "callcenter/demo/demo.yaml",
                 "callcenter/store/migrations/env.py", "callcenter/store/migrations/script.py.mako",
                 "acd/scenarios/day.yaml"):
        assert need in shipped, need
    versions = {p.name for p in (ROOT / "callcenter/store/migrations/versions").glob("*.py")}
    assert versions and all(f"callcenter/store/migrations/versions/{v}" in shipped for v in versions)


def test_panoramisk_is_only_a_bench_extra():
    options = _setup_cfg()["options"]
    assert not [r for r in _lines(options["install_requires"]) if r.lower().startswith("panoramisk")]
    assert any(r.startswith("panoramisk") for r in _lines(_setup_cfg()["options.extras_require"]["bench"]))
    importers = []
    for pkg in ("callcenter", "acd"):
        for path in (ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] == "panoramisk" for n in names):
                    importers.append(str(path.relative_to(ROOT)))
    assert not importers, importers
