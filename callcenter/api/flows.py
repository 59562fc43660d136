"""Flow routes for the web flows page: one flow with its versions, the graph, the diff between
versions, live validation of an edit and saving it as a new version.

* ``POST /api/flows/validate`` runs what ``callcenter ivr validate`` runs on one file
  (:func:`callcenter.ivr.loader.validate_flow_text`: YAML, JSON Schema, semantic checks, queue and skill
  names from the database, subflow/goto targets against the loaded flows); problems carry line and
  column.
* ``PUT /api/flows/{name}`` validates the same way and refuses an edit with errors (422 with the
  problems: the file is not touched, the serving version keeps serving). A valid edit is written to the
  flow's file (atomically) and the registry reloads at once: it is the new version, new calls get it,
  calls in progress keep theirs. ``base_version`` guards against overwriting someone else's edit (409).
* ``GET /api/flows/{name}/graph`` is :func:`callcenter.ivr.graph.graph_data` (drawn by the page).
"""
from __future__ import annotations

import difflib
import logging
import os
from pathlib import Path
from typing import Any

from aiohttp import web

from ..engine.flow_store import known_queues_and_skills
from ..ivr.graph import graph_data
from ..ivr.loader import validate_flow_text
from ..ivr.schema import load_schema
from .auth import require
from .common import DB_KEY, engine_of, json_response
from .errors import ApiError
from .spec import Field, Route, read_body, read_query

log = logging.getLogger("callcenter.api.flows")

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
MAX_FLOW_TEXT = 512 * 1024


def registry_of(request: web.Request):
    reg = getattr(engine_of(request), "flows", None)
    if reg is None or not hasattr(reg, "versions"):
        raise ApiError(503, "no IVR flow registry is running")
    return reg


def _check_flow_name(name: str) -> str:
    if not name or not set(name) <= _NAME_CHARS or name.startswith("."):
        raise ApiError(400, f"flow name {name!r} must be letters, digits, _ . - (not starting with .)", "name")
    return name


def _flow_path(reg: Any, name: str) -> Path:
    """The file of a flow: the current version's, else ``flows_dir/NAME.yaml``."""
    cur = reg.current(name)
    return Path(cur.source) if cur is not None else Path(reg.flows_dir) / f"{name}.yaml"


def _versions(reg: Any, name: str) -> list:
    versions = reg.versions(name)
    if not versions:
        raise ApiError(404, f"no flow named {name!r} is loaded", "name")
    return versions


def _version(reg: Any, name: str, number: Any, what: str = "version"):
    versions = _versions(reg, name)
    if number is None:
        return reg.current(name)
    for v in versions:
        if v.version == number:
            return v
    raise ApiError(404, f"flow {name!r} has no version {number} (versions 1-{versions[-1].version})", what)


def _dids_of(reg: Any, name: str) -> list[str]:
    return [d for d, n in reg.dids.items() if n == name]


async def validate_text(request: web.Request, name: str, text: str) -> tuple[Any, list]:
    """``callcenter ivr validate`` for ``text`` as the flow file of ``name``."""
    reg = registry_of(request)
    if len(text) > MAX_FLOW_TEXT:
        raise ApiError(413, f"a flow may be at most {MAX_FLOW_TEXT // 1024} KiB", "text")
    queues = skills = None
    db = request.app.get(DB_KEY)
    if db is not None:
        try:
            queues, skills = await known_queues_and_skills(db)
        except Exception as exc:  # noqa: BLE001 - validation works without the database, as the CLI's
            log.warning("queues/skills not checked against the database: %s", exc)
    others = {n: f for n, f in reg.flows.items() if n != name}
    return validate_flow_text(text, str(_flow_path(reg, name)), flows=others, queues=queues or None,
                              skills=skills or None)


def _problems_body(problems: list) -> dict[str, Any]:
    errors = sum(1 for p in problems if p.severity == "error")
    return {"valid": errors == 0, "errors": errors, "warnings": len(problems) - errors,
            "problems": [p.to_dict() for p in problems]}


# -- routes --------------------------------------------------------------------------------------
async def flow_schema(request: web.Request) -> web.Response:
    """The flow language's JSON Schema (``callcenter/ivr/flow.schema.json``): the editor completes from it."""
    require(request, "supervisor")
    return json_response(load_schema())


async def get_flow(request: web.Request) -> web.Response:
    """One flow: the serving version's YAML and graph, every version, its DIDs, its file's problems,
    and the file's text when it holds a rejected edit."""
    require(request, "supervisor")
    reg = registry_of(request)
    name = request.match_info["name"]
    versions = _versions(reg, name)
    cur = reg.current(name)
    text = reg.version_text(name, cur.content_hash) or ""
    problems = [e.to_dict() for e in reg.errors if e.file == cur.source]
    on_disk = None
    try:
        disk = Path(cur.source).read_text(encoding="utf-8")
        on_disk = disk if disk != text else None
    except OSError:
        pass
    return json_response({"name": name, "current": cur.to_dict(), "text": text,
                          "versions": [v.to_dict() for v in versions], "dids": _dids_of(reg, name),
                          "default": reg.default_flow == name, "problems": problems,
                          "rejected_text": on_disk, "graph": graph_data(cur.flow)})


async def get_version(request: web.Request) -> web.Response:
    require(request, "supervisor")
    reg = registry_of(request)
    name = request.match_info["name"]
    try:
        number = int(request.match_info["version"])
    except ValueError:
        raise ApiError(400, "version must be a number", "version") from None
    v = _version(reg, name, number)
    return json_response({**v.to_dict(), "text": reg.version_text(name, v.content_hash) or "",
                          "graph": graph_data(v.flow)})


