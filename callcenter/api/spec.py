"""Route specifications: one table drives routing, request validation and the OpenAPI document.

A :class:`Route` names its method, path, minimum role, JSON body fields, query parameters and (``returns``)
the fields of its JSON answer; :func:`read_body` validates a request body against the fields (a malformed
body or a bad field answers 400 naming the field), and :func:`openapi_document` turns the table into
OpenAPI 3.0. Every route the server serves is in a table, except the HTML pages (``PAGE_PATHS`` of the
modules that mount them); ``tests/api/test_api_spec_coverage.py`` holds every module to that.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Sequence

from aiohttp import web

from ..yamlfile import type_name
from .errors import ApiError

_PY_TYPES = {"string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,), "object": (dict,),
             "array": (list,)}


@dataclass(frozen=True)
class Field:
    name: str
    type: str = "string"
    required: bool = False
    description: str = ""
    enum: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    items: str | None = None                 # the type of an array's items
    nullable: bool = False                   # an answer field that may be null

    def schema(self) -> dict[str, Any]:
        s: dict[str, Any] = {"type": self.type}
        if self.type == "array":
            s["items"] = {"type": self.items} if self.items else {}
        if self.nullable:
            s["nullable"] = True
        if self.description:
            s["description"] = self.description
        if self.enum:
            s["enum"] = list(self.enum)
        if self.minimum is not None:
            s["minimum"] = self.minimum
        if self.maximum is not None:
            s["maximum"] = self.maximum
        return s

    def check(self, value: Any, where: str) -> Any:
        if value is None:
            raise ApiError(400, f"{where} '{self.name}' must not be null", self.name)
        ok = _PY_TYPES[self.type]
        if isinstance(value, bool) and self.type != "boolean":
            raise ApiError(400, f"{where} '{self.name}' must be {self.type}, got boolean", self.name)
        if not isinstance(value, ok):
            raise ApiError(400, f"{where} '{self.name}' must be {self.type}, got {type_name(value, json=True)}",
                           self.name)
        if self.type == "string" and not value.strip() and self.required:
            raise ApiError(400, f"{where} '{self.name}' must not be empty", self.name)
        if self.enum and value not in self.enum:
            raise ApiError(400, f"{where} '{self.name}' must be one of {', '.join(self.enum)}, got {value!r}",
                           self.name)
        if self.minimum is not None and value < self.minimum:
            raise ApiError(400, f"{where} '{self.name}' must be >= {self.minimum:g}, got {value}", self.name)
        if self.maximum is not None and value > self.maximum:
            raise ApiError(400, f"{where} '{self.name}' must be <= {self.maximum:g}, got {value}", self.name)
        return value


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    role: str | None = "supervisor"          # None = public; "agent" routes check ownership themselves
    body: tuple[Field, ...] = ()
    query: tuple[Field, ...] = ()
    tag: str = "general"
    responses: dict[str, str] = field(default_factory=dict)
    produces: str = "application/json"
    returns: tuple[Field, ...] = ()          # the JSON answer's fields (its 200 schema); required ones always there


async def read_body(request: web.Request, fields: Sequence[Field]) -> dict[str, Any]:
    """Parse and validate a JSON object body. An empty body counts as ``{}``."""
    raw = await request.read()
    if not raw.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise ApiError(400, "request body is not UTF-8 text", "body") from None
        except json.JSONDecodeError as exc:
            raise ApiError(400, f"malformed JSON in request body: {exc.msg} at line {exc.lineno} "
                                f"column {exc.colno}", "body") from None
    if not isinstance(data, dict):
        raise ApiError(400, f"request body must be a JSON object, got {type_name(data, json=True)}", "body")
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            allowed = ", ".join(known) or "none"
            raise ApiError(400, f"unknown field '{key}' (allowed: {allowed})", key)
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in data:
            out[f.name] = f.check(data[f.name], "field")
        elif f.required:
            raise ApiError(400, f"field '{f.name}' is required", f.name)
    return out


def read_query(request: web.Request, fields: Sequence[Field]) -> dict[str, Any]:
    """Validate query parameters (converted from text to the field's type)."""
    out: dict[str, Any] = {}
    known = {f.name for f in fields} | {"token"}
    for key in request.query:
        if key not in known:
            raise ApiError(400, f"unknown query parameter '{key}' (allowed: {', '.join(sorted(known - {'token'})) or 'none'})", key)
    for f in fields:
        text = request.query.get(f.name)
        if text is None:
            if f.required:
                raise ApiError(400, f"query parameter '{f.name}' is required", f.name)
            continue
        value: Any = text
        try:
            if f.type == "integer":
                value = int(text)
            elif f.type == "number":
                value = float(text)
            elif f.type == "boolean":
                if text.lower() not in ("1", "0", "true", "false", "yes", "no"):
                    raise ValueError
                value = text.lower() in ("1", "true", "yes")
        except ValueError:
            raise ApiError(400, f"query parameter '{f.name}' must be {f.type}, got {text!r}", f.name) from None
        out[f.name] = f.check(value, "query parameter")
    return out


def add_routes(app: web.Application, routes: Sequence[Route]) -> None:
    for r in routes:
        app.router.add_route(r.method, r.path, r.handler)


_ERROR_SCHEMA = {"type": "object", "required": ["error", "field"],
                 "properties": {"error": {"type": "string"},
                                "field": {"type": "string", "nullable": True}}}


def openapi_document(routes: Sequence[Route], version: str, title: str = "callcenter API") -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for r in routes:
        params = []
        for part in r.path.split("/"):
            if part.startswith("{") and part.endswith("}"):
                params.append({"name": part[1:-1], "in": "path", "required": True,
                               "schema": {"type": "string"}})
        for q in r.query:
            params.append({"name": q.name, "in": "query", "required": q.required, "schema": q.schema(),
                           **({"description": q.description} if q.description else {})})
        answer: dict[str, Any] = {}
        if r.returns:
            answer = {"schema": {"type": "object", "properties": {f.name: f.schema() for f in r.returns}}}
            if any(f.required for f in r.returns):
                answer["schema"]["required"] = [f.name for f in r.returns if f.required]
        responses: dict[str, Any] = {"200": {"description": r.responses.get("200", "OK"),
                                             "content": {r.produces: answer}}}
        err = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        if r.body or r.query:
            responses["400"] = {"description": "malformed request; 'field' names the culprit", **err}
        if r.role is not None:
            responses["401"] = {"description": "missing or unknown token", **err}
            responses["403"] = {"description": f"role too weak (needs {r.role})", **err}
        for code, text in r.responses.items():
            if code != "200":
                responses[code] = {"description": text, **err}
        op: dict[str, Any] = {"summary": r.summary, "tags": [r.tag],
                              "operationId": f"{r.method.lower()}_{r.path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
                              "responses": responses}
        if params:
            op["parameters"] = params
        if r.role is None:
            op["security"] = []
        else:
            op["x-required-role"] = r.role
        if r.body:
            op["requestBody"] = {"required": any(f.required for f in r.body), "content": {"application/json": {
                "schema": {"type": "object", "additionalProperties": False,
                           "required": [f.name for f in r.body if f.required] or None,
                           "properties": {f.name: f.schema() for f in r.body}}}}}
            schema = op["requestBody"]["content"]["application/json"]["schema"]
            if schema["required"] is None:
                del schema["required"]
        paths.setdefault(r.path, {})[r.method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": version,
                 "description": "REST and WebSocket API of the call-center server. Authenticate with "
                                "'Authorization: Bearer <token>'. Roles: agent < supervisor < admin."},
        "paths": paths,
        "components": {"schemas": {"Error": _ERROR_SCHEMA},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
    }
