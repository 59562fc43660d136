"""The JSON Schema of IVR flow files.

``callcenter/ivr/flow.schema.json`` is generated from :func:`build_schema` (``python -m
callcenter.ivr.schema > callcenter/ivr/flow.schema.json``; a test checks the two agree). Editors use
the JSON file for autocompletion: add ``# yaml-language-server: $schema=../callcenter/ivr/flow.schema.json``
at the top of a flow, or map ``ivr_flows/*.yaml`` to it in the editor's settings.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).with_name("flow.schema.json")

NODE_TYPES = ["play", "menu", "collect", "ask", "intent", "set", "branch", "schedule", "http", "language",
              "queue", "transfer", "voicemail", "subflow", "goto", "return", "hangup"]

_LANG = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
_ID = "^[A-Za-z_][A-Za-z0-9_.-]*$"


def build_schema() -> dict[str, Any]:
    target = {"type": "string", "pattern": _ID, "description": "name of a node in this flow"}
    expr = {"type": ["string", "number", "boolean", "null"],
            "description": "an expression (see docs/ivr.md#expressions)"}
    template = {"type": ["string", "number"], "description": "text with ${expression} parts"}
    prompt_item = {
        "oneOf": [
            {"type": "string", "description": "text to synthesize (may contain ${...})"},
            {"type": "object", "additionalProperties": False, "minProperties": 1, "maxProperties": 2,
             "properties": {
                 "text": {"type": "string"},
                 "file": {"type": "string", "description": "a sound file as Asterisk knows it, no extension"},
                 "digits": template, "number": template,
                 "silence": {"type": "number", "minimum": 0, "maximum": 30},
                 "voice": {"type": "string"}}},
        ]
    }
    prompt_list = {"oneOf": [prompt_item, {"type": "array", "items": prompt_item, "minItems": 1}]}
    prompt = {
        "description": "a prompt: text, a list of items, or a mapping of language -> text/items",
        "anyOf": [
            prompt_list,
            {"type": "object", "minProperties": 1,
             "propertyNames": {"pattern": _LANG},
             "additionalProperties": prompt_list},
        ]}
    phrases = {"anyOf": [
        {"type": "array", "items": {"type": "string"}},
        {"type": "object", "propertyNames": {"pattern": _LANG},
         "additionalProperties": {"type": "array", "items": {"type": "string"}}}]}
    intent_def = {"type": "object", "additionalProperties": False, "properties": {
        "examples": phrases, "keywords": phrases, "next": target, "description": {"type": "string"}}}
    timeout = {"type": "number", "exclusiveMinimum": 0, "maximum": 600}
    retries = {"type": "integer", "minimum": 0, "maximum": 20}
    hours = {"anyOf": [{"type": "string", "pattern": r"^(closed|open|\d{1,2}:\d{2}-\d{1,2}:\d{2})$"},
                       {"type": "array", "items": {"type": "string", "pattern": r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$"}}]}
    var = {"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}

    common = {"type": {"enum": NODE_TYPES}, "description": {"type": "string"},
              "label": {"type": "string", "description": "short label for `ivr graph`"}}

    def node(props: dict, required: list[str], **extra: Any) -> dict:
        return {"type": "object", "additionalProperties": False,
                "properties": {**common, **props}, "required": ["type", *required], **extra}

    barge_in = {"type": "boolean", "description": "false: the caller's speech does not stop the prompt, listening "
                "starts when it ends; true: it does (streaming speech, media.speech_mode: stream; "
                "default: media.barge_in)"}
    nodes = {
        "play": node({"prompt": prompt, "barge_in": {"type": "boolean"}, "next": target}, ["prompt", "next"]),
        "menu": node({
            "prompt": prompt,
            "options": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["next"],
                "properties": {"digit": {"type": "string", "pattern": r"^[0-9*#]$"},
                               "say": phrases, "next": target, "label": {"type": "string"},
                               "key": {"type": "string", "description": "value stored in `var` (default: label or digit)"}}}},
            "timeout": timeout, "retries": retries, "no_input": prompt, "no_match": prompt,
            "speech": {"type": "boolean"}, "barge_in": barge_in,
            "threshold": {"type": "number", "minimum": 0, "maximum": 1},
            "min_confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "var": var, "on_fail": target}, ["prompt", "options"]),
        "collect": node({
            "prompt": prompt, "var": var, "min_digits": {"type": "integer", "minimum": 0, "maximum": 64},
            "max_digits": {"type": "integer", "minimum": 1, "maximum": 64},
            "terminator": {"type": "string", "pattern": r"^[0-9*#]?$"}, "pattern": {"type": "string"},
            "timeout": timeout, "inter_digit_timeout": timeout, "retries": retries,
            "no_input": prompt, "invalid": prompt, "read_back": {"type": "boolean"},
            "next": target, "on_fail": target}, ["prompt", "var", "next"]),
        "ask": node({
            "prompt": prompt, "var": var,
            "choices": {"type": "object", "additionalProperties": phrases,
                        "description": "choice key -> phrases (grammar mode)"},
            "intents": {"type": "object", "additionalProperties": intent_def},
            "threshold": {"type": "number", "minimum": 0, "maximum": 1},
            "min_confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "timeout": timeout, "retries": retries, "no_input": prompt, "no_match": prompt, "barge_in": barge_in,
            "dtmf": {"type": "object", "propertyNames": {"pattern": r"^[0-9*#]$"},
                     "additionalProperties": {"type": "string"},
                     "description": "digit -> choice/intent, used when speech is unavailable or unsure"},
            "dtmf_prompt": prompt, "next": target, "on_fail": target}, ["prompt", "var"]),
        "intent": node({
            "input": expr, "var": var, "intents": {"type": "object", "minProperties": 1,
                                                    "additionalProperties": intent_def},
            "threshold": {"type": "number", "minimum": 0, "maximum": 1}, "default": target},
            ["input", "intents", "default"]),
        "set": node({"vars": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": var["pattern"]},
                              "additionalProperties": expr}, "next": target}, ["vars", "next"]),
        "branch": node({
            "cases": {"type": "array", "minItems": 1, "items": {
                "type": "object", "additionalProperties": False, "required": ["if", "next"],
                "properties": {"if": expr, "next": target}}},
            "else": target}, ["cases", "else"]),
        "schedule": node({
            "timezone": {"type": "string"},
            "hours": {"type": "object", "minProperties": 1, "additionalProperties": hours,
                      "propertyNames": {"pattern": r"^(daily|weekdays|weekend|(mon|tue|wed|thu|fri|sat|sun)(-(mon|tue|wed|thu|fri|sat|sun))?)$"}},
            "holidays": {"type": "array", "items": {"type": "string", "pattern": r"^(\d{4}-)?\d{2}-\d{2}$"}},
            "holiday_calendar": {"type": "object", "additionalProperties": False, "required": ["country"],
                                 "properties": {"country": {"type": "string"}, "subdiv": {"type": "string"}}},
            "exceptions": {"type": "object", "propertyNames": {"pattern": r"^\d{4}-\d{2}-\d{2}$"},
                           "additionalProperties": hours},
            "open": target, "closed": target, "holiday": target}, ["hours", "open", "closed"]),
        "http": node({
            "method": {"enum": ["GET", "POST", "get", "post"]}, "url": {"type": "string"},
            "headers": {"type": "object", "additionalProperties": template},
            "query": {"type": "object", "additionalProperties": template},
            "body": {}, "timeout": timeout,
            "map": {"type": "object", "propertyNames": {"pattern": var["pattern"]},
                    "additionalProperties": {"type": "string"}},
            "status_var": var, "next": target, "on_error": target}, ["url", "next", "on_error"]),
        "language": node({"language": {"type": "string"}, "voice": {"type": "string"}, "next": target},
                         ["language", "next"]),
        "queue": node({
            "queue": {"type": "string"}, "prompt": prompt,
            "skills": {"anyOf": [{"type": "array", "items": {"type": "string"}},
                                 {"type": "object", "additionalProperties": {"type": "integer", "minimum": 1,
                                                                             "maximum": 100}}]},
            "language": {"type": "string"}, "priority": {"type": ["integer", "string"]},
            "music": {"type": "string"}, "announce_position": {"type": "number", "minimum": 0},
            "announce_ewt": {"type": "number", "minimum": 0},
            "max_wait": {"type": "number", "minimum": 0},
            "record": {"enum": ["always", "never", "sampled", "request"],
                       "description": "recording policy for this call (overrides the queue's, docs/recordings.md)"},
            "callback": {"anyOf": [{"type": "boolean"}, {
                "type": "object", "additionalProperties": False,
                "properties": {"offer_after": {"type": "number", "minimum": 0},
                               "digit": {"type": "string", "pattern": r"^[0-9*#]$"},
                               "prompt": prompt}}]}}, ["queue"]),
        "transfer": node({"to": {"type": "string"}, "prompt": prompt}, ["to"]),
        "voicemail": node({"prompt": prompt, "mailbox": {"type": "string"},
                           "max_seconds": {"type": "number", "exclusiveMinimum": 0, "maximum": 3600},
                           "silence_seconds": {"type": "number", "minimum": 0},
                           "beep": {"type": "boolean"}, "goodbye": prompt}, []),
        "subflow": node({"flow": {"type": "string"}, "node": {"type": "string"}, "next": target},
                        ["flow", "next"]),
        "goto": node({"next": target, "flow": {"type": "string"},
                      "node": {"type": "string", "description": "entry node of `flow` (default: its start)"}}, [],
                     anyOf=[{"required": ["next"]}, {"required": ["flow"]}]),
        "return": node({}, []),
        "hangup": node({"prompt": prompt}, []),
    }
    node_schema = {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": NODE_TYPES}},
        "allOf": [{"if": {"properties": {"type": {"const": t}}, "required": ["type"]},
                   "then": {"$ref": f"#/$defs/{t}"}} for t in NODE_TYPES],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://callcenter.example/schemas/ivr-flow.json",
        "title": "callcenter IVR flow",
        "description": "An IVR flow: named nodes with transitions. See docs/ivr.md.",
        "type": "object",
        "additionalProperties": False,
        "required": ["start", "nodes"],
        "properties": {
            "flow": {"type": "string", "pattern": _ID, "description": "flow name (default: the file name)"},
            "description": {"type": "string"},
            "language": {"type": "string", "pattern": _LANG, "description": "default language (en-US)"},
            "languages": {"type": "array", "items": {"type": "string", "pattern": _LANG},
                          "description": "languages every prompt must exist in"},
            "voice": {"type": "string"},
            "timezone": {"type": "string", "description": "IANA time zone for schedules and time functions"},
            "start": target,
            "variables": {"type": "object", "propertyNames": {"pattern": var["pattern"]},
                          "additionalProperties": {"type": ["string", "number", "boolean", "null"]}},
            "nodes": {"type": "object", "minProperties": 1, "propertyNames": {"pattern": _ID},
                      "additionalProperties": {"$ref": "#/$defs/node"}},
        },
        "$defs": {"node": node_schema, **nodes},
    }


def load_schema() -> dict[str, Any]:
    """The published schema (the JSON file), falling back to the generated one."""
    try:
        return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return build_schema()


def main() -> None:  # pragma: no cover - maintenance helper
    print(json.dumps(build_schema(), indent=2, ensure_ascii=False))


if __name__ == "__main__":  # pragma: no cover
    main()