async def get_graph(request: web.Request) -> web.Response:
    require(request, "supervisor")
    reg = registry_of(request)
    q = read_query(request, (Field("version", "integer", minimum=1),))
    return json_response(graph_data(_version(reg, request.match_info["name"], q.get("version")).flow))


async def get_diff(request: web.Request) -> web.Response:
    """Unified diff of two versions' YAML (default: the previous version against the current one)."""
    require(request, "supervisor")
    reg = registry_of(request)
    name = request.match_info["name"]
    q = read_query(request, DIFF_QUERY)
    new = _version(reg, name, q.get("to"), "to")
    old = _version(reg, name, q.get("from", max(1, new.version - 1)), "from")
    a = (reg.version_text(name, old.content_hash) or "").splitlines()
    b = (reg.version_text(name, new.content_hash) or "").splitlines()
    lines = list(difflib.unified_diff(a, b, f"{name} v{old.version}", f"{name} v{new.version}", lineterm=""))
    added = sum(1 for x in lines if x.startswith("+") and not x.startswith("+++"))
    removed = sum(1 for x in lines if x.startswith("-") and not x.startswith("---"))
    return json_response({"name": name, "from": old.version, "to": new.version, "added": added,
                          "removed": removed, "diff": "\n".join(lines)})


async def validate(request: web.Request) -> web.Response:
    """Live validation of an edit (the editor calls it as the user types)."""
    require(request, "supervisor")
    body = await read_body(request, VALIDATE_BODY)
    name = _check_flow_name(body.get("name") or "draft")
    _, problems = await validate_text(request, name, body["text"])
    return json_response(_problems_body(problems))


async def save_flow(request: web.Request) -> web.Response:
    """Save an edit as the flow's new version (hot reload), or refuse it with the problems (422)."""
    p = require(request, "supervisor")
    reg = registry_of(request)
    name = _check_flow_name(request.match_info["name"])
    body = await read_body(request, SAVE_BODY)
    cur = reg.current(name)
    base = body.get("base_version")
    if base is not None and (cur is None or cur.version != base):
        raise ApiError(409, f"flow {name!r} is at version {cur.version if cur else 'none'}, not {base}: someone "
                            f"saved in between; reload it and edit again", "base_version")
    text = body["text"]
    flow, problems = await validate_text(request, name, text)
    if flow is None:
        first = next(e for e in problems if e.severity == "error")
        serving = f"; version {cur.version} keeps serving" if cur is not None else ""
        return json_response({"error": f"edit rejected: line {first.line} column {first.column}: {first.message}"
                                       f"{serving}", "field": "text", **_problems_body(problems)}, 422)
    if flow.name != name:
        raise ApiError(422, f"the text names flow {flow.name!r} ('flow:' key); save it as {flow.name!r} or "
                            f"change the key to {name!r}", "text")
    if cur is not None and cur.content_hash == flow.content_hash:
        return json_response({"changed": False, "version": cur.to_dict(), **_problems_body(problems)})
    path = _flow_path(reg, name)
    _write_atomic(path, text)
    reg.reload()
    new = reg.current(name)
    if new is None or new.content_hash != flow.content_hash:
        why = "; ".join(str(e) for e in reg.errors if e.file == str(path) and e.severity == "error")
        raise ApiError(500, f"flow {name!r} was written to {path} but the registry did not take it: {why or 'unknown'}")
    log.info("flow saved from the API", extra={"flow": name, "version": new.version, "user": p.user})
    return json_response({"changed": True, "version": new.to_dict(), **_problems_body(problems)})


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.saving")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ApiError(500, f"cannot write {path}: {exc.strerror}") from None


DIFF_QUERY = (Field("from", "integer", minimum=1, description="older version (default: the one before 'to')"),
              Field("to", "integer", minimum=1, description="newer version (default: the current one)"))
VALIDATE_BODY = (Field("text", "string", required=True, description="the flow's YAML"),
                 Field("name", "string", description="the flow it is an edit of (for subflow checks and the file name)"))
SAVE_BODY = (Field("text", "string", required=True, description="the flow's YAML"),
             Field("base_version", "integer", minimum=1,
                   description="the version the edit started from; 409 when the flow has moved on"))

FLOW_ROUTES: list[Route] = [
    Route("GET", "/api/flow-schema", flow_schema, "the JSON Schema of flow files (for editor completion)", tag="ivr"),
    Route("POST", "/api/flows/validate", validate, "validate a flow's YAML like `callcenter ivr validate` "
          "(problems with line and column)", body=VALIDATE_BODY, tag="ivr"),
    Route("GET", "/api/flows/{name}", get_flow, "one flow: serving version's YAML and graph, versions, DIDs, "
          "problems, a rejected edit's text", tag="ivr", responses={"404": "no such flow"}),
    Route("PUT", "/api/flows/{name}", save_flow, "save an edit as a new version (validated; hot reload)",
          body=SAVE_BODY, tag="ivr",
          responses={"409": "the flow moved on since base_version",
                     "422": "the edit has errors (problems listed); the old version keeps serving"}),
    Route("GET", "/api/flows/{name}/versions/{version}", get_version, "one version's YAML and graph", tag="ivr",
          responses={"404": "no such flow or version"}),
    Route("GET", "/api/flows/{name}/graph", get_graph, "the flow as nodes and edges (to draw)", tag="ivr",
          query=(Field("version", "integer", minimum=1),), responses={"404": "no such flow or version"}),
    Route("GET", "/api/flows/{name}/diff", get_diff, "unified diff between two versions", tag="ivr",
          query=DIFF_QUERY, responses={"404": "no such flow or version"}),
]
